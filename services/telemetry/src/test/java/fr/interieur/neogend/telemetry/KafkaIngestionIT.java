package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.devstack.KafkaCluster;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.kafkaclient.KafkaReadingWriters;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.telemetry.v1.UploadReadingsResponse;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ingest: kafka} (issue 21, ADR 0025) against three real Kafka brokers (KRaft, one process each,
 * started and stopped here) and real PostgreSQL: uploads are acknowledged once the log has them, the
 * writers store each reading once, the offsets PostgreSQL keeps match the log's end, writers stopped and
 * started again lose and double nothing, and a writer that lost its partition writes nothing.
 */
@ServiceIT
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class KafkaIngestionIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String TOPIC = "neogend.telemetry.readings.it";
    static KafkaCluster kafka;
    static KafkaReadingWriters writersToStop;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws Exception {
        if (kafka == null) {
            kafka = KafkaCluster.start(Files.createTempDirectory("neogend-kafka-it"), 3, Duration.ofSeconds(120));
        }
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.telemetry.ingest", () -> "kafka");
        registry.add("neogend.telemetry.kafka.bootstrap-servers", kafka::bootstrapServers);
        registry.add("neogend.telemetry.kafka.topic", () -> TOPIC);
        registry.add("neogend.telemetry.kafka.partitions", () -> "3");
        registry.add("neogend.telemetry.kafka.replication-factor", () -> "3");
        registry.add("neogend.telemetry.kafka.min-insync-replicas", () -> "2");
        registry.add("neogend.telemetry.kafka.consumers", () -> "2");
        registry.add("neogend.telemetry.retention", () -> "20d"); // not the default: the topic must follow it
    }

    @AfterAll
    static void stopKafka() {
        if (writersToStop != null) {
            writersToStop.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    KafkaReadingWriters writers;

    @Autowired
    ReadingStore store;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

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
    }

    static String imei(int n) {
        String body = String.format("35777703%06d", n);
        return body + Imei.checkDigit(body);
    }

    TelemetryServiceBlockingStub device(String imei) {
        inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35");
        String credential = fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(imei).build())
                .getCredential();
        return TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential));
    }

    /** Sends each device's batches twice, from 8 callers at once; returns the answers. */
    List<UploadReadingsResponse> upload(Map<String, TelemetryServiceBlockingStub> devices, int batches, int first)
            throws Exception {
        Instant base =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(3600);
        List<java.util.concurrent.Callable<UploadReadingsResponse>> calls = new ArrayList<>();
        for (var device : devices.values()) {
            for (int b = 0; b < batches; b++) {
                var batch = UploadReadingsRequest.newBuilder();
                for (int i = 0; i < 10; i++) {
                    int seq = first + b * 10 + i;
                    batch.addReadings(KafkaLogCounts.reading(seq, base.plusSeconds(seq), seq % 100));
                }
                var request = batch.build();
                calls.add(() -> device.uploadReadings(request));
                calls.add(() -> device.uploadReadings(request));
            }
        }
        java.util.Collections.shuffle(calls, new java.util.Random(25));
        List<UploadReadingsResponse> answers = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<UploadReadingsResponse>> futures = new ArrayList<>();
            for (var c : calls) {
                futures.add(pool.submit(c));
            }
            for (var f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        return answers;
    }

    void awaitStored(Map<String, TelemetryServiceBlockingStub> devices, long each) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (devices.keySet().stream().anyMatch(imei -> counts.stored(imei) < each)) {
            assertThat(System.nanoTime()).as("readings written within 60 s").isLessThan(until);
            Thread.sleep(100);
        }
    }

    /**
     * Rule 20 through the log: positions older than the retention period are deleted — from the readings' log
     * too. The topic telemetry declares keeps its records as long as telemetry keeps readings (here 20 days),
     * not as long as the cluster's default says (7 days by Kafka's, or for ever).
     */
    @Test
    void theReadingsLogKeepsPositionsAsLongAsTelemetryDoesNotAsTheClustersDefaultSays() throws Exception {
        var topic = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, TOPIC);
        try (var admin =
                org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var retention = admin.describeConfigs(List.of(topic))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .get("retention.ms");
            assertThat(retention.value())
                    .isEqualTo(String.valueOf(Duration.ofDays(20).toMillis()));
        }
    }

    @Test
    void uploadsThroughTheLogAreStoredOnceEachAndWritersStoppedAndStartedLoseAndDoubleNothing() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = new HashMap<>();
        for (int d = 0; d < 12; d++) {
            devices.put(imei(d), device(imei(d)));
        }
        long before = counts.logEnd();
        List<UploadReadingsResponse> answers = upload(devices, 4, 0);
        // acknowledged = in the log: all ten readings of each upload, whichever copy
        assertThat(answers).allSatisfy(a -> assertThat(a.getStored()).isEqualTo(10));
        assertThat(counts.logEnd() - before).as("one record per upload").isEqualTo(12 * 4 * 2);
        awaitStored(devices, 40);
        for (String imei : devices.keySet()) {
            assertThat(counts.stored(imei)).as(imei).isEqualTo(40);
        }
        counts.awaitWritten(Duration.ofSeconds(60));

        // writers stopped (as a crash after their last transaction), uploads go on, writers back
        writers.stop();
        upload(devices, 3, 40);
        Thread.sleep(500);
        assertThat(devices.keySet().stream().mapToLong(counts::stored).sum())
                .as("nothing written while the writers are away")
                .isEqualTo(12 * 40);
        writers.start();
        awaitStored(devices, 70);
        counts.awaitWritten(Duration.ofSeconds(60));
        // and the lag the alert watches comes back to nothing
        var lag = meters.get("neogend.telemetry.ingest.lag").gauge();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lag.value() != 0) {
            assertThat(System.nanoTime()).as("lag back to 0").isLessThan(until);
            Thread.sleep(100);
        }
        for (String imei : devices.keySet()) {
            assertThat(counts.stored(imei)).as(imei).isEqualTo(70);
            assertThat(jdbc.sql("select sequence from device_state where imei = ?")
                            .param(imei)
                            .query(Long.class)
                            .single())
                    .isEqualTo(69);
        }
    }

    /**
     * A broker killed with SIGKILL while devices upload (replication 3, min.insync.replicas 2): every upload
     * the log acknowledged is stored, once; an upload answered UNAVAILABLE during the failover is sent again,
     * as a device does, and still stored once.
     */
    @Test
    void aBrokerKilledUnderUploadsLosesNoAcknowledgedReadingAndDoublesNone() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = new HashMap<>();
        for (int d = 0; d < 8; d++) {
            devices.put(imei(800 + d), device(imei(800 + d)));
        }
        Instant base =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(3600);
        java.util.concurrent.atomic.AtomicInteger resent = new java.util.concurrent.atomic.AtomicInteger();
        List<java.util.concurrent.Callable<Integer>> calls = new ArrayList<>();
        for (var device : devices.values()) {
            for (int b = 0; b < 12; b++) {
                var batch = UploadReadingsRequest.newBuilder();
                for (int i = 0; i < 10; i++) {
                    int seq = b * 10 + i;
                    batch.addReadings(KafkaLogCounts.reading(seq, base.plusSeconds(seq), seq % 100));
                }
                var request = batch.build();
                calls.add(() -> {
                    for (int attempt = 1; ; attempt++) {
                        try {
                            return device.uploadReadings(request).getStored();
                        } catch (io.grpc.StatusRuntimeException e) {
                            if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || attempt == 10) {
                                throw e;
                            }
                            resent.incrementAndGet();
                        }
                    }
                });
            }
        }
        int killed = kafka.nodeIds().get(1);
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (var c : calls) {
                futures.add(pool.submit(c));
            }
            Thread.sleep(300); // uploads under way
            kafka.kill(killed);
            for (var f : futures) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(10);
            }
        } finally {
            kafka.restart(killed);
        }
        awaitStored(devices, 120);
        counts.awaitWritten(Duration.ofSeconds(60));
        for (String imei : devices.keySet()) {
            assertThat(counts.stored(imei)).as(imei).isEqualTo(120);
        }
        System.out.printf("broker %d killed under 96 uploads: %d sent again after UNAVAILABLE%n", killed, resent.get());
    }

    /** The writers' database failing under them (the readings' table taken away, then back): nothing lost. */
    @Test
    void aDatabaseFailingUnderTheWritersLosesAndDoublesNothing() throws Exception {
        Map<String, TelemetryServiceBlockingStub> devices = new HashMap<>();
        for (int d = 0; d < 6; d++) {
            devices.put(imei(700 + d), device(imei(700 + d)));
        }
        jdbc.sql("alter table reading rename to reading_away").update();
        try {
            // the uploads do not need the table: the log acknowledges them
            assertThat(upload(devices, 2, 0))
                    .allSatisfy(a -> assertThat(a.getStored()).isEqualTo(10));
            Thread.sleep(1_500); // the writers fail, go back, try again
        } finally {
            jdbc.sql("alter table reading_away rename to reading").update();
        }
        awaitStored(devices, 20);
        counts.awaitWritten(Duration.ofSeconds(60));
        for (String imei : devices.keySet()) {
            assertThat(counts.stored(imei)).as(imei).isEqualTo(20);
        }
    }

    @Test
    void aWriterThatLostItsPartitionWritesNothingOfWhatItPolled() {
        String imei = imei(500);
        ReadingIn r = new ReadingIn(
                1,
                Instant.now().minusSeconds(10),
                50,
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "4G",
                "",
                "",
                "",
                1_000,
                "1.0",
                null);
        var batch = List.of(List.of(ReadingStore.Batch.of(imei, List.of(r))));
        String topic = "zombie.topic";
        // the partition's writer went from 0 to 5; a zombie still believes it is at 0
        assertThat(store.storeLogged(topic, 0, 0, 5, List.of())).isTrue();
        assertThat(store.storeLogged(topic, 0, 0, 3, batch))
                .as("the zombie's late poll")
                .isFalse();
        assertThat(counts.stored(imei)).isZero();
        assertThat(store.loggedOffset(topic, 0)).isEqualTo(5);
        // the partition's writer goes on from where PostgreSQL says
        assertThat(store.storeLogged(topic, 0, 5, 6, batch)).isTrue();
        assertThat(counts.stored(imei)).isEqualTo(1);
        assertThat(store.loggedOffset(topic, 0)).isEqualTo(6);
    }

    @Test
    void aLostDevicesReadingsAreRefusedBeforeTheLog() throws Exception {
        String imei = imei(600);
        var stub = device(imei);
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest.newBuilder()
                        .setEvent(fr.interieur.neogend.telemetry.v1.InventoryEvent.newBuilder()
                                .setEventId(java.util.UUID.randomUUID().toString())
                                .setKind(
                                        fr.interieur.neogend.telemetry.v1.InventoryEventKind
                                                .INVENTORY_EVENT_KIND_DEVICE_LOST)
                                .setImei(imei)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
        long before = counts.logEnd();
        var answer = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(KafkaLogCounts.reading(1, Instant.now().minusSeconds(5), 40))
                .build());
        assertThat(answer.getStored()).isZero();
        assertThat(answer.getRejectedList()).hasSize(1);
        assertThat(counts.logEnd()).as("nothing of it in the log").isEqualTo(before);
    }
}
