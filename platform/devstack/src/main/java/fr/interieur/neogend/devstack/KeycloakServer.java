package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** The web console's client, whose redirect URIs and web origins name the gateway's address. */
    static final String CONSOLE_CLIENT = "neogend-web";

    private final ManagedProcess process;
    private final int port;
    private final int managementPort;
    private final String adminPassword;
    /** The gateway port the console client must name once ready, or 0 if the store already names it. */
    private final int consolePortToSet;

    private KeycloakServer(
            ManagedProcess process, int port, int managementPort, String adminPassword, int consolePortToSet) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.adminPassword = adminPassword;
        this.consolePortToSet = consolePortToSet;
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
            String realm = consoleAt(Files.readString(realmFile), gatewayPort);
            if (!persistent) {
                deleteTree(home.resolve("data/h2"));
            } else if (forgetDataIfRealmChanged(home, realm)) {
                System.out.println("  the realm file changed since Keycloak's data was made: its users and sessions"
                        + " start again from the file (clients, roles and demo accounts as the repository has them)");
            }
            Path imports = home.resolve("data/import");
            Files.createDirectories(imports);
            Files.writeString(imports.resolve("realm-" + REALM + ".json"), realm);
            Files.writeString(home.resolve(IMPORTED), sha256(realm));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the realm into " + home, e);
        }
        return new KeycloakServer(
                ManagedProcess.start(
                        "keycloak", command(home, null, port, managementPort, true), env(adminPassword), home, log),
                port,
                managementPort,
                adminPassword,
                0);
    }

    /**
     * Starts Keycloak on a copy of a store where the realm is already imported (does not wait: see
     * {@link #awaitReady(Duration)}), for tests and benchmarks: fresh data each time, as with {@link
     * #start} and {@code persistent = false}, without creating Keycloak's schema, its master realm and
     * ours on every start (about 10 of the 18 s it takes alone on 2 cores, more when six services start
     * beside it). The store is made once per realm file and Keycloak version, by a start of its own;
     * {@link #awaitReady(Duration)} then points the console client at this stack's gateway port.
     *
     * @param home  where the distribution is (or gets) unpacked; several Keycloaks may run from it at once
     * @param store the folder of this Keycloak's own store (replaced by the template's copy)
     */
    public static KeycloakServer startFromTemplate(
            Path home, Path store, Path realmFile, int port, int managementPort, int gatewayPort, Path log) {
        unpackIfMissing(home);
        KeycloakTemplate template;
        try {
            template = KeycloakTemplate.ensure(
                    home, Files.readString(realmFile), log.resolveSibling("keycloak-store-preparation.log"));
            deleteTree(store);
            Files.createDirectories(store);
            Files.copy(template.store(), store.resolve(KeycloakTemplate.STORE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy Keycloak's prepared store into " + home, e);
        }
        return new KeycloakServer(
                ManagedProcess.start(
                        "keycloak", command(home, store, port, managementPort, false), env(null), home, log),
                port,
                managementPort,
                template.adminPassword(),
                gatewayPort == CONSOLE_PORT_IN_REALM ? 0 : gatewayPort);
    }

    /**
     * @param store the folder of the dev-file store, or null for Keycloak's own ({@code home/data/h2}); a
     *              folder of its own lets several Keycloaks run from one home at once
     */
    static List<String> command(Path home, Path store, int port, int managementPort, boolean importRealm) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start-dev"));
        if (importRealm) {
            command.add("--import-realm");
        }
        if (store != null) { // a runtime option: no rebuild
            command.add(
                    "--db-url=jdbc:h2:file:" + store.toAbsolutePath().resolve("keycloakdb") + ";NON_KEYWORDS=VALUE");
        }
        command.addAll(List.of(
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                "--hostname=http://localhost:" + port,
                "--health-enabled=true",
                "--cache=local",
                "--db=dev-file")); // a build-time option: the same everywhere, so no rebuild
        return command;
    }

    /** Keycloak's environment; the bootstrap admin only where the store has none yet. */
    static Map<String, String> env(String adminPassword) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        if (adminPassword != null) {
            env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        }
        env.put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
        return env;
    }

    /**
     * The realm's (or the console client's) JSON with the console's addresses moved from the documented
     * gateway port to {@code gatewayPort}.
     */
    static String consoleAt(String json, int gatewayPort) {
        if (gatewayPort == CONSOLE_PORT_IN_REALM) {
            return json;
        }
        return json.replace(
                        "http://localhost:" + CONSOLE_PORT_IN_REALM + "/console/",
                        "http://localhost:" + gatewayPort + "/console/")
                .replace(
                        "\"http://localhost:" + CONSOLE_PORT_IN_REALM + "\"",
                        "\"http://localhost:" + gatewayPort + "\"");
    }

    /**
     * Waits until the realm's OIDC discovery document is served (and, on a prepared store, until the
     * console client names this stack's gateway).
     */
    public void awaitReady(Duration timeout) {
        Instant t0 = Instant.now();
        Waits.forHttp200("Keycloak", issuer() + "/.well-known/openid-configuration", timeout, process);
        if (consolePortToSet != 0) {
            pointConsoleAt(consolePortToSet);
        }
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
        return issuer(port);
    }

    /** The issuer of the realm's tokens when Keycloak listens on {@code port}. */
    public static String issuer(int port) {
        return "http://localhost:" + port + "/realms/" + REALM;
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public ManagedProcess process() {
        return process;
    }

    /** The bootstrap admin's password (master realm, user {@code admin}). */
    public String adminPassword() {
        return adminPassword;
    }

    /** Moves the console client's redirect URIs and web origins to the gateway's port (admin API). */
    private void pointConsoleAt(int gatewayPort) {
        String base = "http://localhost:" + port;
        String admin =
                new TokenClient(base + "/realms/master/protocol/openid-connect/token").adminCli("admin", adminPassword);
        String clients = base + "/admin/realms/" + REALM + "/clients";
        HttpResponse<String> found = adminCall(
                HttpRequest.newBuilder(URI.create(clients + "?clientId=" + CONSOLE_CLIENT))
                        .GET(),
                admin);
        String list = found.body().trim();
        Matcher id = CLIENT_ID.matcher(list);
        if (found.statusCode() != 200 || !list.startsWith("[{") || !id.find()) {
            throw new IllegalStateException(
                    "Keycloak: client " + CONSOLE_CLIENT + " not found (HTTP " + found.statusCode() + ")");
        }
        String client = list.substring(1, list.length() - 1); // the one element of the array
        HttpResponse<String> updated = adminCall(
                HttpRequest.newBuilder(URI.create(clients + "/" + id.group(1)))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(consoleAt(client, gatewayPort))),
                admin);
        if (updated.statusCode() != 204) {
            throw new IllegalStateException("Keycloak: the console client's addresses not updated (HTTP "
                    + updated.statusCode() + "): " + updated.body());
        }
    }

    /** The client's own id: the first member of its representation. */
    private static final Pattern CLIENT_ID = Pattern.compile("^\\[\\{\"id\"\\s*:\\s*\"([0-9a-f-]+)\"");

    private static HttpResponse<String> adminCall(HttpRequest.Builder request, String token) {
        try {
            return ADMIN_HTTP.send(
                    request.timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final HttpClient ADMIN_HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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

    /** Beside the kept data: the hash of the realm it was imported from. */
    static final String IMPORTED = "data/realm-imported.sha256";

    /**
     * Keycloak imports a realm only when the store has none ({@code --import-realm} skips an existing
     * realm), so kept data would never see a client or role added to the realm file since: when the file
     * differs from the one the kept data was made from (or that is not known), the data is deleted and the
     * realm imported again.
     *
     * @return whether kept data was deleted
     */
    static boolean forgetDataIfRealmChanged(Path home, String realm) throws IOException {
        Path data = home.resolve("data/h2");
        if (!Files.exists(data)) {
            return false;
        }
        Path imported = home.resolve(IMPORTED);
        if (Files.exists(imported) && Files.readString(imported).equals(sha256(realm))) {
            return false;
        }
        deleteTree(data);
        return true;
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
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
