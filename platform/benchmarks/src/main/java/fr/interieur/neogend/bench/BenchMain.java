package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench}: starts PostgreSQL, Keycloak, inventory and the gateway (full JIT, not the
 * quick-start flags), then runs each benchmark and prints its table: all of them, or those named
 * ({@code gateway}, {@code gateway-soak} (ten minutes, only when named), {@code bulk}, {@code telemetry},
 * {@code telemetry-group}, {@code telemetry-group-writers}, {@code telemetry-credentials}, {@code gateway-observations} and {@code telemetry-kafka} (only when named), {@code campaign}, {@code refusals}, {@code fleet}); {@code --quick}
 * shortens them; {@code --profile} keeps a flight recording of each JVM (the run's folder is printed).
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.from(args);
        Path root = Path.of(System.getProperty("neogend.root", "."))
                .toAbsolutePath()
                .normalize();
        Path runDir = Files.createTempDirectory("neogend-bench");
        System.out.printf(
                "NéoGEND benchmarks on %d cores, Java %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("starting PostgreSQL, Keycloak, inventory, order, training, telemetry and the gateway…");
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx512m"));
        if (List.of(args).contains("--profile")) {
            // a flight recording of each service's and the gateway's JVM (%p: its process id), written when it
            // stops: `jfr print --events jdk.ExecutionSample <file>` says where the CPU went
            Path jfr = Files.createDirectories(runDir.resolve("jfr"));
            jvm.add("-XX:StartFlightRecording:settings=profile,dumponexit=true,filename=" + jfr.resolve("%p.jfr"));
            System.out.println("  flight recordings in " + jfr);
        }
        Stack stack = Stack.start(new Stack.Options(
                root,
                runDir,
                false,
                List.of("inventory", "order", "training", "telemetry"),
                Stack.Ports.free(),
                jvm,
                // one load generator is one client: the per-client rate limit would measure itself
                // traces sampled as the chart ships them (values.yaml tracing.samplingProbability 0.1; make run keeps
                // 1.0)
                Map.of(
                        "NEOGEND_LOG_FORMAT",
                        "",
                        "NEOGEND_RATE_LIMIT_PER_SECOND",
                        "0",
                        "NEOGEND_TRACE_SAMPLING",
                        "0.1")));
        // a bench stopped by a signal (Ctrl-C, kill) stops what it started too: without this, the services,
        // Keycloak and the supplier simulator outlived it
        Thread stopper = new Thread(stack::close, "neogend-bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
            DemoData.loadUnits(stack.gatewayUrl(), tokens.password("fleet.manager", "fleet.manager"));
            List<String> only = java.util.Arrays.stream(args)
                    .filter(a -> !a.startsWith("--"))
                    .toList();
            if (only.isEmpty() || only.contains("gateway")) {
                new GatewayOverheadBenchmark(stack, settings).run();
            }
            if (only.contains("gateway-observations")) { // about 15 minutes: only when named
                new GatewayOverheadBenchmark(stack, settings).observationsAlternated();
            }
            if (only.contains("gateway-soak")) { // ten minutes: only when named
                new GatewayOverheadBenchmark(stack, settings).soak();
            }
            if (only.contains("statement-timeout")) { // about 2 minutes: only when named
                new StatementTimeoutBenchmark(stack, settings).run();
            }
            if (only.isEmpty() || only.contains("bulk")) {
                new BulkRegistrationBenchmark(stack).run();
            }
            if (only.isEmpty() || only.contains("telemetry")) {
                new IngestionBenchmark(stack, settings).run();
            }
            if (only.contains("telemetry-group")) { // about 15 minutes: only when named
                new IngestionBenchmark(stack, settings).runGroupCommitAlternated();
            }
            if (only.contains("telemetry-group-writers")) { // about 15 minutes: only when named
                new IngestionBenchmark(stack, settings).runGroupWritersAlternated();
            }
            if (only.contains("telemetry-credentials")) { // about 12 minutes: only when named
                new IngestionBenchmark(stack, settings).runCredentialTagsAlternated();
            }
            if (only.contains("telemetry-kafka")) { // three brokers beside the stack: only when named
                new KafkaIngestionBenchmark(stack, settings).run();
            }
            if (only.isEmpty() || only.contains("campaign")) {
                new IngestionBenchmark(stack, settings).runCampaign();
            }
            if (only.isEmpty() || only.contains("refusals")) {
                new RefusalBenchmark(stack, settings).run();
            }
            if (only.isEmpty() || only.contains("fleet")) {
                new FleetScaleBenchmark(stack, settings).run();
                new StatementBenchmark(stack).run();
            }
        } finally {
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: close() again finds nothing left to stop
            }
        }
    }
}
