package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Keycloak from its Maven Central distribution ({@code org.keycloak:keycloak-quarkus-dist}, which
 * the devstack build downloads), unpacked once, started in dev mode with the {@code neogend}
 * realm imported. The issuer is pinned to {@code http://localhost:<port>}, the address services
 * are told to trust.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "neogend";
    /** The gateway port the realm file's console redirect URIs and web origins name. */
    static final int CONSOLE_PORT_IN_REALM = 8080;

    private final ManagedProcess process;
    private final int port;
    private final int managementPort;

    private KeycloakServer(ManagedProcess process, int port, int managementPort) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * Starts Keycloak (does not wait: see {@link #awaitReady(Duration)}).
     *
     * @param home      where the distribution is (or gets) unpacked; the first start there also runs
     *                  Keycloak's one-time build step (about a minute on 2 cores)
     * @param persistent true: keep users and sessions in {@code home/data}; false: start from the
     *                  realm file alone (the stored data is deleted first)
     * @param adminPassword the bootstrap admin's password, used on the first start only
     * @param gatewayPort where the gateway (and its console) listens: the realm file names the
     *                  documented 8080 as the console's origin; another port is written in its place
     */
    public static KeycloakServer start(
            Path home,
            Path realmFile,
            int port,
            int managementPort,
            boolean persistent,
            String adminPassword,
            int gatewayPort,
            Path log) {
        unpackIfMissing(home);
        try {
            if (!persistent) {
                deleteTree(home.resolve("data/h2"));
            }
            Path imports = home.resolve("data/import");
            Files.createDirectories(imports);
            String realm = Files.readString(realmFile);
            if (gatewayPort != CONSOLE_PORT_IN_REALM) {
                realm = realm.replace(
                                "http://localhost:" + CONSOLE_PORT_IN_REALM + "/console/",
                                "http://localhost:" + gatewayPort + "/console/")
                        .replace(
                                "\"http://localhost:" + CONSOLE_PORT_IN_REALM + "\"",
                                "\"http://localhost:" + gatewayPort + "\"");
            }
            Files.writeString(imports.resolve("realm-" + REALM + ".json"), realm);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the realm into " + home, e);
        }
        List<String> command = new ArrayList<>(List.of(
                home.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--import-realm",
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                "--hostname=http://localhost:" + port,
                "--health-enabled=true",
                "--cache=local",
                "--db=dev-file")); // a build-time option: the same everywhere, so no rebuild
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        env.put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
        return new KeycloakServer(ManagedProcess.start("keycloak", command, env, home, log), port, managementPort);
    }

    /** Waits until the realm's OIDC discovery document is served. */
    public void awaitReady(Duration timeout) {
        Instant t0 = Instant.now();
        Waits.forHttp200("Keycloak", issuer() + "/.well-known/openid-configuration", timeout, process);
        System.out.printf(
                "  Keycloak up on localhost:%d in %.1f s%n",
                port, Duration.between(t0, Instant.now()).toMillis() / 1000.0);
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    /** The issuer of the realm's tokens. */
    public String issuer() {
        return "http://localhost:" + port + "/realms/" + REALM;
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.stop();
    }

    /** The distribution zip Maven downloaded when devstack was built. */
    static Path distributionZip() {
        Properties p = new Properties();
        try (InputStream in = KeycloakServer.class.getResourceAsStream("/devstack.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("devstack.properties is missing from the devstack jar", e);
        }
        Path zip = Path.of(p.getProperty("keycloak.zip"));
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(
                    "Keycloak distribution not found at " + zip + "; build the project first (make build)");
        }
        return zip;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A Keycloak home shared by the test and benchmark runs of this machine (fresh data each time). */
    public static Path sharedTestHome() {
        String version = "unknown";
        try (InputStream in = KeycloakServer.class.getResourceAsStream("/devstack.properties")) {
            Properties p = new Properties();
            p.load(in);
            version = p.getProperty("keycloak.version");
        } catch (IOException | NullPointerException e) {
            // fall back to an unversioned folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "neogend-keycloak-" + version);
    }

    private static void unpackIfMissing(Path home) {
        if (Files.isExecutable(home.resolve("bin/kc.sh"))) {
            return;
        }
        Path zip = distributionZip();
        System.out.println("  unpacking Keycloak " + zip.getFileName() + " into " + home + " (first run only)");
        try {
            Path tmp = Files.createDirectories(home.resolveSibling(home.getFileName() + ".unpacking"));
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    String name = e.getName();
                    int slash = name.indexOf('/');
                    String relative = slash < 0 ? "" : name.substring(slash + 1); // drop keycloak-x.y.z/
                    if (relative.isEmpty()) {
                        continue;
                    }
                    Path target = tmp.resolve(relative).normalize();
                    if (!target.startsWith(tmp)) {
                        throw new IOException("zip entry outside the target: " + name);
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        if (relative.startsWith("bin/") && relative.endsWith(".sh")) {
                            target.toFile().setExecutable(true);
                        }
                    }
                }
            }
            Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack Keycloak into " + home, e);
        }
    }
}
