package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GetDevice called directly over gRPC and through the gateway over REST (real Keycloak token), at
 * several concurrency levels, side by side in one run; then both at a fixed rate of half the
 * direct maximum, to see the latency the gateway adds.
 */
final class GatewayOverheadBenchmark {

    private static final int DEVICES = 1000;
    /** Before measuring a freshly started JVM: long enough for its JIT compilers to finish on 2 cores. */
    private static final Duration WARM_UP = Duration.ofSeconds(45);

    private final Stack stack;
    private final BenchSettings settings;
    private final TokenClient tokens;
    /** One keep-alive connection per load thread, to the gateway's port (the same after a restart). */
    private final ThreadLocal<RawHttpClient> http;

    GatewayOverheadBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
        this.tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        int gatewayPort = stack.options().ports().gateway();
        this.http = ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort));
    }

    void run() throws Exception {
        ManagedChannel channel = inventoryChannel();
        try {
            seed(channel);
            // Both paths warmed up first: with 8 s per cell the gateway's JIT compilers were still at work
            // in the cells at 1, 4 and 16 (its CPU per request fell from 5,000 to 340 µs across them).
            Duration warm = settings.concurrency().size() < 3 ? settings.warmup() : WARM_UP;
            var warmStub = grpcStub(channel);
            Load.closedLoop(i -> warmStub.getDevice(request(i)), 16, Duration.ZERO, warm);
            String warmToken = token();
            Load.closedLoop(i -> restGet(http.get(), i, warmToken), 16, Duration.ZERO, warm);
            System.out.println();
            System.out.println("GetDevice: direct gRPC vs gateway REST (each path warmed up " + warm.toSeconds()
                    + " s at concurrency 16, then closed loop, "
                    + settings.measure().toSeconds() + " s per cell after "
                    + settings.warmup().toSeconds()
                    + " s warm-up); CPU: microseconds of each process per request");
            System.out.println("concurrency | direct req/s  p50 ms  p99 ms  inv CPU | gateway req/s  p50 ms  p99 ms  "
                    + "inv CPU   gw CPU | throughput ratio");
            double maxDirect = 0;
            java.util.Map<Integer, Double> ratios = new java.util.TreeMap<>();
            java.util.Map<Integer, Double> configured = new java.util.TreeMap<>();
            for (int concurrency : settings.concurrency()) {
                var directStub = grpcStub(channel);
                Cpu directCpu = new Cpu();
                var direct = Load.closedLoop(
                        i -> directStub.getDevice(request(i)),
                        concurrency,
                        settings.warmup(),
                        settings.measure(),
                        directCpu::start,
                        directCpu::end);
                String token = token();
                Cpu gatewayCpu = new Cpu();
                var gateway = Load.closedLoop(
                        i -> restGet(http.get(), i, token),
                        concurrency,
                        settings.warmup(),
                        settings.measure(),
                        gatewayCpu::start,
                        gatewayCpu::end);
                double ratio = gateway.throughput() / direct.throughput();
                maxDirect = Math.max(maxDirect, direct.throughput());
                ratios.put(concurrency, ratio);
                configured.put(concurrency, gateway.throughput());
                System.out.println(String.format(
                        Locale.ROOT,
                        "%11d | %12.0f %7.2f %7.2f %8.0f | %13.0f %7.2f %7.2f %8.0f %8.0f | %6.2f%s",
                        concurrency,
                        direct.throughput(),
                        direct.p50Millis(),
                        direct.p99Millis(),
                        directCpu.inventoryPerRequest(direct),
                        gateway.throughput(),
                        gateway.p50Millis(),
                        gateway.p99Millis(),
                        gatewayCpu.inventoryPerRequest(gateway),
                        gatewayCpu.gatewayPerRequest(gateway),
                        ratio,
                        direct.errors() + gateway.errors() > 0
                                ? "  (errors: " + direct.errors() + "/" + gateway.errors() + ")"
                                : ""));
            }
            System.out.println("gateway memory after these cells: " + memory());

            int workers = 64;
            double addedAtHalf = Double.NaN;
            for (double share : new double[] {0.25, 0.5}) {
                double rate = maxDirect * share;
                System.out.printf(
                        Locale.ROOT,
                        "%nGetDevice at a fixed %.0f req/s (%.0f%% of the direct maximum), %d workers, "
                                + "latency from each request's due time, %d s%n",
                        rate,
                        share * 100,
                        workers,
                        settings.measure().toSeconds());
                var fixedStub = grpcStub(channel);
                var directFixed = Load.openLoop(
                        i -> fixedStub.getDevice(request(i)), rate, workers, settings.warmup(), settings.measure());
                String token = token();
                var gatewayFixed = Load.openLoop(
                        i -> restGet(http.get(), i, token), rate, workers, settings.warmup(), settings.measure());
                double added = gatewayFixed.p99Millis() - directFixed.p99Millis();
                System.out.printf(
                        Locale.ROOT,
                        "direct  p50 %.2f ms  p99 %.2f ms  (%d requests, %d errors)%n",
                        directFixed.p50Millis(),
                        directFixed.p99Millis(),
                        directFixed.count(),
                        directFixed.errors());
                System.out.printf(
                        Locale.ROOT,
                        "gateway p50 %.2f ms  p99 %.2f ms  (%d requests, %d errors)  " + "p99 added: %.2f ms%n",
                        gatewayFixed.p50Millis(),
                        gatewayFixed.p99Millis(),
                        gatewayFixed.count(),
                        gatewayFixed.errors(),
                        added);
                if (share == 0.5) {
                    addedAtHalf = added;
                }
            }
            double observationCost = observationCost();

            System.out.println();
            System.out.println("Goals (issue 18):");
            for (int c : new int[] {16, 64}) {
                Double r = ratios.get(c);
                if (r != null) {
                    System.out.printf(
                            Locale.ROOT,
                            "  gateway >= 0.8 of direct at concurrency %d: %.2f -> %s%n",
                            c,
                            r,
                            r >= 0.8 ? "met" : "NOT met");
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "  p99 added at half the direct maximum <= 5 ms: %.2f ms -> %s%n",
                    addedAtHalf,
                    addedAtHalf <= 5 ? "met" : "NOT met");
            if (!Double.isNaN(observationCost)) {
                System.out.printf(
                        Locale.ROOT,
                        "  observations cost <= 10 %% of gateway throughput: %.1f %% -> %s%n",
                        observationCost * 100,
                        observationCost <= 0.10 ? "met" : "NOT met");
            }
            System.out.println("  gateway memory at the end: " + memory());
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * What observations cost, side by side: the gateway restarted without them (no request or
     * gRPC client observation, no tracing), then restarted as configured, each measured at
     * concurrency 16 and 64 after the same warm-up. Returns the mean throughput lost to them.
     */
    private double observationCost() throws Exception {
        if (settings.concurrency().size() < 3) {
            return Double.NaN; // --quick: no restarts
        }
        System.out.println();
        System.out.println("Observations side by side: the gateway restarted without them, then as configured "
                + "(each warmed up " + WARM_UP.toSeconds() + " s at concurrency 64 after its start)");
        System.out.println("variant                     | c16 req/s   gw CPU | c64 req/s   gw CPU");
        double[] without = gatewayOnly(
                "without observations",
                Map.of("MANAGEMENT_OBSERVATIONS_ENABLE_ALL", "false", "NEOGEND_TRACE_SAMPLING", "0"));
        double[] with = gatewayOnly("as configured", Map.of());
        return 1 - (with[0] + with[1]) / (without[0] + without[1]);
    }

    /**
     * {@code make bench BENCH_ARGS=gateway-observations}: what the gateway's observations (request and gRPC
     * client timers, traces) cost, as medians of three alternated rounds — the gateway restarted without
     * them, as the devstack configures it (every request traced) and as the chart ships it (its
     * {@code tracing.samplingProbability}) — since one pair differed from the next by more than the cost
     * itself (issue 18's goal: at most 10 % of the gateway's throughput).
     */
    void observationsAlternated() throws Exception {
        seedDevices();
        String shipped = chartSampling();
        System.out.println();
        System.out.println("Gateway observations, alternated three times (each start warmed up " + WARM_UP.toSeconds()
                + " s at concurrency 64, then c16 and c64 measured); the chart samples " + shipped
                + " of requests, the devstack all of them");
        System.out.println("variant                     | c16 req/s   gw CPU | c64 req/s   gw CPU");
        List<Double> all = new java.util.ArrayList<>();
        List<Double> sampled = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            double[] without = gatewayOnly(
                    "without observations",
                    Map.of("MANAGEMENT_OBSERVATIONS_ENABLE_ALL", "false", "NEOGEND_TRACE_SAMPLING", "0"));
            double[] every = gatewayOnly("every request traced", Map.of("NEOGEND_TRACE_SAMPLING", "1.0"));
            double[] chart =
                    gatewayOnly("as shipped (sampling " + shipped + ")", Map.of("NEOGEND_TRACE_SAMPLING", shipped));
            double total = without[0] + without[1];
            all.add(1 - (every[0] + every[1]) / total);
            sampled.add(1 - (chart[0] + chart[1]) / total);
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: observations cost %.1f %% as shipped, %.1f %% with every request traced%n",
                    round + 1,
                    100 * sampled.getLast(),
                    100 * all.getLast());
        }
        report("as shipped", sampled);
        report("every request traced", all);
        stack.restart("gateway", Duration.ofSeconds(120));
    }

    private static void report(String variant, List<Double> costs) {
        double[] sorted =
                costs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "observations cost %s (1 - observed/without, c16 + c64): median %.1f %% (rounds %.1f to %.1f %%); "
                        + "goal <= 10 %%%n",
                variant,
                100 * sorted[1],
                100 * sorted[0],
                100 * sorted[2]);
    }

    /** The share of requests the chart traces ({@code tracing.samplingProbability} in its values). */
    private String chartSampling() throws java.io.IOException {
        String values = java.nio.file.Files.readString(stack.options().root().resolve("helm/neogend/values.yaml"));
        var m = java.util.regex.Pattern.compile("(?m)^  samplingProbability: *([0-9.]+)")
                .matcher(values);
        if (!m.find()) {
            throw new IllegalStateException("no tracing.samplingProbability in helm/neogend/values.yaml");
        }
        return m.group(1);
    }

    private double[] gatewayOnly(String name, Map<String, String> env) throws Exception {
        stack.restart("gateway", env, Duration.ofSeconds(120));
        String token = token();
        Load.closedLoop(i -> restGet(http.get(), i, token), 64, Duration.ZERO, WARM_UP);
        double[] throughput = new double[2];
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-27s |", name));
        int k = 0;
        for (int concurrency : new int[] {16, 64}) {
            Cpu cpu = new Cpu();
            var s = Load.closedLoop(
                    i -> restGet(http.get(), i, token),
                    concurrency,
                    settings.warmup(),
                    settings.measure(),
                    cpu::start,
                    cpu::end);
            throughput[k++] = s.throughput();
            line.append(String.format(Locale.ROOT, " %9.0f %8.0f |", s.throughput(), cpu.gatewayPerRequest(s)));
        }
        System.out.println(line.substring(0, line.length() - 2));
        return throughput;
    }

    /**
     * {@code make bench BENCH_ARGS=gateway-soak}: ten minutes of GetDevice through the gateway at
     * concurrency 16, the gateway's resident set printed every 30 s, to see whether it grows.
     */
    void soak() throws Exception {
        seedDevices();
        Duration length = settings.concurrency().size() < 3 ? Duration.ofSeconds(30) : Duration.ofMinutes(10);
        System.out.printf(
                Locale.ROOT,
                "%nGateway soak: GetDevice through the gateway at concurrency 16 for %d s "
                        + "(after %d s warm-up), resident set every 30 s%n",
                length.toSeconds(),
                settings.warmup().toSeconds());
        var sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        long t0 = System.nanoTime();
        java.util.List<Long> rss = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runnable sample = () -> {
            long kb = BenchDevices.memoryKb(stack, "gateway", "VmRSS");
            rss.add(kb);
            System.out.printf(Locale.ROOT, "  %4d s  VmRSS %,d KiB%n", (System.nanoTime() - t0) / 1_000_000_000, kb);
        };
        // the token asked for per call (renewed every minute): ten minutes outlive a 5-minute token
        var summary = Load.closedLoop(
                i -> restGet(http.get(), i, token()),
                16,
                settings.warmup(),
                length,
                () -> sampler.scheduleAtFixedRate(sample, 0, 30, java.util.concurrent.TimeUnit.SECONDS),
                sampler::shutdownNow);
        sample.run();
        long early = rss.size() > 4 ? rss.get(4) : rss.get(0); // after two minutes: heap sized, code compiled
        long last = rss.get(rss.size() - 1);
        long max = rss.stream().mapToLong(Long::longValue).max().orElse(0);
        if (summary.errors() > 0) {
            System.out.println("  ERRORS during the soak: the figures below are not those of a loaded gateway");
        }
        System.out.printf(
                Locale.ROOT,
                "%.0f req/s, p99 %.2f ms, %d errors; VmRSS at 2 min %,d KiB, at the end %,d KiB "
                        + "(%+.1f %%), highest %,d KiB; %s%n",
                summary.throughput(),
                summary.p99Millis(),
                summary.errors(),
                early,
                last,
                (last - early) * 100.0 / early,
                max,
                memory());
    }

    /** The gateway's resident set now and at its highest. */
    private String memory() {
        return String.format(
                Locale.ROOT,
                "VmRSS %,d KiB, VmHWM %,d KiB",
                BenchDevices.memoryKb(stack, "gateway", "VmRSS"),
                BenchDevices.memoryKb(stack, "gateway", "VmHWM"));
    }

    /** CPU seconds used by inventory and the gateway between {@link #start} and {@link #end}. */
    private final class Cpu {
        private double inventory0;
        private double gateway0;
        private double inventory;
        private double gateway;

        void start() {
            inventory0 = BenchDevices.cpuSeconds(stack, "inventory");
            gateway0 = BenchDevices.cpuSeconds(stack, "gateway");
        }

        void end() {
            inventory = BenchDevices.cpuSeconds(stack, "inventory") - inventory0;
            gateway = BenchDevices.cpuSeconds(stack, "gateway") - gateway0;
        }

        double inventoryPerRequest(LatencyRecorder.Summary s) {
            return perRequest(inventory, s);
        }

        double gatewayPerRequest(LatencyRecorder.Summary s) {
            return perRequest(gateway, s);
        }

        private double perRequest(double seconds, LatencyRecorder.Summary s) {
            double requests = s.throughput() * settings.measure().toMillis() / 1000.0;
            return requests == 0 ? Double.NaN : seconds * 1e6 / requests;
        }
    }

    private static void restGet(RawHttpClient client, long i, String token) throws java.io.IOException {
        int status = client.get("/api/v1/devices/" + DemoData.imei(500_000 + (int) Math.floorMod(i, DEVICES)), token);
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status);
        }
    }

    /** A plaintext gRPC channel to the stack's inventory service (the direct path). */
    private ManagedChannel inventoryChannel() {
        return NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc("inventory"))
                .usePlaintext()
                .build();
    }

    /** The devices GetDevice reads, registered over a channel of their own. */
    private void seedDevices() {
        ManagedChannel channel = inventoryChannel();
        try {
            seed(channel);
        } finally {
            channel.shutdownNow();
        }
    }

    private void seed(ManagedChannel channel) {
        var stub = grpcStub(channel);
        int created = 0;
        for (int i = 0; i < DEVICES; i++) {
            try {
                stub.registerDevice(RegisterDeviceRequest.newBuilder()
                        .setDevice(Device.newBuilder()
                                .setImei(DemoData.imei(500_000 + i))
                                .setSerialNumber("BENCH-" + i)
                                .setModel("Rugged X5")
                                .setKind(DeviceKind.DEVICE_KIND_PHONE)
                                .setUnitCode("GN-RBRE-GGD35"))
                        .build());
                created++;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
        System.out.println("  seeded " + created + " devices");
    }

    private InventoryServiceGrpc.InventoryServiceBlockingStub grpcStub(ManagedChannel channel) {
        return InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token())));
    }

    private String cachedToken;
    private long cachedAt;

    /** A fleet manager's token from Keycloak, renewed every minute (tokens live 5 minutes). */
    private synchronized String token() {
        if (cachedToken == null
                || System.nanoTime() - cachedAt > Duration.ofMinutes(1).toNanos()) {
            cachedToken = tokens.password("fleet.manager", "fleet.manager");
            cachedAt = System.nanoTime();
        }
        return cachedToken;
    }

    private static Metadata bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }

    private static GetDeviceRequest request(long i) {
        return GetDeviceRequest.newBuilder()
                .setImei(DemoData.imei(500_000 + (int) Math.floorMod(i, DEVICES)))
                .build();
    }
}
