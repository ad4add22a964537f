package fr.interieur.neogend.testkit;

import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Waits;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for integration tests, one server per test JVM: a Testcontainers container when
 * a container engine answers, the embedded server (same major version) otherwise. Each Spring
 * test context gets a database of its own, so test classes never see each other's rows.
 * The server stops when the JVM ends.
 */
public final class PostgresTestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Server server;

    private PostgresTestDatabase() {}

    private record Server(String host, int port, String user, String password, String kind) {
        String url(String db) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + db;
        }
    }

    private static synchronized Server server() {
        if (server != null) {
            return server;
        }
        if (!"embedded".equals(System.getenv("NEOGEND_TEST_POSTGRES")) && dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-postgres-container"));
            server = new Server(
                    container.getHost(),
                    container.getMappedPort(5432),
                    container.getUsername(),
                    container.getPassword(),
                    "Testcontainers");
        } else {
            try {
                Path dir = Files.createTempDirectory("neogend-it-pg");
                PostgresServer pg = PostgresServer.start(dir.resolve("data"), Waits.freePort(), false);
                Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "stop-embedded-postgres"));
                server = new Server("127.0.0.1", pg.port(), PostgresServer.SUPERUSER, "", "embedded");
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot make a folder for the test database", e);
            }
        }
        return server;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Creates a fresh database and returns its JDBC URL. */
    public static String newDatabase(String prefix) {
        Server s = server();
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(s.url("postgres"), s.user(), s.password());
                Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return s.url(name);
    }

    public static String user() {
        return server().user();
    }

    public static String password() {
        return server().password();
    }

    /** Which kind of server the tests run against ("Testcontainers" or "embedded"). */
    public static String kind() {
        return server().kind();
    }

    /** Points a Spring test context's DataSource at a fresh database. */
    public static class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            String app = context.getEnvironment().getProperty("spring.application.name", "test");
            TestPropertyValues.of(
                            "spring.datasource.url=" + newDatabase(app.replaceAll("[^a-z0-9]", "")),
                            "spring.datasource.username=" + user(),
                            "spring.datasource.password=" + password())
                    .applyTo(context.getEnvironment());
        }
    }
}
