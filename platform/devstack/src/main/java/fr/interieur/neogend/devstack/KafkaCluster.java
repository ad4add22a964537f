package fr.interieur.neogend.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeLogDirsOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Real Apache Kafka brokers for tests and benchmarks (issue 21): each node its own JVM (so one can
 * crash, {@link #kill(int)}, and come back, {@link #restart(int)}, on its ports and data), started
 * from the jars of Maven Central's {@code org.apache.kafka:kafka_2.13} — the version Spring Boot
 * manages for kafka-clients — whose classpath the devstack build writes into devstack.properties.
 * KRaft combined mode: every node is broker and controller, node ids 1..n, a static quorum of all
 * of them; everything listens on 127.0.0.1 only.
 *
 * <p>The caller needs kafka-clients on its classpath (devstack declares it provided): starting waits
 * through the Admin API until every broker is in the cluster.
 */
public final class KafkaCluster implements AutoCloseable {

    /**
     * Each node's JVM for a quick start (tests; not for measuring): small heap, serial GC, and no C2
     * compiler, whose threads would compete with three starting brokers on a 2-core machine (three
     * nodes start in about 10 s instead of 25). A benchmark passes its own options.
     */
    public static final List<String> QUICK_START_JVM =
            List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path runDir;
    private final boolean keepData;
    private final List<String> command;
    private final Duration timeout;
    private final List<KafkaNode> nodes;

    /** One node: its ports never change, so a restarted node is the same broker to the others. */
    private static final class KafkaNode {
        final int id;
        final int port;
        final int controllerPort;
        final Path dir;
        final Path log;
        ManagedProcess process;
        boolean up;

        KafkaNode(int id, int port, int controllerPort, Path runDir) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.dir = runDir.resolve("kafka-" + id);
            this.log = runDir.resolve("kafka-" + id + ".log");
        }

        String name() {
            return "kafka-" + id;
        }

        Path config() {
            return dir.resolve("server.properties");
        }
    }

    private KafkaCluster(Path runDir, boolean keepData, List<String> command, Duration timeout, List<KafkaNode> nodes) {
        this.runDir = runDir;
        this.keepData = keepData;
        this.command = command;
        this.timeout = timeout;
        this.nodes = nodes;
    }

    /** A throw-away cluster for tests (data deleted on close, logs kept) of {@code brokers} nodes. */
    public static KafkaCluster start(Path runDir, int brokers, Duration timeout) {
        return start(runDir, brokers, false, Map.of(), QUICK_START_JVM, timeout);
    }

    /**
     * Starts {@code brokers} nodes and waits until each is in the cluster.
     *
     * @param runDir     where each node's folder (settings and data, {@code kafka-<id>/}) and log
     *                   ({@code kafka-<id>.log}) go
     * @param keepData   false: data deleted before the start and on close; true: kept, and a node
     *                   already formatted starts from its data
     * @param settings   broker settings, over the defaults (e.g. {@code broker.session.timeout.ms})
     * @param jvmOptions options of each node's JVM
     * @param timeout    how long the start, and later each {@link #restart(int)}, may take
     */
    public static KafkaCluster start(
            Path runDir,
            int brokers,
            boolean keepData,
            Map<String, String> settings,
            List<String> jvmOptions,
            Duration timeout) {
        if (brokers < 1) {
            throw new IllegalArgumentException("at least one broker, not " + brokers);
        }
        runDir = runDir.toAbsolutePath(); // each JVM runs in its node's folder
        Instant t0 = Instant.now();
        Instant deadline = t0.plus(timeout);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp",
                classpath()));

        Set<Integer> ports = new HashSet<>();
        List<KafkaNode> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++) {
            nodes.add(new KafkaNode(id, freePort(ports), freePort(ports), runDir));
        }
        Leftovers.stopFrom(pidFile(runDir));
        try {
            Files.createDirectories(runDir);
            for (KafkaNode n : nodes) {
                if (!keepData) {
                    deleteTree(n.dir);
                }
                Files.createDirectories(n.dir);
                Files.writeString(n.config(), serverProperties(n, nodes, settings));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka nodes in " + runDir, e);
        }
        format(
                command,
                nodes,
                existingClusterId(nodes).orElseGet(() -> Uuid.randomUuid().toString()),
                deadline);

        KafkaCluster cluster = new KafkaCluster(runDir, keepData, List.copyOf(command), timeout, nodes);
        try {
            nodes.forEach(n -> cluster.launch(n, false));
            cluster.await(nodes.stream().map(n -> n.id).toList(), deadline);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        System.out.printf(
                "  Kafka %s: %d brokers up on %s in %.1f s (logs: %s)%n",
                version(),
                brokers,
                cluster.bootstrapServers(),
                Duration.between(t0, Instant.now()).toMillis() / 1000.0,
                runDir);
        return cluster;
    }

    /** {@code host:port,...} of every broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> LOOPBACK + ":" + n.port).collect(Collectors.joining(","));
    }

    /** The node ids, 1..n. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    /** The node's current process (a new one after each {@link #restart(int)}). */
    public ManagedProcess process(int node) {
        return node(node).process;
    }

    /** The port of the node's broker listener. */
    public int port(int node) {
        return node(node).port;
    }

    /**
     * Kills the node at once (SIGKILL), as a crash or an OOM kill would: no controlled shutdown, the
     * others notice when its session times out ({@code broker.session.timeout.ms}).
     */
    public void kill(int node) {
        KafkaNode n = node(node);
        n.up = false;
        n.process.kill();
    }

    /**
     * Starts a killed node again on its ports and data, and waits until it serves requests again and
     * the cluster counts it among its brokers.
     */
    public void restart(int node) {
        KafkaNode n = node(node);
        if (n.process.isAlive()) {
            throw new IllegalStateException(n.name() + " is running");
        }
        Instant t0 = Instant.now();
        launch(n, true);
        await(List.of(node), t0.plus(timeout));
        System.out.printf(
                "  Kafka node %d back in %.1f s%n",
                node, Duration.between(t0, Instant.now()).toMillis() / 1000.0);
    }

    /** Stops every node (SIGTERM together, then SIGKILL after a grace); deletes the data unless kept. */
    @Override
    public void close() {
        nodes.stream().filter(n -> n.process != null && n.process.isAlive()).forEach(n -> n.process.terminate());
        for (KafkaNode n : nodes) {
            if (n.process != null) {
                n.process.stop(STOP_GRACE);
            }
            n.up = false;
        }
        if (!keepData) {
            for (KafkaNode n : nodes) {
                try {
                    deleteTree(n.dir);
                } catch (IOException e) {
                    System.out.println("  could not delete " + n.dir + ": " + e.getMessage());
                }
            }
        }
    }

    private KafkaNode node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("no Kafka node " + id + " (nodes are 1.." + nodes.size() + ")");
        }
        return nodes.get(id - 1);
    }

    private void launch(KafkaNode n, boolean appendLog) {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("kafka.Kafka", n.config().toString()));
        n.process = ManagedProcess.start(n.name(), cmd, Map.of(), n.dir, n.log, appendLog);
        n.up = true;
        Leftovers.record(
                pidFile(runDir),
                nodes.stream()
                        .filter(x -> x.process != null)
                        .map(x -> x.process)
                        .toList());
    }

    /**
     * Waits until every running node is in the cluster and each of {@code fresh} answers a request
     * of its own: a node just started again may still be listed under its former registration
     * until its session times out, but only the new process answers.
     */
    private void await(List<Integer> fresh, Instant deadline) {
        for (int id : fresh) {
            awaitListening(node(id), deadline); // before the Admin client, which would log each refusal
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "devstack-kafka-cluster");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        Set<Integer> running = nodes.stream().filter(n -> n.up).map(n -> n.id).collect(Collectors.toSet());
        String last = "no answer yet";
        try (Admin admin = Admin.create(config)) {
            while (true) {
                requireRunning();
                try {
                    // first the fresh nodes themselves, then the cluster's view, which now knows them as they are
                    admin.describeLogDirs(fresh, new DescribeLogDirsOptions().timeoutMs(3000))
                            .allDescriptions()
                            .get();
                    Set<Integer> seen =
                            admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get().stream()
                                    .map(Node::id)
                                    .collect(Collectors.toSet());
                    last = "brokers in the cluster: " + seen.stream().sorted().toList();
                    if (seen.containsAll(running)) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e.getCause().toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "Kafka nodes " + fresh + " not in the cluster in time (" + last + "); " + tails());
                }
                Waits.sleep(250);
            }
        }
    }

    private void awaitListening(KafkaNode n, Instant deadline) {
        while (true) {
            requireRunning();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, n.port), 1000);
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            n.name() + " not listening on " + LOOPBACK + ":" + n.port + " in time; " + tails());
                }
                Waits.sleep(250);
            }
        }
    }

    /** Throws, with the end of every log, if a node that should run has exited. */
    private void requireRunning() {
        for (KafkaNode n : nodes) {
            if (n.up && !n.process.isAlive()) {
                throw new IllegalStateException(
                        n.name() + " exited with code " + n.process.exitValue() + "; " + tails());
            }
        }
    }

    private String tails() {
        return nodes.stream()
                .filter(n -> n.process != null)
                .map(n -> "last lines of " + n.log + ":\n" + n.process.tail(30))
                .collect(Collectors.joining("\n"));
    }

    /** Formats each node's storage (the storage tool, one JVM per node, all at once). */
    private static void format(List<String> command, List<KafkaNode> nodes, String clusterId, Instant deadline) {
        List<ManagedProcess> tools = new ArrayList<>();
        try {
            for (KafkaNode n : nodes) {
                List<String> cmd = new ArrayList<>(command);
                cmd.add(1, "-XX:TieredStopAtLevel=1"); // right after java: short-lived, no need for C2
                cmd.addAll(List.of(
                        "kafka.tools.StorageTool",
                        "format",
                        "--cluster-id",
                        clusterId,
                        "--config",
                        n.config().toString(),
                        "--ignore-formatted"));
                tools.add(
                        ManagedProcess.start(n.name() + "-format", cmd, Map.of(), n.dir, n.dir.resolve("format.log")));
            }
            for (ManagedProcess tool : tools) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (!tool.awaitExit(left.isNegative() ? Duration.ZERO : left)) {
                    throw new IllegalStateException(
                            tool.name() + " still running at the deadline; last log lines:\n" + tool.tail(30));
                }
                if (tool.exitValue() != 0) {
                    throw new IllegalStateException(
                            tool.name() + " failed (" + tool.exitValue() + "); last log lines:\n" + tool.tail(30));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting the Kafka storage", e);
        } finally {
            tools.forEach(ManagedProcess::stop);
        }
    }

    /** The cluster id a kept node was formatted with, so that every node joins the same cluster. */
    private static Optional<String> existingClusterId(List<KafkaNode> nodes) {
        for (KafkaNode n : nodes) {
            Path meta = n.dir.resolve("data/meta.properties");
            if (Files.isRegularFile(meta)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(meta)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + meta, e);
                }
                return Optional.ofNullable(p.getProperty("cluster.id"));
            }
        }
        return Optional.empty();
    }

    private static String serverProperties(KafkaNode n, List<KafkaNode> nodes, Map<String, String> settings) {
        int replication = Math.min(3, nodes.size());
        int minInsync = Math.min(2, nodes.size());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(n.id));
        p.put(
                "controller.quorum.voters",
                nodes.stream()
                        .map(x -> x.id + "@" + LOOPBACK + ":" + x.controllerPort)
                        .collect(Collectors.joining(",")));
        p.put(
                "listeners",
                "PLAINTEXT://" + LOOPBACK + ":" + n.port + ",CONTROLLER://" + LOOPBACK + ":" + n.controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + n.port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", n.dir.resolve("data").toString());
        // internal topics replicated as a production cluster would, but few partitions: quick to create
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", String.valueOf(minInsync));
        p.put("transaction.state.log.num.partitions", "6");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(minInsync));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.putAll(settings);
        return p.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static int freePort(Set<Integer> taken) {
        while (true) {
            int port = Waits.freePort();
            if (taken.add(port)) {
                return port;
            }
        }
    }

    private static Path pidFile(Path runDir) {
        return runDir.resolve("kafka.pids");
    }

    /** The Kafka version the devstack build resolved. */
    public static String version() {
        return buildProperties().getProperty("kafka.version");
    }

    /** The brokers' classpath, as the devstack build resolved it. */
    static String classpath() {
        String classpath = buildProperties().getProperty("kafka.classpath", "");
        List<String> missing = Arrays.stream(classpath.split(File.pathSeparator))
                .filter(jar -> !Files.isRegularFile(Path.of(jar)))
                .toList();
        if (classpath.isBlank() || classpath.startsWith("@") || !missing.isEmpty()) {
            throw new IllegalStateException("the Kafka broker jars are not where the devstack build found them ("
                    + missing + "); build the project first (make build)");
        }
        return classpath;
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = KafkaCluster.class.getResourceAsStream("/devstack.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("devstack.properties is missing from the devstack jar", e);
        }
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
