package fr.interieur.neogend.telemetry;

import fr.interieur.neogend.devstack.KafkaCluster;
import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Waits;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.kafkaclient.KafkaIngestSettings;
import fr.interieur.neogend.telemetry.kafkaclient.KafkaReadingWriters;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestSecurityConfiguration;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ingest: kafka} (issue 21, ADR 0025): the writers' failures that "no acknowledged reading lost, none
 * doubled" must survive, against three real Kafka brokers and a PostgreSQL server of this class' own (so that
 * it can be stopped and started): a second writer process joining the group and SIGKILLed under uploads, a
 * writer paused past its session whose late poll is fenced off, PostgreSQL restarted while the writers
 * consume. Each test checks the rows per device against the acknowledged uploads and PostgreSQL's offsets
 * against the log's end.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.grpc.server.port=0", "logging.structured.format.console="})
@Import(TestSecurityConfiguration.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class KafkaWritersFailoverIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String TOPIC = "neogend.telemetry.readings.failover";
    static final String DATABASE = "telemetry";
    static KafkaCluster kafka;
    static PostgresServer postgres;
    static Path postgresData;
    static KafkaReadingWriters writersToStop;
    /** The writes the child process said went through (partition, from, to), and its last one per partition. */
    static final List<long[]> childWrites = new ArrayList<>();

    /** The context's store, wrapped: the PostgreSQL restart test holds its writers at a chosen call. */
    static final Gate contextGate = new Gate();

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) throws Exception {
        if (kafka == null) {
            kafka = KafkaCluster.start(
                    Files.createTempDirectory("neogend-kafka-failover-it"), 3, Duration.ofSeconds(120));
        }
        if (postgres == null) {
            postgresData = Files.createTempDirectory("neogend-failover-pg").resolve("data");
            // data kept on close: the restart test starts the server again on the same folder and port
            postgres = PostgresServer.start(postgresData, Waits.freePort(), true);
            postgres.createDatabase(DATABASE);
        }
        registry.add("spring.datasource.url", () -> postgres.jdbcUrl(DATABASE));
        registry.add("spring.datasource.username", () -> PostgresServer.SUPERUSER);
        registry.add("spring.datasource.password", () -> "");
        // PostgreSQL away: a writer's transaction fails after 3 s rather than waiting 30 s for a connection
        registry.add("spring.datasource.hikari.connection-timeout", () -> "3000");
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.telemetry.ingest", () -> "kafka");
        registry.add("neogend.telemetry.kafka.bootstrap-servers", kafka::bootstrapServers);
        registry.add("neogend.telemetry.kafka.topic", () -> TOPIC);
        registry.add("neogend.telemetry.kafka.partitions", () -> "3");
        registry.add("neogend.telemetry.kafka.replication-factor", () -> "3");
        registry.add("neogend.telemetry.kafka.min-insync-replicas", () -> "2");
        registry.add("neogend.telemetry.kafka.consumers", () -> "2");
        // a writer gone is noticed after 6 s (the brokers' minimum), not 45 s
        registry.add("neogend.telemetry.kafka.properties[session.timeout.ms]", () -> "6000");
        registry.add("neogend.telemetry.kafka.properties[heartbeat.interval.ms]", () -> "1000");
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class GatedStore {
        @Bean
        static BeanPostProcessor gateTheReadingStore() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof ReadingStore store ? contextGate.around(store) : bean;
                }
            };
        }
    }

    @AfterAll
    static void stopServers() {
        try {
            if (writersToStop != null) {
                writersToStop.stop();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    KafkaReadingWriters writers;

    @Autowired
    KafkaIngestSettings settings;

    @Autowired
    ReadingStore store;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    FakeInventory inventory;
    TelemetryServiceBlockingStub fleetManager;
    KafkaLogCounts counts;

    @BeforeEach
    void connect() throws Exception {
        writersToStop = writers;
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        counts = new KafkaLogCounts(kafka.bootstrapServers(), TOPIC, 3, jdbc);
    }

    @AfterEach
    void disconnect() {
        inventory.close();
        writers.start(); // a test that stopped them and failed
    }

    /**
     * A writer in another process (a child JVM: the real writers on the real store, same database, same
     * group) joins while devices upload, so that the partitions are rebalanced across the two processes; it
     * writes, then is SIGKILLed under the uploads. This process' writers take its partition over, from the
     * offset PostgreSQL holds: every acknowledged reading is stored once, the offsets reach the log's end.
     */
    @Test
    void aWriterProcessJoiningThenKilledUnderUploadsLosesAndDoublesNothing() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = devices(100, 12);
        Path log = Files.createTempFile("neogend-writer-process", ".log");
        Process child = null;
        try (Uploads uploads = new Uploads(devices)) {
            uploads.awaitAcknowledged(50);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "fr.interieur.neogend.telemetry.persistence.KafkaWriterProcess",
                    kafka.bootstrapServers(),
                    TOPIC,
                    settings.group(),
                    postgres.jdbcUrl(DATABASE),
                    PostgresServer.SUPERUSER,
                    ""));
            settings.clientProperties().forEach((k, v) -> command.add(k + "=" + v));
            child = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            // the child holds a partition (three partitions, three consumers) and has written some of it
            Map<Integer, Long> childWrote = awaitChildWrote(log, child);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) { // uploads go on into its partition
                Thread.sleep(100);
                childWrote = childWrote(log);
            }
            child.destroyForcibly(); // SIGKILL: no leaving the group, no closing anything
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            childWrote = childWrote(log);
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("RANGE ")) {
                    String[] w = line.split(" ");
                    childWrites.add(new long[] {Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3])});
                }
            }
            long acknowledgedAtKill = uploads.acknowledged();
            uploads.awaitAcknowledged(acknowledgedAtKill + 60); // and on, after the kill
            uploads.close();

            assertEachAcknowledgedReadingStoredOnce(uploads.perDevice());
            // this process' writers went on with the child's partition past what the child had written
            Map<Integer, Long> ours = writers.writtenTo();
            for (var e : childWrote.entrySet()) {
                assertThat(ours.get(e.getKey()))
                        .as("partition %d taken over after the child's last write", e.getKey())
                        .isGreaterThan(e.getValue());
            }
            System.out.printf(
                    "writer process killed: it had written %s; %d readings acknowledged, %d at the kill%n",
                    childWrote, uploads.acknowledged() * 10, acknowledgedAtKill * 10);
        } finally {
            if (child != null) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            System.out.println("writer process output:\n"
                    + Files.readString(log)
                            .lines()
                            .filter(l -> !l.startsWith("SLF4J"))
                            .limit(40)
                            .reduce("", (a, b) -> a + "  " + b + "\n"));
            Files.deleteIfExists(log);
        }
    }

    /**
     * A writer of the group (a second {@link KafkaReadingWriters} of this process, {@code max.poll.interval.ms}
     * 5 s) holds every partition, polls, and is paused inside its first write — past its poll interval, so the
     * group gives its partitions to this process' writers, which write past where it stopped. Released, its
     * late write is refused (false, nothing written), counted in {@code neogend.telemetry.ingest.fenced}, and
     * nothing is lost or doubled.
     */
    @Test
    void aWriterPausedPastItsSessionHasItsLateWriteRolledBack() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = devices(200, 8);
        Gate gate = new Gate();
        Map<String, String> properties = new HashMap<>(settings.clientProperties());
        properties.put("max.poll.interval.ms", "5000");
        SimpleMeterRegistry zombieMeters = new SimpleMeterRegistry();
        KafkaReadingWriters zombie = new KafkaReadingWriters(
                new KafkaIngestSettings(
                        settings.bootstrapServers(),
                        settings.topic(),
                        settings.partitions(),
                        settings.replicationFactor(),
                        settings.minInsyncReplicas(),
                        1,
                        settings.group(),
                        settings.appendTimeout(),
                        properties),
                gate.around(store),
                zombieMeters);
        Map<String, Long> acknowledged;
        writers.stop();
        try {
            acknowledged = uploadEach(devices, 3, 0);
            gate.arm(0); // its first write waits
            zombie.start();
            assertThat(gate.blocked.await(90, TimeUnit.SECONDS))
                    .as("the paused writer polled and holds a write")
                    .isTrue();
            int partition = (int) gate.blockedArgs[1];
            long from = (long) gate.blockedArgs[2];
            writers.start();
            // past the paused writer's poll interval, this process' writers take the partitions and write on
            counts.awaitWritten(Duration.ofSeconds(90));
            assertThat(store.loggedOffset(TOPIC, partition))
                    .as("partition %d written past %d while the paused writer held its poll", partition, from)
                    .isGreaterThan(from);
            long storedBefore =
                    devices.keySet().stream().mapToLong(counts::stored).sum();
            gate.release();
            assertThat(gate.blockedResult.get(60, TimeUnit.SECONDS))
                    .as("the late write")
                    .isFalse();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (zombieMeters.get("neogend.telemetry.ingest.fenced").counter().count() < 1) {
                assertThat(System.nanoTime()).as("fenced counted").isLessThan(until);
                Thread.sleep(50);
            }
            assertThat(devices.keySet().stream().mapToLong(counts::stored).sum())
                    .as("nothing of the late write")
                    .isEqualTo(storedBefore);
            // more uploads: whoever holds the partitions now writes them, once
            for (var e : uploadEach(devices, 2, 30).entrySet()) {
                acknowledged.merge(e.getKey(), e.getValue(), Long::sum);
            }
            assertEachAcknowledgedReadingStoredOnce(acknowledged);
            System.out.printf(
                    "paused writer: its write of partition %d from %d refused (PostgreSQL at %d)%n",
                    partition, from, store.loggedOffset(TOPIC, partition));
        } finally {
            gate.release();
            zombie.stop();
            writers.start();
        }
    }

    /**
     * PostgreSQL stopped and started again (same folder, same port) while the writers consume a backlog: the
     * first write goes through, the next is held until the server is down, then fails and is tried again until
     * the server is back. Every acknowledged reading is stored once, the offsets reach the log's end.
     */
    @Test
    void postgresRestartedWhileTheWritersConsumeLosesAndDoublesNothing() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = devices(300, 8);
        writers.stop();
        Map<String, Long> acknowledged;
        long lagAtStop;
        try {
            acknowledged = uploadEach(devices, 5, 0); // the log holds them, not yet written
            long writtenBefore = counts.writtenOffsets();
            contextGate.arm(1); // one write goes through, the next waits
            writers.start();
            assertThat(contextGate.blocked.await(90, TimeUnit.SECONDS))
                    .as("the writers consume")
                    .isTrue();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (counts.writtenOffsets() == writtenBefore) { // the write let through, committed
                assertThat(System.nanoTime()).as("a first write").isLessThan(until);
                Thread.sleep(50);
            }
            long written = counts.writtenOffsets();
            lagAtStop = counts.logEnd() - written;
            assertThat(lagAtStop).as("some left to write at the stop").isPositive();
            postgres.close();
            contextGate.release(); // the held write meets the server down
            assertThat(contextGate.blockedResult)
                    .as("the held write failed")
                    .failsWithin(Duration.ofSeconds(60))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class);
            Thread.sleep(2_000); // the writers go back and try again, in vain
            postgres = PostgresServer.start(postgresData, postgres.port(), true);
        } finally {
            contextGate.release();
            contextGate.disarm();
        }
        assertEachAcknowledgedReadingStoredOnce(acknowledged);
        System.out.printf(
                "PostgreSQL restarted with %d records of the log left to write; %d writes failed meanwhile%n",
                lagAtStop, contextGate.failed.get());
        assertThat(contextGate.failed.get()).isPositive();
    }

    // --- helpers

    /**
     * A {@link ReadingStore} whose {@code storeLogged} calls, once armed, go through {@code pass} times, then
     * wait for {@link #release} (the first of them is recorded: its arguments, its answer).
     */
    static final class Gate {
        private volatile boolean armed;
        private volatile int pass;
        private final AtomicInteger calls = new AtomicInteger();
        volatile CountDownLatch blocked = new CountDownLatch(1);
        volatile CountDownLatch released = new CountDownLatch(1);
        volatile Object[] blockedArgs;
        volatile CompletableFuture<Boolean> blockedResult = new CompletableFuture<>();
        final AtomicInteger failed = new AtomicInteger();
        /** Every write that went through: partition, from, to. */
        final java.util.Queue<long[]> written = new java.util.concurrent.ConcurrentLinkedQueue<>();

        synchronized void arm(int pass) {
            this.pass = pass;
            calls.set(0);
            blocked = new CountDownLatch(1);
            released = new CountDownLatch(1);
            blockedResult = new CompletableFuture<>();
            blockedArgs = null;
            failed.set(0);
            armed = true;
        }

        void release() {
            released.countDown();
        }

        void disarm() {
            armed = false;
        }

        ReadingStore around(ReadingStore target) {
            return (ReadingStore) Proxy.newProxyInstance(
                    ReadingStore.class.getClassLoader(), new Class<?>[] {ReadingStore.class}, (proxy, m, args) -> {
                        if (!m.getName().equals("storeLogged")) {
                            return call(target, m, args);
                        }
                        boolean first = false;
                        if (armed && calls.getAndIncrement() >= pass) {
                            synchronized (this) {
                                if (blockedArgs == null) {
                                    blockedArgs = args;
                                    first = true;
                                }
                            }
                            blocked.countDown();
                            released.await(120, TimeUnit.SECONDS);
                        }
                        try {
                            Object answer = call(target, m, args);
                            if (first) {
                                blockedResult.complete((Boolean) answer);
                            }
                            if (Boolean.TRUE.equals(answer)) {
                                written.add(new long[] {(int) args[1], (long) args[2], (long) args[3]});
                            }
                            return answer;
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            if (first) {
                                blockedResult.completeExceptionally(e);
                            }
                            throw e;
                        }
                    });
        }

        private static Object call(ReadingStore target, java.lang.reflect.Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** Devices upload in turn, one batch of 10 readings each time (sent again on UNAVAILABLE), until closed. */
    final class Uploads implements AutoCloseable {
        private final Map<String, AtomicLong> perDevice = new ConcurrentHashMap<>();
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Future<?>> senders = new ArrayList<>();
        private final java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(4);

        Uploads(Map<String, TelemetryServiceBlockingStub> devices) {
            Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(3600);
            List<String> imeis = new ArrayList<>(devices.keySet());
            for (int s = 0; s < 4; s++) {
                List<String> mine = new ArrayList<>();
                for (int i = s; i < imeis.size(); i += 4) {
                    mine.add(imeis.get(i));
                    perDevice.put(imeis.get(i), new AtomicLong());
                }
                senders.add(pool.submit(() -> {
                    for (int b = 0; !stop.get(); b++) {
                        for (String imei : mine) {
                            var batch = UploadReadingsRequest.newBuilder();
                            for (int i = 0; i < 10; i++) {
                                int seq = b * 10 + i;
                                batch.addReadings(
                                        KafkaLogCounts.reading(seq, base.plusSeconds(seq), (int) (seq % 100)));
                            }
                            assertThat(send(devices.get(imei), batch.build())).isEqualTo(10);
                            perDevice.get(imei).addAndGet(10);
                            acknowledged.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }

        long acknowledged() {
            return acknowledged.get();
        }

        void awaitAcknowledged(long uploads) throws Exception {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (acknowledged.get() < uploads) {
                for (Future<?> f : senders) {
                    if (f.isDone()) {
                        f.get(); // a sender failed: say why
                    }
                }
                assertThat(System.nanoTime()).as("uploads acknowledged").isLessThan(until);
                Thread.sleep(20);
            }
        }

        Map<String, Long> perDevice() {
            Map<String, Long> copy = new LinkedHashMap<>();
            perDevice.forEach((k, v) -> copy.put(k, v.get()));
            return copy;
        }

        @Override
        public void close() throws Exception {
            if (stop.compareAndSet(false, true)) {
                try {
                    for (Future<?> f : senders) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    static int send(TelemetryServiceBlockingStub device, UploadReadingsRequest request) {
        for (int attempt = 1; ; attempt++) {
            try {
                return device.uploadReadings(request).getStored();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Each device's batches (10 readings each, sequences from {@code first}), from 4 callers at once. */
    Map<String, Long> uploadEach(Map<String, TelemetryServiceBlockingStub> devices, int batches, int first)
            throws Exception {
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(3600);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (var device : devices.entrySet()) {
                for (int b = 0; b < batches; b++) {
                    var batch = UploadReadingsRequest.newBuilder();
                    for (int i = 0; i < 10; i++) {
                        int seq = first + b * 10 + i;
                        batch.addReadings(KafkaLogCounts.reading(seq, base.plusSeconds(seq), (int) (seq % 100)));
                    }
                    var request = batch.build();
                    futures.add(pool.submit(() -> {
                        assertThat(send(device.getValue(), request)).isEqualTo(10);
                        acknowledged.merge(device.getKey(), 10L, Long::sum);
                        return null;
                    }));
                }
            }
            for (var f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        return new HashMap<>(acknowledged);
    }

    Map<String, TelemetryServiceBlockingStub> devices(int from, int count) {
        Map<String, TelemetryServiceBlockingStub> devices = new LinkedHashMap<>();
        for (int d = from; d < from + count; d++) {
            String body = String.format("35777704%06d", d);
            String imei = body + Imei.checkDigit(body);
            inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35");
            String credential = fleetManager
                    .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(imei).build())
                    .getCredential();
            devices.put(
                    imei,
                    TelemetryServiceGrpc.newBlockingStub(clients.channel())
                            .withInterceptors(DeviceAgents.credential(credential)));
        }
        return devices;
    }

    /** What the child process says it wrote: the next offset per partition, its latest word. */
    static Map<Integer, Long> childWrote(Path log) throws java.io.IOException {
        Map<Integer, Long> wrote = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("WROTE ")) {
                String[] w = line.split(" ");
                wrote.put(Integer.parseInt(w[1]), Long.parseLong(w[2]));
            }
        }
        return wrote;
    }

    static Map<Integer, Long> awaitChildWrote(Path log, Process child) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            Map<Integer, Long> wrote = childWrote(log);
            if (!wrote.isEmpty()) {
                return wrote;
            }
            assertThat(child.isAlive())
                    .as("writer process alive: %s", Files.readString(log))
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("writer process wrote within 90 s: %s", Files.readString(log))
                    .isLessThan(until);
            Thread.sleep(100);
        }
    }

    /**
     * Once the writers are done: every device has exactly its acknowledged readings, PostgreSQL's offsets reach
     * the log's end, and each record of the log was written by exactly one write.
     */
    void assertEachAcknowledgedReadingStoredOnce(Map<String, Long> acknowledged) throws Exception {
        awaitStored(acknowledged);
        counts.awaitWritten(Duration.ofSeconds(90));
        for (var e : acknowledged.entrySet()) {
            assertThat(counts.stored(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertEachRecordWrittenOnce();
    }

    void awaitStored(Map<String, Long> expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (expected.entrySet().stream().anyMatch(e -> storedOrNone(e.getKey()) < e.getValue())) {
            assertThat(System.nanoTime()).as("readings written within 90 s").isLessThan(until);
            Thread.sleep(100);
        }
    }

    /** PostgreSQL just back: a connection may still fail once. */
    long storedOrNone(String imei) {
        try {
            return counts.stored(imei);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Every record of the log written by exactly one write that went through: per partition, the writes of
     * every writer of this class (this process', the paused one's, the child process') follow each other from
     * offset 0 to the log's end, none overlapping another. One hole is allowed, right after the child's last
     * printed write: a write it committed but was SIGKILLed before printing.
     */
    void assertEachRecordWrittenOnce() throws Exception {
        List<long[]> writes = new ArrayList<>(contextGate.written);
        writes.addAll(childWrites);
        Map<Integer, Long> childLast = new HashMap<>();
        for (long[] w : childWrites) {
            childLast.merge((int) w[0], w[2], Math::max);
        }
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
            for (int p = 0; p < 3; p++) {
                int partition = p;
                long end = admin.listOffsets(Map.of(new TopicPartition(TOPIC, p), OffsetSpec.latest()))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .values()
                        .iterator()
                        .next()
                        .offset();
                List<long[]> mine = writes.stream()
                        .filter(w -> w[0] == partition)
                        .sorted(java.util.Comparator.comparingLong(w -> w[1]))
                        .toList();
                long next = 0;
                for (long[] w : mine) {
                    if (w[1] != next && childLast.containsKey(partition) && next == childLast.get(partition)) {
                        System.out.printf(
                                "partition %d: %d..%d written by the child, not printed before its kill%n",
                                partition, next, w[1]);
                        next = w[1];
                    }
                    assertThat(w[1])
                            .as("partition %d: a write from %d after one up to %d", partition, w[1], next)
                            .isEqualTo(next);
                    next = w[2];
                }
                assertThat(next)
                        .as("partition %d written up to the log's end", partition)
                        .isEqualTo(end);
            }
        }
    }
}
