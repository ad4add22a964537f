package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Keycloak's store (its dev-file database) with the realm imported and nothing else, made once per realm
 * file in a Keycloak home, for the stacks of tests and benchmarks to start on a copy of it. It lives in
 * {@code <home>/templates/<hash of the realm file>/}: the store, the bootstrap admin's password (readable
 * by its owner only) and a {@code .complete} marker; a folder is never changed once complete, and a
 * changed realm file makes a new one (older ones are deleted).
 */
record KeycloakTemplate(Path store, String adminPassword) {

    /** The dev-file database's file name. */
    static final String STORE_FILE = "keycloakdb.mv.db";

    /** Bumped when what a template holds changes meaning (its key then changes for every realm file). */
    private static final String FORMAT = "1";

    private static final String COMPLETE = ".complete";
    private static final String PASSWORD = "admin-password";

    /**
     * The template of this realm file in this home, made first if missing: Keycloak is started with the
     * realm imported (documented console port, a new admin password), awaited, stopped gracefully, and
     * its store copied.
     */
    static synchronized KeycloakTemplate ensure(Path home, String realm, Path log) throws IOException {
        Path templates = home.resolve("templates");
        String key = sha256(FORMAT + "\n" + realm).substring(0, 16);
        Path dir = templates.resolve(key);
        if (Files.isRegularFile(dir.resolve(COMPLETE))) {
            return read(dir);
        }
        Instant t0 = Instant.now();
        System.out.println("  preparing Keycloak's store with the realm imported (once per realm file)…");
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);

        Path imports = Files.createDirectories(home.resolve("data/import"));
        Path importing = imports.resolve(".realm-" + ProcessHandle.current().pid()); // never seen half-written
        Files.writeString(importing, realm);
        Files.move(
                importing,
                imports.resolve("realm-" + KeycloakServer.REALM + ".json"),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        // the store is made in a folder of this run's own, which becomes the template once complete
        Path tmp = templates.resolve(key + ".making-" + ProcessHandle.current().pid());
        KeycloakServer.deleteTree(tmp);
        Files.createDirectories(tmp);
        int port = Waits.freePort();
        int managementPort = Waits.freePort();
        while (managementPort == port) {
            managementPort = Waits.freePort();
        }
        ManagedProcess keycloak = ManagedProcess.start(
                "keycloak",
                KeycloakServer.command(home, tmp, port, managementPort, true),
                KeycloakServer.env(password),
                home,
                log);
        try {
            Waits.forHttp200(
                    "Keycloak (preparing its store)",
                    "http://localhost:" + port + "/realms/" + KeycloakServer.REALM
                            + "/.well-known/openid-configuration",
                    Duration.ofMinutes(5),
                    keycloak);
        } finally {
            keycloak.stop(Duration.ofSeconds(60)); // graceful: the store is closed before it is kept
        }
        if (!Files.isRegularFile(tmp.resolve(STORE_FILE))) {
            throw new IllegalStateException("Keycloak left no store in " + tmp + "; see " + log);
        }
        try (var extra = Files.list(tmp)) { // the store alone (H2's trace file and the like are not kept)
            for (Path p : extra.filter(p -> !p.getFileName().toString().equals(STORE_FILE))
                    .toList()) {
                KeycloakServer.deleteTree(p);
            }
        }
        Path passwordFile = tmp.resolve(PASSWORD);
        Files.createFile(
                passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, password);
        Files.createFile(tmp.resolve(COMPLETE));
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            KeycloakServer.deleteTree(tmp); // another run made it meanwhile: theirs is as good
        }
        try (var others = Files.list(templates)) { // older realm files' templates
            for (Path other : others.filter(p -> !p.equals(dir)).toList()) {
                String name = other.getFileName().toString();
                int making = name.indexOf(".making-");
                if (making < 0 || !alive(name.substring(making + ".making-".length()))) {
                    KeycloakServer.deleteTree(other); // another realm file's, or left by a run that died
                }
            }
        } catch (IOException ignored) {
            // best effort: an old template only takes disk space
        }
        System.out.printf(
                "  Keycloak's store prepared in %.1f s (%s)%n",
                Duration.between(t0, Instant.now()).toMillis() / 1000.0, dir);
        return read(dir);
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static KeycloakTemplate read(Path dir) throws IOException {
        return new KeycloakTemplate(
                dir.resolve(STORE_FILE), Files.readString(dir.resolve(PASSWORD)).trim());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
