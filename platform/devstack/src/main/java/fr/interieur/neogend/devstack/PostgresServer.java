package fr.interieur.neogend.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real PostgreSQL server (17, binaries from Maven Central via io.zonky.test), listening on
 * 127.0.0.1 only, data kept in the given folder. Works as root too: zonky runs the binaries in a
 * user namespace ({@code unshare -U}), since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final int port;
    private final Path dataDir;
    private final Path binaries;

    private PostgresServer(EmbeddedPostgres postgres, int port, Path dataDir, Path binaries) {
        this.postgres = postgres;
        this.port = port;
        this.dataDir = dataDir;
        this.binaries = binaries;
    }

    /**
     * Starts a server on {@code port}; data in {@code dataDir}, reused when it exists already.
     *
     * @param keepData false for throw-away servers (tests): the data folder is deleted on close
     */
    public static PostgresServer start(Path dataDir, int port, boolean keepData) {
        Instant t0 = Instant.now();
        try {
            Files.createDirectories(dataDir.getParent());
            Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "neogend-embedded-pg");
            Files.createDirectories(binaries);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(!keepData)
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", keepData ? "on" : "off")
                    .setServerConfig("synchronous_commit", keepData ? "on" : "off")
                    .setLocaleConfig("locale", "C")
                    .setLocaleConfig("encoding", "UTF8")
                    .start();
            System.out.printf(
                    "  PostgreSQL 17 up on 127.0.0.1:%d in %.1f s (data: %s)%n",
                    port, Duration.between(t0, Instant.now()).toMillis() / 1000.0, dataDir);
            return new PostgresServer(pg, port, dataDir, binaries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL on port " + port, e);
        }
    }

    public int port() {
        return port;
    }

    /** The data directory (its server's command line names it: a benchmark finds the server's processes by it). */
    public Path dataDir() {
        return dataDir;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates the database if it does not exist yet. */
    public void createDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /**
     * Restarts the server as an operator would ({@code pg_ctl restart -m fast}): every connection is
     * cut, the server is down for a moment, then up again with its data and settings.
     */
    public void restart() {
        try (var files = Files.walk(binaries, 3)) {
            Path pgCtl = files.filter(f -> f.getFileName().toString().equals("pg_ctl")
                            && f.getParent().getFileName().toString().equals("bin"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under " + binaries));
            // as the embedded server itself does: pg_ctl refuses root, so run it in a user namespace
            List<String> command = new java.util.ArrayList<>();
            if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
                command.addAll(List.of("/usr/bin/unshare", "-U"));
            }
            command.addAll(
                    List.of(pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "restart"));
            // the restarted server inherits pg_ctl's output: a file, not a pipe nobody would close
            Path out = Files.createTempFile("pg_ctl-restart", ".log");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl restart failed: " + Files.readString(out));
            }
            Files.deleteIfExists(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the server; quietly when it is gone already (Ctrl-C reaches it directly too). */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            System.out.println("  PostgreSQL was already stopped (" + e.getMessage() + ")");
        }
    }
}
