package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The whole suite on one machine: PostgreSQL (one database per service), Keycloak, the services
 * and the gateway, each a child process of this JVM. {@link #close()} stops everything it started,
 * in reverse order; a leftover of an earlier run that died (its pids are kept in the run folder)
 * is stopped before a new start.
 */
public final class Stack implements AutoCloseable {

    /** Who calls whom: {@code helm/neogend/files/topology.yaml}, the declaration the chart reads too. */
    public static final Topology TOPOLOGY = Topology.load();
    /** The services, in the topology's order. */
    public static final List<String> SERVICES = TOPOLOGY.names();

    /**
     * What to start and where.
     *
     * @param root        the checkout (where services/ and gateway/ are built)
     * @param runDir      where data, logs and pids go
     * @param persistent  keep PostgreSQL and Keycloak data between runs
     * @param services    which services to start (the gateway routes only to those)
     * @param ports       gateway, keycloak, keycloak management, postgres, then per service gRPC and HTTP
     * @param jvmOptions  options of the service and gateway JVMs
     * @param extraEnv    more environment for the service and gateway JVMs (settings, e.g. for tests)
     */
    public record Options(
            Path root,
            Path runDir,
            boolean persistent,
            List<String> services,
            Ports ports,
            List<String> jvmOptions,
            Map<String, String> extraEnv) {

        public Options {
            services = List.copyOf(services);
            jvmOptions = List.copyOf(jvmOptions);
            extraEnv = Map.copyOf(extraEnv);
        }
    }

    /** Where the services and the management ports listen: this machine only. */
    static final String LOOPBACK = "127.0.0.1";

    /** JVM options for a quick start (local runs and tests; not for measuring). */
    public static final List<String> QUICK_START_JVM =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx384m");

    /**
     * Every port the stack listens on. Only the gateway's API port and Keycloak's are meant to be
     * reached from elsewhere; everything else (services, the gateway's management port, PostgreSQL,
     * the simulator) is bound to 127.0.0.1.
     */
    public record Ports(
            int gateway,
            int gatewayManagement,
            int keycloak,
            int keycloakManagement,
            int postgres,
            int supplierSimulator,
            Map<String, int[]> services) {

        /**
         * The documented defaults: gateway 8080 (management 8090), Keycloak 8180 (management 9000),
         * PostgreSQL 5433.
         */
        public static Ports defaults() {
            Map<String, int[]> s = new LinkedHashMap<>();
            for (Topology.Service service : TOPOLOGY.services()) { // the services' own defaults
                s.put(service.name(), new int[] {service.grpcPort(), service.httpPort()});
            }
            return new Ports(
                    envPort("NEOGEND_GATEWAY_PORT", 8080),
                    envPort("NEOGEND_GATEWAY_MANAGEMENT_PORT", 8090),
                    envPort("NEOGEND_KEYCLOAK_PORT", 8180),
                    envPort("NEOGEND_KEYCLOAK_MANAGEMENT_PORT", 9000),
                    envPort("NEOGEND_POSTGRES_PORT", 5433),
                    envPort("NEOGEND_SUPPLIER_SIMULATOR_PORT", 8099),
                    s);
        }

        /**
         * Free ports everywhere (tests and benchmarks, next to a running make run), all different: the
         * system may hand the same free port out twice in a row.
         */
        public static Ports free() {
            java.util.Set<Integer> taken = new java.util.HashSet<>();
            java.util.function.IntSupplier next = () -> {
                for (int attempt = 0; attempt < 100; attempt++) {
                    int port = Waits.freePort();
                    if (taken.add(port)) {
                        return port;
                    }
                }
                throw new IllegalStateException("no distinct free port found");
            };
            Map<String, int[]> s = new LinkedHashMap<>();
            SERVICES.forEach(name -> s.put(name, new int[] {next.getAsInt(), next.getAsInt()}));
            return new Ports(
                    next.getAsInt(),
                    next.getAsInt(),
                    next.getAsInt(),
                    next.getAsInt(),
                    next.getAsInt(),
                    next.getAsInt(),
                    s);
        }

        public int grpc(String service) {
            return services.get(service)[0];
        }

        public int http(String service) {
            return services.get(service)[1];
        }

        private static int envPort(String name, int fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
        }
    }

    private final Options options;
    private final List<ManagedProcess> processes = new ArrayList<>();
    /**
     * The key telemetry tags device credentials with and the gateway checks them by (ADR 0026): drawn
     * for each start, never written anywhere but the two processes' environments.
     */
    private final String deviceCredentialTagKey = newTagKey();

    private PostgresServer postgres;
    private volatile KeycloakServer keycloak;
    /** Keycloak's start (with, the first time on a machine, the preparation of its store). */
    private volatile CompletableFuture<KeycloakServer> keycloakStarting;

    private Stack(Options options) {
        this.options = options;
    }

    /** Starts everything and waits until all of it is ready; stops what started if anything fails. */
    public static Stack start(Options options) {
        Stack stack = new Stack(options);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        Instant t0 = Instant.now();
        Ports ports = options.ports();
        try {
            Files.createDirectories(options.runDir().resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Leftovers.stopFrom(options.runDir().resolve("pids"));

        Path realmFile = options.root().resolve("platform/keycloak/realm-neogend.json");
        if (options.persistent()) {
            keycloak = KeycloakServer.start(
                    options.runDir().resolve("keycloak"),
                    realmFile,
                    ports.keycloak(),
                    ports.keycloakManagement(),
                    true,
                    adminPassword(),
                    ports.gateway(),
                    log("keycloak"));
            remember(keycloak.process());
            keycloakStarting = CompletableFuture.completedFuture(keycloak);
        } else {
            // fresh data from a store with the realm already imported; the first start on this machine
            // prepares that store while the services start
            keycloakStarting = CompletableFuture.supplyAsync(() -> started(KeycloakServer.startFromTemplate(
                    KeycloakServer.sharedTestHome(),
                    options.runDir().resolve("keycloak-store"),
                    realmFile,
                    ports.keycloak(),
                    ports.keycloakManagement(),
                    ports.gateway(),
                    log("keycloak"))));
        }

        postgres = PostgresServer.start(options.runDir().resolve("postgres"), ports.postgres(), options.persistent());
        options.services().forEach(postgres::createDatabase);

        ManagedProcess simulator = null;
        if (options.services().contains("order")) { // the supplier's order-intake API, for the order service
            simulator = SupplierSimulator.start(
                    options.root(), ports.supplierSimulator(), options.runDir(), log(SupplierSimulator.NAME));
            remember(simulator);
        }
        for (String service : options.services()) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("NEOGEND_DB_URL", postgres.jdbcUrl(service));
            env.put("NEOGEND_DB_USER", PostgresServer.SUPERUSER);
            env.put("NEOGEND_DB_PASSWORD", "");
            env.put("NEOGEND_GRPC_PORT", String.valueOf(ports.grpc(service)));
            env.put("NEOGEND_HTTP_PORT", String.valueOf(ports.http(service)));
            // only the gateway calls the services: they listen on the loopback interface
            env.put("SPRING_GRPC_SERVER_ADDRESS", LOOPBACK);
            env.put("SERVER_ADDRESS", LOOPBACK);
            env.put("NEOGEND_ISSUER_URI", KeycloakServer.issuer(ports.keycloak()));
            // Calls between services: where they are, and each one's service account (the realm's
            // DEV ONLY secrets; a cluster takes them from Kubernetes Secrets).
            for (String callee : TOPOLOGY.service(service).calls()) { // the call graph's edges only
                env.put("NEOGEND_" + callee.toUpperCase(Locale.ROOT) + "_GRPC", "localhost:" + ports.grpc(callee));
            }
            if (service.equals("inventory")) {
                env.put("NEOGEND_SERVICE_CLIENT_SECRET", "inventory-dev-secret");
            }
            if (service.equals("training")) { // reads the realm's technicians (view-users only)
                env.put("NEOGEND_SERVICE_CLIENT_SECRET", "training-dev-secret");
            }
            if (service.equals("order") || service.equals("accessories")) { // the peer proof inventory asks
                env.put("NEOGEND_SERVICE_CLIENT_SECRET", service + "-dev-secret");
            }
            // packs and courses kept from before agreements were recorded belong to the demo agreement
            env.put("NEOGEND_INITIAL_AGREEMENT", DemoData.AGREEMENT_ID);
            if (service.equals("telemetry")) {
                env.put("NEOGEND_DEVICE_CREDENTIAL_TAG_KEY", deviceCredentialTagKey);
            }
            if (service.equals("order")) {
                env.put("NEOGEND_SUPPLIER_URL", "http://localhost:" + ports.supplierSimulator() + "/api");
            }
            remember(startJava(service, jar("services/" + service, service), env));
        }
        Map<String, String> gatewayEnv = new LinkedHashMap<>();
        gatewayEnv.put("NEOGEND_HTTP_PORT", String.valueOf(ports.gateway()));
        gatewayEnv.put("NEOGEND_MANAGEMENT_PORT", String.valueOf(ports.gatewayManagement()));
        gatewayEnv.put("MANAGEMENT_SERVER_ADDRESS", LOOPBACK); // probes and metrics stay on this machine
        gatewayEnv.put("NEOGEND_ISSUER_URI", KeycloakServer.issuer(ports.keycloak()));
        gatewayEnv.put("NEOGEND_DEVICE_CREDENTIAL_TAG_KEY", deviceCredentialTagKey);
        for (String service : SERVICES) { // a service not started answers UNAVAILABLE (503)
            gatewayEnv.put("NEOGEND_" + service.toUpperCase(Locale.ROOT) + "_GRPC", "localhost:" + ports.grpc(service));
        }
        ManagedProcess gateway = startJava("gateway", jar("gateway", "gateway"), gatewayEnv);
        remember(gateway);

        List<CompletableFuture<Void>> waits = new ArrayList<>();
        waits.add(keycloakStarting.thenAcceptAsync(k -> k.awaitReady(Duration.ofMinutes(4))));
        if (simulator != null) {
            ManagedProcess sim = simulator;
            waits.add(CompletableFuture.runAsync(() -> {
                Instant s = Instant.now();
                Waits.forHttp200(
                        sim.name(),
                        "http://127.0.0.1:" + ports.supplierSimulator() + "/__admin/health",
                        Duration.ofMinutes(2),
                        sim);
                System.out.printf(
                        "  %-11s ready on http://localhost:%d/api in %.1f s%n",
                        sim.name(),
                        ports.supplierSimulator(),
                        Duration.between(s, Instant.now()).toMillis() / 1000.0);
            }));
        }
        for (ManagedProcess p : processes()) {
            if (p.name().equals("keycloak") || p == simulator) {
                continue;
            }
            int http = p.name().equals("gateway") ? ports.gatewayManagement() : ports.http(p.name());
            waits.add(CompletableFuture.runAsync(() -> {
                Instant s = Instant.now();
                Waits.forHttp200(
                        p.name(), "http://127.0.0.1:" + http + "/actuator/health/readiness", Duration.ofMinutes(4), p);
                System.out.printf(
                        "  %-11s ready on %s in %.1f s%n",
                        p.name(),
                        p.name().equals("gateway")
                                ? "http://localhost:" + http
                                : "gRPC localhost:" + ports.grpc(p.name()),
                        Duration.between(s, Instant.now()).toMillis() / 1000.0);
            }));
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        System.out.printf(
                "  everything up in %.1f s%n",
                Duration.between(t0, Instant.now()).toMillis() / 1000.0);
    }

    /** How a service or the gateway was started, to start it again. */
    private record Launch(List<String> command, Map<String, String> env) {}

    private final Map<String, Launch> launches = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Starts a service (or the gateway) that was stopped or killed again, with the same settings and
     * ports, and waits until it is ready. Its log goes on in the same file.
     */
    public synchronized void restart(String name, Duration timeout) {
        restart(name, Map.of(), timeout);
    }

    /**
     * Like {@link #restart(String, Duration)}, with some environment variables changed for this start
     * only (e.g. a benchmark variant); a later restart uses the original settings again.
     */
    public synchronized void restart(String name, Map<String, String> envChanges, Duration timeout) {
        Launch launch = launches.get(name);
        if (launch == null) {
            throw new IllegalArgumentException("no service " + name + " in this stack");
        }
        process(name).ifPresent(old -> {
            old.stop(Duration.ofSeconds(30));
            processes.remove(old);
        });
        Map<String, String> env = new LinkedHashMap<>(launch.env());
        env.putAll(envChanges);
        ManagedProcess p = ManagedProcess.start(name, launch.command(), env, options.runDir(), log(name), true);
        remember(p);
        int http = name.equals("gateway")
                ? options.ports().gatewayManagement()
                : options.ports().http(name);
        Waits.forHttp200(name, "http://127.0.0.1:" + http + "/actuator/health/readiness", timeout, p);
    }

    private ManagedProcess startJava(String name, Path jar, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.jvmOptions());
        command.add("-jar");
        command.add(ExtractedJar.of(jar).toString()); // the same classes, started without nested-jar loading
        env.putIfAbsent("NEOGEND_LOG_FORMAT", "ecs");
        env.putAll(options.extraEnv());
        launches.put(name, new Launch(List.copyOf(command), Map.copyOf(env)));
        return ManagedProcess.start(name, command, env, options.runDir(), log(name));
    }

    private Path jar(String module, String artifact) {
        Path target = options.root().resolve(module).resolve("target");
        try (var files = Files.list(target)) {
            Optional<Path> jar = files.filter(f -> f.getFileName().toString().startsWith(artifact + "-")
                            && f.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst();
            return jar.orElseThrow(
                    () -> new IllegalStateException("no runnable jar in " + target + "; build first (make build)"));
        } catch (IOException e) {
            throw new IllegalStateException("no build output in " + target + "; build first (make build)", e);
        }
    }

    private Path log(String name) {
        return options.runDir().resolve("logs").resolve(name + ".log");
    }

    private synchronized void remember(ManagedProcess process) {
        processes.add(process);
        Leftovers.record(options.runDir().resolve("pids"), processes);
    }

    private synchronized KeycloakServer started(KeycloakServer server) {
        keycloak = server;
        remember(server.process());
        return server;
    }

    private synchronized List<ManagedProcess> processes() {
        return List.copyOf(processes);
    }

    private String adminPassword() {
        Path file = options.runDir().resolve("keycloak-admin-password");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            String password = HexFormat.of().formatHex(random);
            Files.writeString(file, password);
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Options options() {
        return options;
    }

    /** A started process by name (a service, "gateway", "keycloak"…), e.g. to read its memory. */
    public Optional<ManagedProcess> process(String name) {
        return processes().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public String gatewayUrl() {
        return "http://localhost:" + options.ports().gateway();
    }

    /** The device-credential tag key of this start (base64), for setup that writes credentials itself. */
    public String deviceCredentialTagKey() {
        return deviceCredentialTagKey;
    }

    private static String newTagKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    /** The Keycloak bootstrap admin's password (master realm, user admin). */
    public String keycloakAdminPassword() {
        return keycloak != null ? keycloak.adminPassword() : adminPassword();
    }

    public KeycloakServer keycloak() {
        return keycloak;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** Stops everything this stack started: gateway and services first, then Keycloak, then PostgreSQL. */
    @Override
    public void close() {
        CompletableFuture<KeycloakServer> starting = keycloakStarting;
        if (starting != null) { // what it starts is stopped below, so its start must have ended
            try {
                starting.join();
            } catch (RuntimeException e) {
                // it failed to start: nothing of it to stop (the failure is reported by start)
            }
        }
        stopAll();
    }

    private synchronized void stopAll() {
        List<ManagedProcess> reverse = new ArrayList<>(processes);
        java.util.Collections.reverse(reverse);
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (ManagedProcess p : reverse) {
            if (keycloak == null || p != keycloak.process()) {
                stops.add(CompletableFuture.runAsync(p::stop));
            }
        }
        stops.forEach(CompletableFuture::join);
        if (keycloak != null) {
            keycloak.close();
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        processes.clear();
        try {
            Files.deleteIfExists(options.runDir().resolve("pids"));
        } catch (IOException ignored) {
            // best effort: a stale pid file is checked against live processes next time
        }
    }
}
