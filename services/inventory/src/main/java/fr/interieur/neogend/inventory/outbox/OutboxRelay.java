package fr.interieur.neogend.inventory.outbox;

import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import fr.interieur.neogend.kit.background.PollingLoop;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers outbox events to the telemetry service, at least once, in order of creation: due rows are
 * locked ({@code FOR UPDATE SKIP LOCKED}, so several replicas share the work), sent with a deadline,
 * and marked delivered only once the receiver acknowledged. A failure (receiver down, slow, refusing)
 * leaves the event queued with exponential back-off up to {@code max-backoff}; nothing is dropped.
 * The receiver is idempotent by event id, so a repeat after a lost acknowledgement changes nothing.
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final int BATCH = 100;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ServiceTokenSource tokens;
    private final ManagedChannel channel;
    private final Duration deadline;
    private final Duration maxBackoff;
    private final Duration keepDelivered;
    private long lastCleanup;
    private final PollingLoop loop;

    OutboxRelay(JdbcClient jdbc, TransactionTemplate tx, ServiceTokenSource tokens, TelemetryChannel channel,
                @Value("${neogend.outbox.poll-interval:1s}") Duration pollInterval,
                @Value("${neogend.outbox.deadline:5s}") Duration deadline,
                @Value("${neogend.outbox.max-backoff:5m}") Duration maxBackoff,
                @Value("${neogend.outbox.keep-delivered:7d}") Duration keepDelivered) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.tokens = tokens;
        this.channel = channel.channel();
        this.deadline = deadline;
        this.maxBackoff = maxBackoff;
        this.keepDelivered = keepDelivered;
        this.loop = new PollingLoop("outbox-relay", pollInterval, this::pass, BATCH);
    }

    /** Deletes events delivered longer ago than {@code keep-delivered} (kept meanwhile for inquiries). */
    int deleteOldDelivered() {
        return jdbc.sql("delete from outbox where delivered_at < now() - ? * interval '1 second'")
                .param(keepDelivered.toSeconds()).update();
    }

    private record Due(long id, byte[] payload, int attempts) {
    }

    /**
     * Delivers the events due now, stopping at the first failure (the receiver is likely down).
     *
     * @return events delivered
     */
    int deliverDue() {
        Integer delivered = tx.execute(status -> {
            List<Due> due = jdbc.sql("""
                            select id, payload, attempts from outbox
                            where delivered_at is null and next_attempt_at <= now()
                            order by id limit ? for update skip locked""")
                    .param(BATCH)
                    .query((rs, n) -> new Due(rs.getLong(1), rs.getBytes(2), rs.getInt(3))).list();
            int done = 0;
            for (Due d : due) {
                Optional<String> failure = send(d.payload());
                if (failure.isPresent()) {
                    Duration wait = backoff(d.attempts() + 1);
                    jdbc.sql("""
                                    update outbox set attempts = attempts + 1, last_error = ?,
                                                      next_attempt_at = now() + ? * interval '1 millisecond'
                                    where id = ?""")
                            .params(failure.get(), wait.toMillis(), d.id()).update();
                    log.warn("outbox event {} not delivered (attempt {}): {}; next try in {}", d.id(),
                            d.attempts() + 1, failure.get(), wait);
                    break;
                }
                jdbc.sql("update outbox set delivered_at = now(), attempts = attempts + 1, last_error = null "
                        + "where id = ?").param(d.id()).update();
                done++;
            }
            return done;
        });
        return delivered == null ? 0 : delivered;
    }

    /** Empty when acknowledged; the reason otherwise (safe to store: no token, no payload). */
    private Optional<String> send(byte[] payload) {
        Optional<String> token = tokens.token();
        if (token.isEmpty()) {
            return Optional.of("no service account token");
        }
        try {
            InventoryEvent event = InventoryEvent.parseFrom(payload);
            TelemetryServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .withCallCredentials(bearer(token.get()))
                    .recordInventoryEvent(RecordInventoryEventRequest.newBuilder().setEvent(event).build());
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            String reason = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
            return Optional.of(reason.length() > 480 ? reason.substring(0, 480) : reason);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return Optional.of("unreadable payload: " + e.getMessage());
        }
    }

    private Duration backoff(int attempts) {
        long seconds = 1L << Math.min(attempts - 1, 20);
        Duration wait = Duration.ofSeconds(seconds);
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    private static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    /** Undelivered events and the age of the oldest, for operators. */
    record Backlog(long pending, Optional<Instant> oldest) {
    }

    Backlog backlog() {
        return jdbc.sql("select count(*), min(created_at) from outbox where delivered_at is null")
                .query((rs, n) -> new Backlog(rs.getLong(1),
                        Optional.ofNullable(rs.getTimestamp(2)).map(Timestamp::toInstant)))
                .single();
    }

    @Override
    public void start() {
        lastCleanup = System.nanoTime() - Duration.ofMinutes(11).toNanos(); // clean up soon after start
        loop.start();
    }

    /** One pass: old delivered events deleted every 10 minutes, then the due ones delivered. */
    private int pass() {
        if (System.nanoTime() - lastCleanup > Duration.ofMinutes(10).toNanos()) {
            lastCleanup = System.nanoTime();
            deleteOldDelivered();
        }
        return deliverDue();
    }

    @Override
    public void stop() {
        loop.stop();
    }

    @Override
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100; // stops before the data source closes
    }
}
