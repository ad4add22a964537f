package fr.interieur.neogend.kit.jdbc;

import io.grpc.Context;
import io.grpc.Deadline;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The services' {@link JdbcTemplate} (every {@code JdbcClient}, {@code NamedParameterJdbcTemplate} and
 * Spring Data repository of a service runs on it): a statement run for a gRPC call is bounded by the
 * call's deadline. Its query timeout is the time the call has left, in whole seconds rounded up (JDBC's
 * unit) and never under {@link #MINIMUM_SECONDS}; PostgreSQL's driver then cancels the statement when
 * it is up, and the call's transaction rolls back. Without it a statement whose caller gave up ran on —
 * waiting on a lock or on a bad plan for minutes — holding a pooled connection, and committed after its
 * caller had been told DEADLINE_EXCEEDED.
 *
 * <p>A statement started after the deadline still gets the minimum: what a call writes once it is over
 * (its audit row, its idempotent answer) must not be refused for being late. Work that serves several
 * callers at once — a group of uploads written by whichever caller came first — is bounded by none of
 * them: it runs inside {@link #unbound}. Outside a gRPC call (relays, background loops) statements run as
 * configured ({@code spring.jdbc.template.query-timeout}, none by default).
 */
public class CallBoundJdbcTemplate extends JdbcTemplate {

    /** The shortest query timeout given to a call's statement, even one started after the deadline. */
    public static final int MINIMUM_SECONDS = 1;

    private static final ThreadLocal<Boolean> UNBOUND = new ThreadLocal<>();

    public CallBoundJdbcTemplate(DataSource dataSource) {
        super(dataSource);
    }

    /** Runs {@code work} with its statements bounded by no caller's deadline (work done for several callers). */
    public static <T> T unbound(Supplier<T> work) {
        Boolean outer = UNBOUND.get();
        UNBOUND.set(Boolean.TRUE);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                UNBOUND.remove();
            }
        }
    }

    /** The query timeout, in seconds, a statement started now gets from the current call (0: none). */
    public static int secondsLeft() {
        if (UNBOUND.get() != null) {
            return 0;
        }
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return 0;
        }
        long millis = deadline.timeRemaining(TimeUnit.MILLISECONDS);
        long seconds = millis <= 0 ? 0 : (millis + 999) / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MINIMUM_SECONDS, seconds));
    }

    @Override
    protected void applyStatementSettings(Statement stmt) throws SQLException {
        super.applyStatementSettings(stmt);
        int seconds = secondsLeft();
        if (seconds > 0) {
            int configured = stmt.getQueryTimeout(); // the template's, or a transaction's timeout if shorter
            if (configured == 0 || seconds < configured) {
                stmt.setQueryTimeout(seconds);
            }
        }
    }
}
