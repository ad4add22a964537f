package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Stack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What bounding a call's statements by its deadline costs (ADR 0029), side by side: the services' statements
 * as {@code JdbcTemplate} runs them (prepare, bind, execute, read, close) on 8 connections of the bench's own
 * to inventory's database, with no query timeout and with one (what {@code CallBoundJdbcTemplate} sets for a
 * call that has a deadline: PostgreSQL's driver arms a cancel timer per statement and removes it when the
 * statement returns). Alternated five times; statements per second and this JVM's CPU per statement (the
 * driver's timer thread included).
 */
final class StatementTimeoutBenchmark {

    private static final int CONNECTIONS = 8;
    private static final int ROUNDS = 5;

    private final Stack stack;
    private final BenchSettings settings;

    StatementTimeoutBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
    }

    void run() throws Exception {
        String url = stack.postgres().jdbcUrl("inventory");
        ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
        ThreadLocal<Connection> connection = ThreadLocal.withInitial(() -> {
            try {
                Connection c = DriverManager.getConnection(url, PostgresServer.SUPERUSER, "");
                opened.add(c);
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Duration warmup = settings.warmup();
        Duration measured = settings.measure();
        System.out.println();
        System.out.printf(
                "Statements with and without a query timeout (ADR 0029): a unit read by its key on %d connections, "
                        + "%d rounds alternated, %d s warm-up + %d s each%n",
                CONNECTIONS, ROUNDS, warmup.toSeconds(), measured.toSeconds());
        System.out.println("round | variant         | statements/s |  p50 ms |  p99 ms | bench CPU µs/statement");
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                double[] without = measure(round, "no timeout", connection, 0, warmup, measured);
                double[] with = measure(round, "timeout 10 s", connection, 10, warmup, measured);
                ratios.add(with[0] / without[0]);
                cpuRatios.add(with[1] / without[1]);
            }
        } finally {
            for (Connection c : opened) {
                c.close();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "with/without a timeout: throughput median %.3f (rounds %s), CPU per statement median %.3f (rounds %s)%n",
                median(ratios),
                format(ratios),
                median(cpuRatios),
                format(cpuRatios));
    }

    private static double[] measure(
            int round, String variant, ThreadLocal<Connection> connection, int timeout, Duration warmup, Duration d)
            throws InterruptedException {
        long[] cpu = new long[2];
        LatencyRecorder.Summary s = Load.closedLoop(
                i -> read(connection.get(), timeout),
                CONNECTIONS,
                warmup,
                d,
                () -> cpu[0] = cpuNanos(),
                () -> cpu[1] = cpuNanos());
        if (s.errors() > 0) {
            throw new IllegalStateException(variant + ": " + s.errors() + " statements failed");
        }
        double cpuMicros = (cpu[1] - cpu[0]) / 1000.0 / s.count();
        System.out.printf(
                Locale.ROOT,
                "%5d | %-15s | %12.0f | %7.3f | %7.3f | %8.1f%n",
                round,
                variant,
                s.throughput(),
                s.p50Millis(),
                s.p99Millis(),
                cpuMicros);
        return new double[] {s.throughput(), cpuMicros};
    }

    /** One statement as JdbcTemplate runs it, with the query timeout a call's template would set. */
    private static void read(Connection c, int timeout) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select code, name, level from unit where code = ?")) {
            if (timeout > 0) {
                st.setQueryTimeout(timeout);
            }
            st.setString(1, "GN");
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no unit GN: the demo units are not loaded");
                }
            }
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElse(0L);
    }

    private static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String format(List<Double> values) {
        return Arrays.toString(
                values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toArray());
    }
}
