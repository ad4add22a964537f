package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.KafkaCluster;
import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Stack;
import io.grpc.ManagedChannel;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 21: telemetry's ingestion direct (each upload written before its answer) against {@code ingest: kafka}
 * (acknowledged once three brokers have it, {@code acks=all}, {@code min.insync.replicas} 2; writers take it into
 * PostgreSQL), side by side in one run, on one machine: the three brokers are real processes beside the stack.
 * For each: uploads acknowledged per second and their p99, readings written per second during the same window,
 * the time from acknowledgement to written (telemetry's {@code neogend_telemetry_ingest_delay} histogram), then
 * with the load stopped how fast the writers drain what is left — with two writers and with one. Last, the
 * writers' ceiling: a backlog appended by a telemetry with no writer ({@code consumers: 0}, as the chart's API
 * pods), then emptied by one writer, and again by two, with nothing else running.
 */
final class KafkaIngestionBenchmark {

    private static final int USERS = 16;
    private static final int PARTITIONS = 12;
    private static final double READINGS_PER_UPLOAD = 35; // IngestionBenchmark's batches: 10 to 60, 35 on average

    private final Stack stack;
    private final BenchSettings settings;
    private final IngestionBenchmark ingestion;

    KafkaIngestionBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
        this.ingestion = new IngestionBenchmark(stack, settings);
    }

    /** One variant's figures. */
    private record Result(
            String name,
            LatencyRecorder.Summary load,
            double writtenPerSecond,
            double e2eP50Millis,
            double e2eP99Millis,
            long backlogAtEnd,
            double drainPerSecond,
            double drainSeconds,
            double[] cpuPerK) {}

    void run() throws Exception {
        System.out.printf("%nTelemetry ingestion, direct against Kafka (issue 21): enrolling devices…%n");
        ingestion.enrolAll();
        Path dir = Files.createTempDirectory("neogend-bench-kafka");
        System.out.println("starting three Kafka brokers (KRaft, one process each)…");
        // full JIT, as the services: the quick-start options (C1 only) are for tests
        try (KafkaCluster kafka = KafkaCluster.start(
                        dir, 3, false, Map.of(), List.of("-Xms256m", "-Xmx512m"), Duration.ofSeconds(180));
                Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
            ManagedChannel channel = ingestion.telemetryChannel();
            Duration warmup = settings.warmup().multipliedBy(5).dividedBy(2);
            List<Result> results = new ArrayList<>();
            List<Drain> drains = new ArrayList<>();
            try {
                Load.Call call = ingestion.directUploads(channel);
                results.add(direct(call, warmup, "(d) direct"));
                results.add(kafka(kafka, admin, call, warmup, 2, "(k2) kafka, 2 writers"));
                results.add(kafka(kafka, admin, call, warmup, 1, "(k1) kafka, 1 writer"));
                // the brokers' JIT compiles under the first Kafka load: the same again, warm
                results.add(kafka(kafka, admin, call, warmup, 2, "(k2') kafka, 2 writers"));
                results.add(direct(call, warmup, "(d') direct again"));
                drains.add(drain(kafka, admin, call, warmup, 1));
                drains.add(drain(kafka, admin, call, warmup, 2));
            } finally {
                channel.shutdownNow();
                System.out.println("telemetry back to direct mode…");
                stack.restart("telemetry", Duration.ofSeconds(120));
            }
            print(results);
            printDrains(drains);
        }
    }

    private Result direct(Load.Call call, Duration warmup, String name) throws Exception {
        ingestion.settle();
        stack.restart("telemetry", Duration.ofSeconds(120));
        double[][] cpu = new double[2][];
        var r = Load.closedLoop(
                call, USERS, warmup, settings.measure(), () -> cpu[0] = cpu(null), () -> cpu[1] = cpu(null));
        double readings = r.throughput() * READINGS_PER_UPLOAD;
        System.out.printf(Locale.ROOT, "  %s: %.0f readings/s acknowledged and written%n", name, readings);
        return new Result(name, r, readings, Double.NaN, Double.NaN, 0, Double.NaN, 0, perK(cpu, readings));
    }

    private Result kafka(KafkaCluster kafka, Admin admin, Load.Call call, Duration warmup, int writers, String name)
            throws Exception {
        String topic = "neogend.bench.readings." + writers + "." + System.nanoTime();
        ingestion.settle();
        stack.restart("telemetry", kafkaMode(kafka, topic, writers), Duration.ofSeconds(120));
        long[] written = new long[2];
        Map<Double, Double>[] delays = newBuckets();
        double[][] cpu = new double[2][];
        var r = Load.closedLoop(
                call,
                USERS,
                warmup,
                settings.measure(),
                () -> {
                    written[0] = written(topic);
                    delays[0] = delayBuckets();
                    cpu[0] = cpu(kafka);
                },
                () -> {
                    written[1] = written(topic);
                    delays[1] = delayBuckets();
                    cpu[1] = cpu(kafka);
                });
        double seconds = settings.measure().toMillis() / 1000.0;
        double writtenPerSecond = (written[1] - written[0]) * READINGS_PER_UPLOAD / seconds;
        // the load has stopped: how long the writers take to reach the log's end, and at what rate
        long end = logEnd(admin, topic);
        long from = written(topic);
        long t0 = System.nanoTime();
        long now = awaitWritten(topic, from, end);
        double drainSeconds = (System.nanoTime() - t0) / 1e9;
        double drainPerSecond = from >= end ? Double.NaN : (now - from) * READINGS_PER_UPLOAD / drainSeconds;
        if (now < end) {
            System.out.printf(
                    "  %s: the writers had not reached the log's end after 5 minutes (%d left)%n", name, end - now);
        }
        double readings = r.throughput() * READINGS_PER_UPLOAD;
        System.out.printf(
                Locale.ROOT,
                "  %s: %.0f readings/s acknowledged, %.0f written; %d uploads behind at the end, drained in %.1f s%n",
                name,
                readings,
                writtenPerSecond,
                end - from,
                drainSeconds);
        return new Result(
                name,
                r,
                writtenPerSecond,
                percentile(delays, 0.50),
                percentile(delays, 0.99),
                end - from,
                drainPerSecond,
                drainSeconds,
                perK(cpu, readings));
    }

    private static Map<String, String> kafkaMode(KafkaCluster kafka, String topic, int writers) {
        return Map.of(
                "NEOGEND_TELEMETRY_INGEST",
                "kafka",
                "NEOGEND_KAFKA_BOOTSTRAP_SERVERS",
                kafka.bootstrapServers(),
                "NEOGEND_KAFKA_TOPIC",
                topic,
                "NEOGEND_KAFKA_PARTITIONS",
                String.valueOf(PARTITIONS),
                "NEOGEND_KAFKA_REPLICATION_FACTOR",
                "3",
                "NEOGEND_KAFKA_MIN_INSYNC_REPLICAS",
                "2",
                "NEOGEND_KAFKA_CONSUMERS",
                String.valueOf(writers));
    }

    /** The writers' ceiling: a backlog appended with no writer running, then drained by {@code writers}. */
    private record Drain(
            int writers,
            LatencyRecorder.Summary append,
            double[] appendCpuPerK,
            long backlog,
            double perSecond,
            double[] drainCpuPerK) {}

    private Drain drain(KafkaCluster kafka, Admin admin, Load.Call call, Duration warmup, int writers)
            throws Exception {
        String topic = "neogend.bench.backlog." + writers + "." + System.nanoTime();
        ingestion.settle();
        // uploads appended by a process with no writer (the chart's API pods): the log only grows
        stack.restart("telemetry", kafkaMode(kafka, topic, 0), Duration.ofSeconds(120));
        double[][] cpu = new double[2][];
        var append = Load.closedLoop(
                call, USERS, warmup, settings.measure(), () -> cpu[0] = cpu(kafka), () -> cpu[1] = cpu(kafka));
        long backlog = logEnd(admin, topic);
        ingestion.settle();
        // then the writers alone, nothing else running: how fast they empty it
        stack.restart("telemetry", kafkaMode(kafka, topic, writers), Duration.ofSeconds(120));
        long from = written(topic);
        double[] cpu0 = cpu(kafka);
        long t0 = System.nanoTime();
        long now = awaitWritten(topic, from, backlog);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] cpu1 = cpu(kafka);
        double readings = (now - from) * READINGS_PER_UPLOAD;
        double[] drainPerK = new double[3];
        for (int k = 0; k < 3; k++) {
            drainPerK[k] = readings == 0 ? Double.NaN : (cpu1[k] - cpu0[k]) * 1000 / readings * 1000;
        }
        double perSecond = readings / seconds;
        System.out.printf(
                Locale.ROOT,
                "  backlog of %d uploads appended with no writer (%.0f readings/s acknowledged); %d writer(s) wrote"
                        + " %d of them (%d before they were timed) at %.0f readings/s%s%n",
                backlog,
                append.throughput() * READINGS_PER_UPLOAD,
                writers,
                now,
                from,
                perSecond,
                now < backlog ? " — NOT drained within 5 minutes" : "");
        return new Drain(
                writers,
                append,
                perK(cpu, append.throughput() * READINGS_PER_UPLOAD),
                backlog,
                from * 2 > backlog ? Double.NaN : perSecond, // most of it gone before timing: no ceiling
                drainPerK);
    }

    private void printDrains(List<Drain> drains) {
        System.out.printf("%nThe writers' ceiling: a backlog appended by telemetry with no writer (consumers 0), then"
                + " drained by N writers with nothing else running%n");
        System.out.println("writers | appended readings/s | append p99 ms | append CPU ms per 1,000: telemetry,"
                + " PostgreSQL, brokers | backlog (uploads) | drained readings/s | drain CPU ms per 1,000: telemetry,"
                + " PostgreSQL, brokers");
        for (Drain d : drains) {
            System.out.printf(
                    Locale.ROOT,
                    "%7d | %19.0f | %13.1f | %5.1f %5.1f %5.1f | %17d | %18.0f | %5.1f %5.1f %5.1f%n",
                    d.writers(),
                    d.append().throughput() * READINGS_PER_UPLOAD,
                    d.append().p99Millis(),
                    d.appendCpuPerK()[0],
                    d.appendCpuPerK()[1],
                    d.appendCpuPerK()[2],
                    d.backlog(),
                    d.perSecond(),
                    d.drainCpuPerK()[0],
                    d.drainCpuPerK()[1],
                    d.drainCpuPerK()[2]);
        }
        if (drains.size() == 2) {
            System.out.printf(
                    Locale.ROOT,
                    "ceiling of one writer against two: %.2f%n",
                    drains.get(0).perSecond() / drains.get(1).perSecond());
        }
    }

    private void print(List<Result> results) {
        System.out.printf(
                "%nUploads of 10-60 readings (35 on average), %d concurrent devices, %s each; Kafka: 3 brokers on this"
                        + " machine, %d partitions, replication 3, min.insync.replicas 2, acks=all%n",
                USERS, settings.measure(), PARTITIONS);
        System.out.println("variant                | acknowledged readings/s | upload p50 ms | upload p99 ms | written "
                + "readings/s | ack→written p50 ms | p99 ms | behind at end (uploads) | drain readings/s | CPU ms"
                + " per 1,000 readings acknowledged: telemetry, PostgreSQL, brokers, total | errors");
        for (Result r : results) {
            System.out.printf(
                    Locale.ROOT,
                    "%-22s | %23.0f | %13.1f | %13.1f | %18.0f | %18.1f | %6.1f | %23d | %16.0f | %5.1f %5.1f %5.1f %6.1f | %d%n",
                    r.name(),
                    r.load().throughput() * READINGS_PER_UPLOAD,
                    r.load().p50Millis(),
                    r.load().p99Millis(),
                    r.writtenPerSecond(),
                    r.e2eP50Millis(),
                    r.e2eP99Millis(),
                    r.backlogAtEnd(),
                    r.drainPerSecond(),
                    r.cpuPerK()[0],
                    r.cpuPerK()[1],
                    r.cpuPerK()[2],
                    r.cpuPerK()[0] + r.cpuPerK()[1] + r.cpuPerK()[2],
                    r.load().errors());
        }
        Result d = results.get(0);
        Result k2 = results.get(1);
        Result k1 = results.get(2);
        Result k2Warm = results.get(3);
        Result d2 = results.get(4);
        double directMean = (d.load().throughput() + d2.load().throughput()) / 2 * READINGS_PER_UPLOAD;
        System.out.printf(
                Locale.ROOT,
                "kafka (2 writers, warm: k2') / mean direct: acknowledged %.2f, written %.2f; upload p99 kafka/direct"
                        + " %.2f (first, brokers cold: k2 acknowledged %.2f)%n",
                k2Warm.load().throughput() * READINGS_PER_UPLOAD / directMean,
                k2Warm.writtenPerSecond() / directMean,
                k2Warm.load().p99Millis() / ((d.load().p99Millis() + d2.load().p99Millis()) / 2),
                k2.load().throughput() * READINGS_PER_UPLOAD / directMean);
        // the drains after the load are too small to time a ceiling: the drain benchmark below does that
        System.out.printf(
                Locale.ROOT,
                "one writer against two (k1/k2'), written under load: %.2f%n",
                k1.writtenPerSecond() / k2Warm.writtenPerSecond());
    }

    /** Waits (5 minutes at most) until the writers have written {@code end} uploads of the topic; what they reached. */
    private long awaitWritten(String topic, long from, long end) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long now = from;
        while (now < end && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = written(topic);
        }
        return now;
    }

    /** Uploads written of the topic, as PostgreSQL says (the writers' offsets, ADR 0025). */
    private long written(String topic) {
        try (Connection c = DriverManager.getConnection(
                        stack.postgres().jdbcUrl("telemetry"), PostgresServer.SUPERUSER, "");
                PreparedStatement st =
                        c.prepareStatement("select coalesce(sum(next_offset), 0) from ingest_offset where topic = ?")) {
            st.setString(1, topic);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long logEnd(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(o -> o.offset())
                .sum();
    }

    @SuppressWarnings("unchecked")
    private static Map<Double, Double>[] newBuckets() {
        return new Map[] {Map.of(), Map.of()};
    }

    /** Telemetry's cumulative {@code neogend_telemetry_ingest_delay_seconds_bucket}: upper bound → count. */
    private Map<Double, Double> delayBuckets() {
        String url = "http://127.0.0.1:" + stack.options().ports().http("telemetry") + "/actuator/prometheus";
        Map<Double, Double> buckets = new TreeMap<>();
        try (HttpClient client = HttpClient.newHttpClient()) {
            String body = client.send(
                            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            for (String line : body.split("\n")) {
                if (line.startsWith("neogend_telemetry_ingest_delay_seconds_bucket{")) {
                    int le = line.indexOf("le=\"") + 4;
                    String bound = line.substring(le, line.indexOf('"', le));
                    double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
                    buckets.put(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
        } catch (java.io.IOException e) {
            System.out.println("  (telemetry's metrics not read: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return buckets;
    }

    /** The q-quantile (ms) of the delays recorded between the two scrapes: the first bucket holding it. */
    private static double percentile(Map<Double, Double>[] scrapes, double q) {
        TreeMap<Double, Double> window = new TreeMap<>();
        scrapes[1].forEach((upper, count) -> window.put(upper, count - scrapes[0].getOrDefault(upper, 0.0)));
        if (window.isEmpty()) {
            return Double.NaN;
        }
        double total = window.lastEntry().getValue();
        for (var e : window.entrySet()) {
            if (e.getValue() >= q * total) {
                return e.getKey() * 1000;
            }
        }
        return Double.NaN;
    }

    /** CPU seconds so far of telemetry, PostgreSQL and (when given) the three brokers together. */
    private double[] cpu(KafkaCluster kafka) {
        double brokers = 0;
        if (kafka != null) {
            for (int node : kafka.nodeIds()) {
                brokers += BenchDevices.cpuSeconds(kafka.process(node).pid());
            }
        }
        return new double[] {BenchDevices.cpuSeconds(stack, "telemetry"), ingestion.postgresCpu(), brokers};
    }

    /** CPU ms per 1,000 readings acknowledged in the window: telemetry, PostgreSQL, brokers. */
    private double[] perK(double[][] cpu, double readingsPerSecond) {
        double readings = readingsPerSecond * settings.measure().toMillis() / 1000.0;
        double[] perK = new double[3];
        for (int k = 0; k < 3; k++) {
            perK[k] = readings == 0 ? Double.NaN : (cpu[1][k] - cpu[0][k]) * 1000 / readings * 1000;
        }
        return perK;
    }
}
