package fr.interieur.neogend.kit.jdbc;

import io.grpc.Context;
import io.grpc.Deadline;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The query timeout a call's statement gets: the time its call has left, rounded up, at least a second. */
class CallBoundJdbcTemplateTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /**
     * A clock that stands still: what a statement gets depends on its deadline alone, never on how long a loaded
     * machine took between setting the deadline and reading it (a CI run read 9 s of a 10 s deadline).
     */
    private static final Deadline.Ticker STILL = new Deadline.Ticker() {
        @Override
        public long nanoTime() {
            return 0;
        }
    };

    int secondsLeftWithin(Deadline deadline) throws Exception {
        Context.CancellableContext call = Context.current().withDeadline(deadline, timer);
        try {
            return call.call(CallBoundJdbcTemplate::secondsLeft);
        } finally {
            call.cancel(null);
        }
    }

    @Test
    void outsideACallStatementsKeepTheirConfiguredTimeout() {
        assertThat(CallBoundJdbcTemplate.secondsLeft()).isZero();
    }

    @Test
    void aCallsStatementGetsTheTimeItsCallHasLeftRoundedUp() throws Exception {
        assertThat(secondsLeftWithin(Deadline.after(10, TimeUnit.SECONDS, STILL)))
                .isEqualTo(10);
        assertThat(secondsLeftWithin(Deadline.after(9_500, TimeUnit.MILLISECONDS, STILL)))
                .isEqualTo(10);
        assertThat(secondsLeftWithin(Deadline.after(1_500, TimeUnit.MILLISECONDS, STILL)))
                .isEqualTo(2);
        assertThat(secondsLeftWithin(Deadline.after(3, TimeUnit.DAYS, STILL))).isEqualTo(3 * 86_400);
    }

    @Test
    void aStatementStartedAfterTheDeadlineStillGetsTheMinimum() throws Exception {
        assertThat(secondsLeftWithin(Deadline.after(1, TimeUnit.MILLISECONDS, STILL)))
                .isEqualTo(1);
        assertThat(secondsLeftWithin(Deadline.after(-5, TimeUnit.SECONDS, STILL)))
                .isEqualTo(CallBoundJdbcTemplate.MINIMUM_SECONDS);
    }

    @Test
    void workForSeveralCallersIsBoundedByNone() throws Exception {
        Context.CancellableContext call =
                Context.current().withDeadline(Deadline.after(2, TimeUnit.SECONDS, STILL), timer);
        try {
            int[] seen = new int[3];
            call.run(() -> {
                seen[0] = CallBoundJdbcTemplate.secondsLeft();
                seen[1] = CallBoundJdbcTemplate.unbound(
                        () -> CallBoundJdbcTemplate.unbound(CallBoundJdbcTemplate::secondsLeft));
                seen[2] = CallBoundJdbcTemplate.secondsLeft();
            });
            assertThat(seen).containsExactly(2, 0, 2);
        } finally {
            call.cancel(null);
        }
    }
}
