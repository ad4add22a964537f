package fr.interieur.neogend.bench;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.CancelUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.CreateUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest;
import fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.UpdateCampaign;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Device telemetry ingestion at fleet scale: 140,000 enrolled devices upload batches of 10 to 60
 * readings (35 on average), durable before the answer, (a) directly over gRPC and (b) through the
 * gateway as JSON, next to (c) PostgreSQL's raw COPY rate into the same table. Goal of the
 * telemetry issue: at least 20,000 readings/s.
 */
final class IngestionBenchmark {

    private static final int DEVICES = 140_000;
    private static final int FIRST = 340_000; // DemoData.imei numbers, clear of the other benchmarks'
    private static final int USERS = 16;

    private final Stack stack;
    private final BenchSettings settings;
    private final String[] credentials = new String[DEVICES];
    private final AtomicLongArray sequences = new AtomicLongArray(DEVICES);

    IngestionBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
    }

    void run() throws Exception {
        System.out.printf("%nTelemetry ingestion: enrolling %,d devices…%n", DEVICES);
        enrolAll();
        ManagedChannel channel = telemetryChannel();
        int gatewayPort = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        // one connection per load thread; a new set after each gateway restart
        var http = new java.util.concurrent.atomic.AtomicReference<ThreadLocal<RawHttpClient>>(
                ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
        // 2.5 times the usual warm-up: with 8 s, a flight recording (--profile) showed the JIT compiler threads
        // still taking 24 % of telemetry's CPU inside the measured window of the first run
        Duration warmup = settings.warmup().multipliedBy(5).dividedBy(2);
        Duration measure = settings.measure();
        try {
            Load.Call directCall = directUploads(channel);
            // the first run starts as every other one: the database settled (the enrolments checkpointed)
            settle();
            var directCpu = new CpuMeter();
            var direct = Load.closedLoop(directCall, USERS, warmup, measure, directCpu::start, directCpu::end);
            // Side by side: telemetry restarted with each upload written by its own statement (group commit
            // off, as before issue 16's last change), then as configured again, each after the settle step
            settle();
            stack.restart("telemetry", Map.of("NEOGEND_TELEMETRY_GROUPCOMMIT_WRITERS", "0"), Duration.ofSeconds(120));
            var offCpu = new CpuMeter();
            var directOff = Load.closedLoop(directCall, USERS, warmup, measure, offCpu::start, offCpu::end);
            // and with each upload in one transaction asking for its commands every time (before issue 16)
            settle();
            stack.restart("telemetry", Map.of("NEOGEND_TELEMETRY_UPLOADTRANSACTION", "one"), Duration.ofSeconds(120));
            var oneTxCpu = new CpuMeter();
            var directOneTx = Load.closedLoop(directCall, USERS, warmup, measure, oneTxCpu::start, oneTxCpu::end);
            settle();
            stack.restart("telemetry", Duration.ofSeconds(120));
            var againCpu = new CpuMeter();
            var directAgain = Load.closedLoop(directCall, USERS, warmup, measure, againCpu::start, againCpu::end);
            Load.Call throughGateway = i -> {
                int d = device(i);
                int status = http.get()
                        .get()
                        .post("/api/v1/device-readings", "Device " + credentials[d], jsonBatch(d, size(i)));
                if (status != 200) {
                    throw new IllegalStateException("HTTP " + status);
                }
            };
            // Every gateway variant starts alike: the database settled (what the run before wrote is
            // checkpointed and analysed) and a fresh gateway process. Without it the first gateway
            // run came out 20-35 % below the same configuration measured later in the same run.
            settle();
            stack.restart("gateway", Duration.ofSeconds(90));
            http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
            var gatewayCpu = new CpuMeter();
            var gateway = Load.closedLoop(throughGateway, USERS, warmup, measure, gatewayCpu::start, gatewayCpu::end);
            // Side by side: the same gateway restarted without observations (no request/gRPC client
            // timers or histograms, no spans), then as configured again to see the drift of the run.
            settle();
            stack.restart(
                    "gateway",
                    Map.of("MANAGEMENT_OBSERVATIONS_ENABLE_ALL", "false", "NEOGEND_TRACE_SAMPLING", "0"),
                    Duration.ofSeconds(90));
            http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
            var bare = Load.closedLoop(throughGateway, USERS, warmup, measure);
            // observations on, without the latency histograms (the timers keep count, sum and max)
            settle();
            stack.restart(
                    "gateway",
                    Map.of(
                            "SPRING_APPLICATION_JSON",
                            "{\"management\":{\"metrics\":{\"distribution\":"
                                    + "{\"percentiles-histogram\":{\"[http.server.requests]\":false,\"[grpc.client]\":false}}}}}"),
                    Duration.ofSeconds(90));
            http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
            var noHistograms = Load.closedLoop(throughGateway, USERS, warmup, measure);
            settle();
            stack.restart("gateway", Duration.ofSeconds(90));
            http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
            var gatewayAgainCpu = new CpuMeter();
            var again = Load.closedLoop(
                    throughGateway, USERS, warmup, measure, gatewayAgainCpu::start, gatewayAgainCpu::end);
            double copy = rawCopyRate();
            double directRate = direct.throughput() * 35;
            double gatewayRate = gateway.throughput() * 35;
            System.out.printf(
                    "%nUploads of 10-60 readings (35 on average), %d concurrent devices, %s each%n", USERS, measure);
            System.out.println("path                         | readings/s | uploads/s | p50 ms | p99 ms | errors");
            System.out.printf(
                    Locale.ROOT,
                    "(a) direct gRPC              | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    directRate,
                    direct.throughput(),
                    direct.p50Millis(),
                    direct.p99Millis(),
                    direct.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(a0) direct, no group commit | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    directOff.throughput() * 35,
                    directOff.throughput(),
                    directOff.p50Millis(),
                    directOff.p99Millis(),
                    directOff.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(a1) direct, one transaction | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    directOneTx.throughput() * 35,
                    directOneTx.throughput(),
                    directOneTx.p50Millis(),
                    directOneTx.p99Millis(),
                    directOneTx.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(a') direct again, as (a)    | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    directAgain.throughput() * 35,
                    directAgain.throughput(),
                    directAgain.p50Millis(),
                    directAgain.p99Millis(),
                    directAgain.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(b) gateway REST (JSON)      | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    gatewayRate,
                    gateway.throughput(),
                    gateway.p50Millis(),
                    gateway.p99Millis(),
                    gateway.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(b0) gateway, no observation | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    bare.throughput() * 35,
                    bare.throughput(),
                    bare.p50Millis(),
                    bare.p99Millis(),
                    bare.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(b1) gateway, no histograms  | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    noHistograms.throughput() * 35,
                    noHistograms.throughput(),
                    noHistograms.p50Millis(),
                    noHistograms.p99Millis(),
                    noHistograms.errors());
            System.out.printf(
                    Locale.ROOT,
                    "(b') gateway again, as (b)   | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                    again.throughput() * 35,
                    again.throughput(),
                    again.p50Millis(),
                    again.p99Millis(),
                    again.errors());
            System.out.printf(Locale.ROOT, "(c) PostgreSQL COPY, raw     | %10.0f |%n", copy);
            double configured = (gateway.throughput() + again.throughput()) / 2;
            System.out.printf(
                    Locale.ROOT,
                    "gateway variants against mean(b, b'): no observation (b0) %.2f, "
                            + "no latency histograms (b1) %.2f%n",
                    bare.throughput() / configured,
                    noHistograms.throughput() / configured);
            System.out.printf(
                    Locale.ROOT, "(a)/(c) %.2f   (b)/(a) %.2f%n", directRate / copy, gatewayRate / directRate);
            double binary = (direct.throughput() + directAgain.throughput()) / 2;
            System.out.printf(
                    Locale.ROOT,
                    "(a')/(c) %.2f   (b')/(a') %.2f   group commit against none: mean(a, a')/(a0) %.2f, "
                            + "(a')/(a0) %.2f%n",
                    directAgain.throughput() * 35 / copy,
                    again.throughput() / directAgain.throughput(),
                    binary / directOff.throughput(),
                    directAgain.throughput() / directOff.throughput());
            System.out.printf(
                    Locale.ROOT,
                    "one statement in autocommit against one transaction per upload: "
                            + "mean(a, a')/(a1) %.2f, (a')/(a1) %.2f%n",
                    binary / directOneTx.throughput(),
                    directAgain.throughput() / directOneTx.throughput());
            // CPU time per reading hardly depends on what else runs on the machine, unlike the rates above
            System.out.printf("%nCPU time per 1,000 readings stored, measured window only (ms; telemetry's JVM, "
                    + "PostgreSQL's processes, the gateway's JVM)%n");
            System.out.println(
                    "path                         | telemetry | PostgreSQL | gateway | total | uploads per statement");
            directCpu.print("(a) direct gRPC", direct);
            offCpu.print("(a0) direct, no group commit", directOff);
            oneTxCpu.print("(a1) direct, one transaction", directOneTx);
            againCpu.print("(a') direct again, as (a)", directAgain);
            gatewayCpu.print("(b) gateway REST (JSON)", gateway);
            gatewayAgainCpu.print("(b') gateway again, as (b)", again);
            System.out.printf(
                    Locale.ROOT,
                    "telemetry CPU per reading, no group commit/group commit: (a0)/(a) %.2f, (a0)/(a') %.2f; "
                            + "all three processes, gateway path/direct: (b)/(a) %.2f, (b')/(a') %.2f%n",
                    offCpu.telemetryPerK(directOff) / directCpu.telemetryPerK(direct),
                    offCpu.telemetryPerK(directOff) / againCpu.telemetryPerK(directAgain),
                    gatewayCpu.totalPerK(gateway) / directCpu.totalPerK(direct),
                    gatewayAgainCpu.totalPerK(again) / againCpu.totalPerK(directAgain));
            System.out.printf(
                    Locale.ROOT,
                    "telemetry and PostgreSQL CPU per reading, one transaction/autocommit: " + "(a1)/(a') %.2f%n",
                    (oneTxCpu.totalPerK(directOneTx)) / againCpu.totalPerK(directAgain));
            System.out.printf(Locale.ROOT, "Peak memory (VmHWM) of the telemetry service: %s%n", peakMemory());
            System.out.printf(
                    Locale.ROOT,
                    "Goal: at least 20,000 readings/s: direct %.0f -> %s; gateway %.0f -> %s%n",
                    directRate,
                    directRate >= 20_000 ? "met" : "NOT met",
                    gatewayRate,
                    gatewayRate >= 20_000 ? "met" : "NOT met");
            queries(channel, http.get());
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Group commit on and off, alternated three times each (issue 16, ADR 0022): one run of each showed the
     * same configuration differing by half between two measurements, so the comparison takes the medians of
     * alternated runs, each after a telemetry restart and the settle step, with COPY measured in between.
     */
    void runGroupCommitAlternated() throws Exception {
        runAlternated("on", Map.of(), "off", Map.of("NEOGEND_TELEMETRY_GROUPCOMMIT_WRITERS", "0"));
    }

    /**
     * Group commit with one writer's place against two (the default), alternated likewise: one place makes
     * more uploads wait for each statement (larger statements, fewer commits), two let a statement start while
     * the other commits.
     */
    void runGroupWritersAlternated() throws Exception {
        runAlternated(
                "1 writer",
                Map.of("NEOGEND_TELEMETRY_GROUPCOMMIT_WRITERS", "1"),
                "2 writers",
                Map.of("NEOGEND_TELEMETRY_GROUPCOMMIT_WRITERS", "2"));
    }

    private void runAlternated(String a, Map<String, String> aEnv, String b, Map<String, String> bEnv)
            throws Exception {
        System.out.printf("%nTelemetry, %s against %s, alternated: enrolling %,d devices…%n", a, b, DEVICES);
        enrolAll();
        ManagedChannel channel = telemetryChannel();
        Duration warmup = settings.warmup().multipliedBy(5).dividedBy(2);
        try {
            Load.Call call = directUploads(channel);
            List<double[]> on = new java.util.ArrayList<>();
            List<double[]> off = new java.util.ArrayList<>();
            List<Double> copies = new java.util.ArrayList<>();
            System.out.println("round | variant | readings/s | p50 ms | p99 ms | CPU ms per 1,000 readings "
                    + "(telemetry + PostgreSQL) | uploads per statement | COPY readings/s");
            for (int round = 1; round <= 3; round++) {
                for (boolean grouped : new boolean[] {true, false}) {
                    settle();
                    stack.restart("telemetry", grouped ? aEnv : bEnv, Duration.ofSeconds(120));
                    var cpu = new CpuMeter();
                    var r = Load.closedLoop(call, USERS, warmup, settings.measure(), cpu::start, cpu::end);
                    double copy = rawCopyRate();
                    copies.add(copy);
                    double cpuPerK = cpu.perK(0, r) + cpu.perK(1, r);
                    (grouped ? on : off).add(new double[] {r.throughput() * 35, cpuPerK});
                    System.out.printf(
                            Locale.ROOT,
                            "%5d | %-12s | %10.0f | %6.1f | %6.1f | %9.1f | %5.1f | %,.0f (errors %d)%n",
                            round,
                            grouped ? a : b,
                            r.throughput() * 35,
                            r.p50Millis(),
                            r.p99Millis(),
                            cpuPerK,
                            cpu.uploadsPerStatement,
                            copy,
                            r.errors());
                }
            }
            double onRate = median(on.stream().mapToDouble(x -> x[0]).toArray());
            double offRate = median(off.stream().mapToDouble(x -> x[0]).toArray());
            double copy =
                    median(copies.stream().mapToDouble(Double::doubleValue).toArray());
            System.out.printf(
                    Locale.ROOT,
                    "medians: %s %.0f, %s %.0f readings/s, ratio %.2f; CPU per reading %s/%s %.2f; COPY %.0f; "
                            + "%s/COPY %.2f, %s/COPY %.2f (goal: direct >= 0.35 of COPY)%n",
                    a,
                    onRate,
                    b,
                    offRate,
                    onRate / offRate,
                    b,
                    a,
                    median(off.stream().mapToDouble(x -> x[1]).toArray())
                            / median(on.stream().mapToDouble(x -> x[1]).toArray()),
                    copy,
                    a,
                    onRate / copy,
                    b,
                    offRate / copy);
            stack.restart("telemetry", Duration.ofSeconds(120));
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Uploads through the gateway with device credentials checked by their tag (ADR 0026, the stack's
     * configuration) against the same gateway restarted without the key, so each device's first upload of
     * a cache period asks telemetry (as before). Alternated three times, each on a fresh gateway after the
     * settle step; the devices cycle through the 140,000, so nearly every upload is a device the gateway's
     * 5-minute cache has not seen (a fleet uploading every few minutes through several replicas sees many).
     */
    void runCredentialTagsAlternated() throws Exception {
        System.out.printf(
                "%nGateway uploads, credentials checked by tag against by call: enrolling %,d devices…%n", DEVICES);
        gatewayVariantsAlternated(
                new GatewayVariant("tag", Map.of()),
                new GatewayVariant("call", Map.of("NEOGEND_DEVICE_CREDENTIAL_TAG_KEY", "")),
                "checks in the window: by tag, by cache, by call",
                this::gatewayChecks);
    }

    /** A gateway configuration: its name in the table and the environment it is restarted with. */
    private record GatewayVariant(String name, Map<String, String> env) {}

    /**
     * Uploads through the gateway restarted as {@code first}, then as {@code second}, three times, each after
     * the settle step: readings/s, latency, the CPU per 1,000 readings of the gateway, telemetry and PostgreSQL,
     * and how much {@code counters} (the gateway's own, named by {@code countersLabel}) moved in each window;
     * then the medians and their ratios.
     */
    private void gatewayVariantsAlternated(
            GatewayVariant first,
            GatewayVariant second,
            String countersLabel,
            java.util.function.Supplier<double[]> counters)
            throws Exception {
        enrolAll();
        int gatewayPort = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        var http = new java.util.concurrent.atomic.AtomicReference<ThreadLocal<RawHttpClient>>();
        Load.Call call = i -> {
            int d = device(i);
            ok(http.get().get().post("/api/v1/device-readings", "Device " + credentials[d], jsonBatch(d, size(i))));
        };
        Duration warmup = settings.warmup().multipliedBy(5).dividedBy(2);
        // one unmeasured run first: the first measurement of a fresh stack came out at half the rest (its JIT)
        http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
        Load.closedLoop(call, USERS, warmup, settings.measure());
        List<double[]> firsts = new ArrayList<>();
        List<double[]> seconds = new ArrayList<>();
        System.out.println("round | variant | readings/s | p50 ms | p99 ms | CPU ms per 1,000 readings: gateway / "
                + "telemetry / PostgreSQL / all three" + (countersLabel.isEmpty() ? "" : " | " + countersLabel));
        for (int round = 1; round <= 3; round++) {
            for (GatewayVariant variant : List.of(first, second)) {
                settle();
                stack.restart("gateway", variant.env(), Duration.ofSeconds(90));
                http.set(ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort)));
                var cpu = new CpuMeter();
                double[][] counted = new double[2][];
                var r = Load.closedLoop(
                        call,
                        USERS,
                        warmup,
                        settings.measure(),
                        () -> {
                            cpu.start();
                            counted[0] = counters.get();
                        },
                        () -> {
                            cpu.end();
                            counted[1] = counters.get();
                        });
                double all = cpu.perK(2, r) + cpu.perK(0, r) + cpu.perK(1, r);
                (variant == first ? firsts : seconds)
                        .add(new double[] {r.throughput() * 35, all, r.p99Millis(), cpu.perK(2, r)});
                StringBuilder moved = new StringBuilder();
                for (int k = 0; k < counted[1].length; k++) {
                    moved.append(k == 0 ? " | " : ", ")
                            .append(String.format(Locale.ROOT, "%.0f", counted[1][k] - counted[0][k]));
                }
                System.out.printf(
                        Locale.ROOT,
                        "%5d | %-10s | %10.0f | %6.1f | %6.1f | %5.1f / %5.1f / %5.1f / %5.1f%s (errors %d)%n",
                        round,
                        variant.name(),
                        r.throughput() * 35,
                        r.p50Millis(),
                        r.p99Millis(),
                        cpu.perK(2, r),
                        cpu.perK(0, r),
                        cpu.perK(1, r),
                        all,
                        moved,
                        r.errors());
            }
        }
        System.out.printf(
                Locale.ROOT,
                "medians: %s %.0f, %s %.0f readings/s, ratio %.2f; p99 %.1f / %.1f ms; CPU per reading "
                        + "(all three) %s/%s %.2f, gateway's alone %.2f%n",
                first.name(),
                median(firsts.stream().mapToDouble(x -> x[0]).toArray()),
                second.name(),
                median(seconds.stream().mapToDouble(x -> x[0]).toArray()),
                median(firsts.stream().mapToDouble(x -> x[0]).toArray())
                        / median(seconds.stream().mapToDouble(x -> x[0]).toArray()),
                median(firsts.stream().mapToDouble(x -> x[2]).toArray()),
                median(seconds.stream().mapToDouble(x -> x[2]).toArray()),
                second.name(),
                first.name(),
                median(seconds.stream().mapToDouble(x -> x[1]).toArray())
                        / median(firsts.stream().mapToDouble(x -> x[1]).toArray()),
                median(seconds.stream().mapToDouble(x -> x[3]).toArray())
                        / median(firsts.stream().mapToDouble(x -> x[3]).toArray()));
        stack.restart("gateway", Duration.ofSeconds(90));
    }

    /** The gateway's {@code neogend_gateway_device_credential_checks_total} by tag, cache and call. */
    private double[] gatewayChecks() {
        double[] found = new double[3];
        for (String line : prometheus(stack.options().ports().gatewayManagement(), "the gateway")
                .split("\n")) {
            if (line.startsWith("neogend_gateway_device_credential_checks_total")) {
                int k = line.contains("by=\"tag\"") ? 0 : line.contains("by=\"cache\"") ? 1 : 2;
                found[k] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return found;
    }

    /** A process' Prometheus page on the loopback port {@code port}, or "" (said) when it cannot be read. */
    private static String prometheus(int port, String whose) {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (java.io.IOException e) {
            System.out.println("  (" + whose + "'s metrics not read: " + e.getMessage() + ")");
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A plaintext gRPC channel to the stack's telemetry service (the devices' direct path). */
    ManagedChannel telemetryChannel() {
        return NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc("telemetry"))
                .usePlaintext()
                .build();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Latest state of one device and the radius query, over 140,000 latest positions. */
    private void queries(ManagedChannel channel, ThreadLocal<RawHttpClient> http) throws Exception {
        System.out.printf(
                "%nPosition queries: registering the %,d devices in inventory, placing them in France…%n", DEVICES);
        String token = new TokenClient(stack.keycloak().tokenEndpoint()).password("fleet.manager", "fleet.manager");
        Metadata bearer = new Metadata();
        bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        registerInInventory(bearer);
        try (Connection c = DriverManager.getConnection(
                        stack.postgres().jdbcUrl("telemetry"), PostgresServer.SUPERUSER, "");
                Statement s = c.createStatement()) {
            s.execute("select setseed(0.42)");
            s.execute("""
                    insert into device_state (imei, recorded_at, sequence, received_at, battery_percent, charging,
                                              latitude, longitude, accuracy_m, network, position_recorded_at,
                                              position_sequence)
                    select c.imei, now() - m * interval '1 minute', 1, now() - m * interval '1 minute', 70, false,
                           42.5 + random() * 8.5, -4.5 + random() * 12.0, 10, '4G', now() - m * interval '1 minute', 1
                    from (select imei, floor(random() * 55)::int as m from device_credential) c
                    on conflict (imei) do update set latitude = excluded.latitude, longitude = excluded.longitude,
                                                     received_at = excluded.received_at,
                                                     position_recorded_at = excluded.position_recorded_at,
                                                     position_sequence = excluded.position_sequence""");
            s.execute("analyze device_state");
        }
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        var telemetry = TelemetryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        Duration warmup = settings.warmup().dividedBy(2);
        Duration measure = settings.measure().dividedBy(2);
        int users = 4;
        var stateDirect = Load.closedLoop(
                i -> telemetry.getDeviceState(GetDeviceStateRequest.newBuilder()
                        .setImei(DemoData.imei(FIRST + device(i)))
                        .build()),
                users,
                warmup,
                measure);
        var stateGateway = Load.closedLoop(
                i -> ok(http.get().get("/api/v1/devices/" + DemoData.imei(FIRST + device(i)) + "/state", token)),
                users,
                warmup,
                measure);
        var nearDirect = Load.closedLoop(
                i -> telemetry.findDevicesNear(FindDevicesNearRequest.newBuilder()
                        .setLatitude(lat(i))
                        .setLongitude(lon(i))
                        .setRadiusM(5000)
                        .build()),
                users,
                warmup,
                measure);
        var nearGateway = Load.closedLoop(
                i -> ok(http.get()
                        .get(
                                String.format(
                                        Locale.ROOT,
                                        "/api/v1/device-states:near?latitude=%.5f&longitude=%.5f&radius_m=5000",
                                        lat(i),
                                        lon(i)),
                                token)),
                users,
                warmup,
                measure);
        // the latest state again once the database has settled (what the ingestion and the placing above
        // wrote checkpointed and analysed), as the gateway variants are measured: both figures are shown
        settle();
        var stateDirectSettled = Load.closedLoop(
                i -> telemetry.getDeviceState(GetDeviceStateRequest.newBuilder()
                        .setImei(DemoData.imei(FIRST + device(i)))
                        .build()),
                users,
                warmup,
                measure);
        var stateGatewaySettled = Load.closedLoop(
                i -> ok(http.get().get("/api/v1/devices/" + DemoData.imei(FIRST + device(i)) + "/state", token)),
                users,
                warmup,
                measure);
        System.out.printf("%nPosition queries (%d users, %s each; ms; every read audited)%n", users, measure);
        System.out.println("query                              | direct p50 | direct p99 | gateway p50 | gateway p99");
        System.out.printf(
                Locale.ROOT,
                "latest state of one device         | %10.1f | %10.1f | %11.1f | %11.1f%n",
                stateDirect.p50Millis(),
                stateDirect.p99Millis(),
                stateGateway.p50Millis(),
                stateGateway.p99Millis());
        System.out.printf(
                Locale.ROOT,
                "devices within 5 km of a point     | %10.1f | %10.1f | %11.1f | %11.1f%n",
                nearDirect.p50Millis(),
                nearDirect.p99Millis(),
                nearGateway.p50Millis(),
                nearGateway.p99Millis());
        System.out.printf(
                Locale.ROOT,
                "latest state, database settled     | %10.1f | %10.1f | %11.1f | %11.1f%n",
                stateDirectSettled.p50Millis(),
                stateDirectSettled.p99Millis(),
                stateGatewaySettled.p50Millis(),
                stateGatewaySettled.p99Millis());
        double worstState = Math.max(stateDirect.p99Millis(), stateGateway.p99Millis());
        double worstNear = Math.max(nearDirect.p99Millis(), nearGateway.p99Millis());
        System.out.printf(
                Locale.ROOT,
                "Goals: latest state p99 < 10 ms: worst %.1f -> %s; radius p99 < 100 ms: worst %.1f" + " -> %s%n",
                worstState,
                worstState < 10 ? "met" : "NOT met",
                worstNear,
                worstNear < 100 ? "met" : "NOT met");
        // the fleet views read the placements of the whole fleet from inventory (140,000 devices) at each call
        System.out.printf("%nFleet views through the gateway, fleet manager, %,d devices (s, 5 calls each)%n", DEVICES);
        System.out.println("view                               | median |    max");
        for (String path : List.of(
                "/api/v1/compliance", "/api/v1/device-states:batteryHealth", "/api/v1/device-states:silent?hours=1")) {
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                ok(http.get().get(path, token));
                seconds.add((System.nanoTime() - t0) / 1e9);
            }
            java.util.Collections.sort(seconds);
            System.out.printf(
                    Locale.ROOT,
                    "%-34s | %6.2f | %6.2f%n",
                    path.substring("/api/v1/".length()),
                    seconds.get(2),
                    seconds.get(4));
        }
        System.out.printf(
                Locale.ROOT, "Peak memory (VmHWM) of the telemetry service after the queries: %s%n", peakMemory());
    }

    /** One device's batch uploaded directly over gRPC with its own credential, each call another device. */
    Load.Call directUploads(ManagedChannel channel) {
        return i -> {
            int d = device(i);
            Metadata m = new Metadata();
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Device " + credentials[d]);
            var answer = TelemetryServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                    .uploadReadings(grpcBatch(d, size(i)));
            if (answer.getRejectedCount() > 0) {
                throw new IllegalStateException(answer.getRejected(0).getReason());
            }
        };
    }

    /** The 140,000 devices registered in inventory (central stock), Rugged X5 phones. */
    private void registerInInventory(Metadata bearer) {
        ManagedChannel inventory = NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc("inventory"))
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
        try {
            var stub = InventoryServiceGrpc.newBlockingStub(inventory)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
            for (int from = 0; from < DEVICES; from += 20_000) {
                RegisterDevicesRequest.Builder b = RegisterDevicesRequest.newBuilder();
                for (int i = from; i < Math.min(DEVICES, from + 20_000); i++) {
                    b.addDevices(Device.newBuilder()
                            .setImei(DemoData.imei(FIRST + i))
                            .setSerialNumber("TEL-" + i)
                            .setModel("Rugged X5")
                            .setKind(DeviceKind.DEVICE_KIND_PHONE));
                }
                try {
                    stub.withDeadlineAfter(2, java.util.concurrent.TimeUnit.MINUTES)
                            .registerDevices(b.build());
                } catch (io.grpc.StatusRuntimeException e) { // registered by an earlier benchmark of the run
                    if (e.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS) {
                        throw e;
                    }
                }
            }
        } finally {
            inventory.shutdownNow();
        }
    }

    /**
     * Issue 20: a ROM update campaign over the 140,000 devices, through the telemetry service's gRPC API as a
     * fleet manager — how long starting one takes (the targets read from inventory, the waves planned, the
     * first wave's UPDATEs queued), and what a device contact costs while UPDATEs wait for the devices (the
     * load's devices never acknowledge them, so each is handed again on every contact and each contact
     * checks whether its readings confirm it: the worst case), side by side with the same load without a
     * campaign, in one run. Goal: ingestion at most 5 % slower.
     */
    void runCampaign() throws Exception {
        System.out.printf("%nROM update campaign: enrolling %,d devices…%n", DEVICES);
        enrolAll();
        TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        Metadata fleet = new Metadata();
        fleet.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + tokens.password("fleet.manager", "fleet.manager"));
        registerInInventory(fleet);
        Metadata supplier = new Metadata();
        supplier.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + tokens.clientCredentials("supplier-demo", "supplier-demo-secret"));
        ManagedChannel channel = telemetryChannel();
        try {
            var manager = TelemetryServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(fleet));
            String release = TelemetryServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(supplier))
                    .publishRomRelease(PublishRomReleaseRequest.newBuilder()
                            .setRelease(RomRelease.newBuilder()
                                    .setModel("Rugged X5")
                                    .setBuildFingerprint("neogend/aosp14/2026.12-bench")
                                    .setSecurityPatchLevel("2026-12-05")
                                    .setBulletinDate(com.google.type.Date.newBuilder()
                                            .setYear(2026)
                                            .setMonth(12)
                                            .setDay(1))
                                    .setKernelSourceSha256("5e".repeat(32))
                                    .setKernelConfig("CONFIG_SECURITY_SELINUX=y\n")
                                    .setOtaUrl("https://ota.supplier.example/bench.zip")
                                    .setOtaSha256("0b".repeat(32)))
                            .build())
                    .getRelease()
                    .getId();
            manager.approveRomRelease(
                    ApproveRomReleaseRequest.newBuilder().setId(release).build());
            Load.Call directCall = directUploads(channel);
            Duration warmup = settings.warmup().multipliedBy(2);
            Duration measure = settings.measure();
            // a first run showed the rate climbing run after run (17k, 25k, 25k, 38k readings/s): the JVM and
            // the database still warming. So: a long unmeasured load first, then each campaign load between
            // two loads without one, its ratio against their mean
            Load.closedLoop(directCall, USERS, warmup.multipliedBy(3), measure);
            settle();
            var none = Load.closedLoop(directCall, USERS, warmup, measure);
            long t0 = System.nanoTime();
            UpdateCampaign canary = manager.withDeadlineAfter(5, java.util.concurrent.TimeUnit.MINUTES)
                    .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                            .setCampaign(UpdateCampaign.newBuilder()
                                    .setReleaseId(release)
                                    .addAllWavePercents(List.of(1, 10, 100)))
                            .build())
                    .getCampaign();
            double canarySeconds = (System.nanoTime() - t0) / 1e9;
            settle();
            var onePercent = Load.closedLoop(directCall, USERS, warmup, measure);
            manager.cancelUpdateCampaign(CancelUpdateCampaignRequest.newBuilder()
                    .setId(canary.getId())
                    .build());
            settle();
            var between = Load.closedLoop(directCall, USERS, warmup, measure);
            t0 = System.nanoTime();
            UpdateCampaign whole = manager.withDeadlineAfter(5, java.util.concurrent.TimeUnit.MINUTES)
                    .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                            .setCampaign(UpdateCampaign.newBuilder()
                                    .setReleaseId(release)
                                    .addWavePercents(100))
                            .build())
                    .getCampaign();
            double wholeSeconds = (System.nanoTime() - t0) / 1e9;
            settle();
            var everyDevice = Load.closedLoop(directCall, USERS, warmup, measure);
            manager.cancelUpdateCampaign(CancelUpdateCampaignRequest.newBuilder()
                    .setId(whole.getId())
                    .build());
            settle();
            var noneAgain = Load.closedLoop(directCall, USERS, warmup, measure);
            System.out.printf(
                    Locale.ROOT,
                    "%nStarting a campaign over %,d devices (targets from inventory, waves planned, first wave "
                            + "queued): waves 1/10/100 %% (%,d UPDATEs queued) %.1f s; one wave of 100 %% (%,d queued) "
                            + "%.1f s%n",
                    canary.getTargeted(),
                    (canary.getTargeted() + 99) / 100,
                    canarySeconds,
                    whole.getTargeted(),
                    wholeSeconds);
            System.out.printf(
                    "Direct gRPC uploads of 10-60 readings, %d concurrent devices, %s each, devices never "
                            + "acknowledging their UPDATE%n",
                    USERS, measure);
            System.out.println(
                    "load                                  | readings/s | uploads/s | p50 ms | p99 ms | errors");
            for (var row : List.of(
                    Map.entry("(e0) no campaign", none),
                    Map.entry("(e1) 1 % of devices with an UPDATE", onePercent),
                    Map.entry("(e0') no campaign (cancelled)", between),
                    Map.entry("(e2) every device with an UPDATE", everyDevice),
                    Map.entry("(e0'') no campaign (cancelled)", noneAgain))) {
                System.out.printf(
                        Locale.ROOT,
                        "%-37s | %10.0f | %9.0f | %6.1f | %6.1f | %d%n",
                        row.getKey(),
                        row.getValue().throughput() * 35,
                        row.getValue().throughput(),
                        row.getValue().p50Millis(),
                        row.getValue().p99Millis(),
                        row.getValue().errors());
            }
            double before = (none.throughput() + between.throughput()) / 2;
            double after = (between.throughput() + noneAgain.throughput()) / 2;
            System.out.printf(
                    Locale.ROOT,
                    "(e1)/mean(e0, e0') %.2f, (e2)/mean(e0', e0'') %.2f; goal: at most 5 %% slower with a campaign "
                            + "(1 %% in flight) -> %s%n",
                    onePercent.throughput() / before,
                    everyDevice.throughput() / after,
                    onePercent.throughput() / before >= 0.95 ? "met" : "NOT met");
        } finally {
            channel.shutdownNow();
        }
    }

    private static double lat(long i) {
        return 43.0 + Math.floorMod(i * 37, 700) / 100.0;
    }

    private static double lon(long i) {
        return -4.0 + Math.floorMod(i * 53, 1100) / 100.0;
    }

    private static void ok(int status) {
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status);
        }
    }

    private static int device(long i) {
        return (int) Math.floorMod(i * 7_919L, DEVICES);
    }

    private static int size(long i) {
        return 10 + (int) Math.floorMod(i, 51L);
    }

    private UploadReadingsRequest grpcBatch(int d, int size) {
        long first = sequences.getAndAdd(d, size);
        Instant now = Instant.now();
        UploadReadingsRequest.Builder b = UploadReadingsRequest.newBuilder();
        for (int k = 0; k < size; k++) {
            Instant at = now.minusSeconds(size - k);
            b.addReadings(Reading.newBuilder()
                    .setSequence(first + k)
                    .setRecordedAt(Timestamp.newBuilder()
                            .setSeconds(at.getEpochSecond())
                            .setNanos(at.getNano()))
                    .setBatteryPercent(20 + (k % 80))
                    .setCharging(k % 5 == 0)
                    .setLatitude(48.0 + d * 1e-5)
                    .setLongitude(-1.7 + k * 1e-5)
                    .setAccuracyM(8)
                    .setNetwork(NetworkType.NETWORK_TYPE_4G)
                    .setSecurityPatchLevel("2026-11-05")
                    .setRomBuild("neogend/aosp14/2026.11")
                    .setKernelVersion("5.15.148")
                    .setFreeStorageMb(20_000)
                    .setAgentVersion("1.4.2"));
        }
        return b.build();
    }

    private byte[] jsonBatch(int d, int size) {
        long first = sequences.getAndAdd(d, size);
        Instant now = Instant.now();
        StringBuilder json = new StringBuilder(size * 330).append("{\"readings\":[");
        for (int k = 0; k < size; k++) {
            if (k > 0) {
                json.append(',');
            }
            json.append("{\"sequence\":\"")
                    .append(first + k)
                    .append("\",\"recordedAt\":\"")
                    .append(now.minusSeconds(size - k))
                    .append("\",\"batteryPercent\":")
                    .append(20 + (k % 80))
                    .append(",\"charging\":")
                    .append(k % 5 == 0)
                    .append(",\"latitude\":")
                    .append(48.0 + d * 1e-5)
                    .append(",\"longitude\":")
                    .append(-1.7 + k * 1e-5)
                    .append(",\"accuracyM\":8")
                    .append(",\"network\":\"NETWORK_TYPE_4G\",\"securityPatchLevel\":\"2026-11-05\"")
                    .append(",\"romBuild\":\"neogend/aosp14/2026.11\",\"kernelVersion\":\"5.15.148\"")
                    .append(",\"freeStorageMb\":\"20000\",\"agentVersion\":\"1.4.2\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The 140,000 devices' credentials, written into the telemetry database once per stack: a second part of
     * the same run (`telemetry telemetry-json`) takes the ones already issued instead of writing the same ids
     * again.
     */
    void enrolAll() throws Exception {
        String[] issued;
        synchronized (ENROLLED) {
            issued = ENROLLED.get(stack);
            if (issued == null) {
                issued = BenchDevices.enrol(stack, DEVICES, FIRST, 0xBE4C000000L, "bench-device-");
                ENROLLED.put(stack, issued);
            } else {
                System.out.println("  (the devices enrolled by an earlier part of this run)");
            }
        }
        System.arraycopy(issued, 0, credentials, 0, DEVICES);
    }

    /** The credentials enrolled in each stack of this run. */
    private static final Map<Stack, String[]> ENROLLED = new java.util.IdentityHashMap<>();

    /** Checkpoints and analyses the telemetry database, so one measurement does not pay for the last one's writes. */
    void settle() throws Exception {
        try (Connection c = DriverManager.getConnection(
                        stack.postgres().jdbcUrl("telemetry"), PostgresServer.SUPERUSER, "");
                var st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("checkpoint");
            st.execute("vacuum (analyze)");
        }
    }

    /** PostgreSQL alone: COPY of readings into the same table, rows per second. */
    double rawCopyRate() throws Exception {
        int rows = 400_000;
        StringBuilder data = new StringBuilder(rows * 160);
        Instant now = Instant.now();
        for (int r = 0; r < rows; r++) {
            data.append(DemoData.imei(FIRST + (r % DEVICES)))
                    .append('\t')
                    .append(now.minusMillis(r))
                    .append('\t')
                    .append(10_000_000L + r)
                    .append('\t')
                    .append(now)
                    .append("\t80\tf\t48.1\t-1.6\t8\t4G\t2026-11-05\t")
                    .append("neogend/aosp14/2026.11\t5.15.148\t20000\t1.4.2\n");
        }
        try (Connection c =
                DriverManager.getConnection(stack.postgres().jdbcUrl("telemetry"), PostgresServer.SUPERUSER, "")) {
            long t0 = System.nanoTime();
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "copy reading (imei, recorded_at, sequence, received_at, "
                                    + "battery_percent, charging, latitude, longitude, accuracy_m, network, patch_level, rom_build, "
                                    + "kernel_version, free_storage_mb, agent_version) from stdin",
                            new StringReader(data.toString()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (Statement s = c.createStatement()) {
                s.execute("delete from reading where sequence >= 10000000");
            }
            return rows / seconds;
        }
    }

    /** CPU seconds of telemetry, PostgreSQL (postmaster and its children) and the gateway between two instants. */
    private final class CpuMeter {
        private double[] at0 = new double[3];
        private double[] used = new double[3];
        private double[] groups0 = new double[2];
        /** Uploads per statement in the measured window (telemetry's group commit), NaN when none grouped. */
        private double uploadsPerStatement = Double.NaN;

        void start() {
            at0 = now();
            groups0 = groups();
        }

        void end() {
            double[] at1 = now();
            for (int k = 0; k < 3; k++) {
                used[k] = at1[k] - at0[k];
            }
            double[] groups1 = groups();
            uploadsPerStatement = (groups1[1] - groups0[1]) / (groups1[0] - groups0[0]);
        }

        /** The count and sum of telemetry's {@code neogend_telemetry_upload_group} (statements, uploads). */
        private double[] groups() {
            double[] found = new double[2];
            for (String line : prometheus(stack.options().ports().http("telemetry"), "telemetry")
                    .split("\n")) {
                if (line.startsWith("neogend_telemetry_upload_group_count")) {
                    found[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("neogend_telemetry_upload_group_sum")) {
                    found[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return found;
        }

        private double[] now() {
            return new double[] {
                cpuOf(stack.process("telemetry").map(p -> p.pid())),
                postgresCpu(),
                cpuOf(stack.process("gateway").map(p -> p.pid()))
            };
        }

        double perK(int k, LatencyRecorder.Summary s) {
            double readings = s.throughput() * 35 * settings.measure().toMillis() / 1000.0;
            return readings == 0 ? Double.NaN : used[k] * 1000 / readings * 1000;
        }

        double telemetryPerK(LatencyRecorder.Summary s) {
            return perK(0, s);
        }

        double totalPerK(LatencyRecorder.Summary s) {
            return perK(0, s) + perK(1, s) + perK(2, s);
        }

        void print(String name, LatencyRecorder.Summary s) {
            System.out.printf(
                    Locale.ROOT,
                    "%-28s | %9.1f | %10.1f | %7.1f | %5.1f | %.1f%n",
                    name,
                    perK(0, s),
                    perK(1, s),
                    perK(2, s),
                    totalPerK(s),
                    uploadsPerStatement);
        }
    }

    private static double cpuOf(java.util.Optional<Long> pid) {
        return pid.map(BenchDevices::cpuSeconds).orElse(0.0);
    }

    /**
     * The CPU seconds of this stack's PostgreSQL: the server named by its data directory, its live
     * children, and the children it has reaped already ({@code cutime + cstime} of {@code /proc/<pid>/stat}) —
     * without these a backend that exits inside the measured window takes its CPU with it, and the
     * difference across the window can come out negative.
     */
    double postgresCpu() {
        String dataDir = stack.postgres().dataDir().toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info()
                        .commandLine()
                        .map(c -> c.contains(dataDir) && !c.contains("pg_ctl"))
                        .orElse(false))
                .mapToDouble(h -> cpuOf(java.util.Optional.of(h.pid()))
                        + reapedChildrenCpu(h.pid())
                        + h.descendants()
                                .mapToDouble(c -> cpuOf(java.util.Optional.of(c.pid())))
                                .sum())
                .sum();
    }

    /** The CPU seconds of a process's children that have exited and been waited for (0 if the system does not say). */
    static double reapedChildrenCpu(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            // the fields after the command name (which may hold spaces): index 0 is field 3 (state)
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]); // cutime, cstime
            return ticks / (double) CLOCK_TICKS_PER_SECOND;
        } catch (java.io.IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux this runs on (USER_HZ). */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private String peakMemory() {
        return BenchDevices.peakMemory(stack, "telemetry");
    }
}
