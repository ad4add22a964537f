package fr.interieur.neogend.inventory.telemetryclient;

import fr.interieur.neogend.inventory.outbox.OutboxStore;
import fr.interieur.neogend.inventory.outbox.OutboxStore.Event;
import fr.interieur.neogend.kit.background.PollingLoop;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Delivers outbox events to the telemetry service, at least once, each device's events in the order
 * they were created (by {@code id}; {@link OutboxDeviceEvents} writes them after the device row's
 * update, which stays locked until commit, so a device's ids follow its commits). The receiver is
 * idempotent by event id, so a repeat after a lost acknowledgement changes nothing.
 *
 * <h2>A pass</h2>
 * In one transaction: the due <em>heads</em> are locked — a head is a device's oldest event that is
 * neither delivered nor parked; {@code FOR UPDATE SKIP LOCKED}, so several replicas share the work and
 * never hold the same device: another replica cannot take a later event of a device as its head while
 * the earlier one is undelivered, delivered only in a transaction not yet committed, or locked. Each
 * head is sent with a deadline, then that device's following events one by one (locked in turn),
 * until one fails or none is left. Marks are committed at the end of the pass; if the pass dies,
 * they roll back and those events are sent again.
 *
 * <h2>What a refusal does</h2>
 * <ul>
 * <li><b>Retried</b> (the event stays at the head of its device with exponential back-off up to
 * {@code max-backoff}; the device's later events wait behind it; other devices' events flow on):
 * every failure that may pass by itself or by fixing the configuration — UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED, CANCELLED, ABORTED, INTERNAL, UNKNOWN, NOT_FOUND, ALREADY_EXISTS, DATA_LOSS, and
 * UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED and no service-account token (a wrong client, role
 * or version is a configuration problem, never a property of the event: parking would bury good
 * LOCK/WIPE events). When two devices in a row fail with one of the codes that say the receiver
 * cannot take any event now (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAUTHENTICATED,
 * PERMISSION_DENIED, UNIMPLEMENTED, no token), the pass stops; the events not tried keep their turn.</li>
 * <li><b>Parked</b>: a refusal of the event itself, which no retry can change — INVALID_ARGUMENT,
 * FAILED_PRECONDITION, OUT_OF_RANGE, or a payload that cannot be read. The event is never sent again by
 * the relay ({@code parked_at}, {@code parked_reason}: the status code and the receiver's description,
 * with no token and no payload), counted by the gauge {@code neogend.outbox.parked} and logged at WARN
 * with its id, event id, kind and reason. The device's <b>later events are delivered</b>: the parked one
 * can never be, and holding a LOCK or WIPE behind it forever would be worse than delivering them out of
 * the parked one's turn. A person decides its fate (docs/operations.md): discard it, or re-queue it
 * once the receiver is fixed — it then arrives after the device's later events.</li>
 * </ul>
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** Heads locked per pass. */
    static final int BATCH = 100;
    /** Events sent per pass at most (heads and followers); the loop runs again at once after a full one. */
    static final int MAX_PER_PASS = 1000;
    /** Consecutive "receiver cannot take anything" failures (of different devices) that end a pass. */
    static final int DOWN_IN_A_ROW = 2;

    private static final int MAX_REASON = 480;
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.?[A-Za-z0-9_-]*");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+\\S+");

    private final OutboxStore store;
    private final TransactionTemplate tx;
    private final ServiceTokenSource tokens;
    private final Channel channel;
    private final Duration deadline;
    private final Duration maxBackoff;
    private final Duration keepDelivered;
    private long lastCleanup;
    private final PollingLoop loop;

    @Autowired
    OutboxRelay(
            OutboxStore store,
            TransactionTemplate tx,
            ServiceTokenSource tokens,
            TelemetryChannel channel,
            @Value("${neogend.outbox.poll-interval:1s}") Duration pollInterval,
            @Value("${neogend.outbox.deadline:5s}") Duration deadline,
            @Value("${neogend.outbox.max-backoff:5m}") Duration maxBackoff,
            @Value("${neogend.outbox.keep-delivered:7d}") Duration keepDelivered) {
        this(store, tx, tokens, channel.channel(), pollInterval, deadline, maxBackoff, keepDelivered);
    }

    /** A relay of its own (another replica, a restarted one) over any channel. */
    OutboxRelay(
            OutboxStore store,
            TransactionTemplate tx,
            ServiceTokenSource tokens,
            Channel channel,
            Duration pollInterval,
            Duration deadline,
            Duration maxBackoff,
            Duration keepDelivered) {
        this.store = store;
        this.tx = tx;
        this.tokens = tokens;
        this.channel = channel;
        this.deadline = deadline;
        this.maxBackoff = maxBackoff;
        this.keepDelivered = keepDelivered;
        this.loop = new PollingLoop("outbox-relay", pollInterval, this::pass, BATCH);
    }

    /** Deletes events delivered longer ago than {@code keep-delivered} (kept meanwhile for inquiries). */
    int deleteOldDelivered() {
        return store.deleteDeliveredBefore(keepDelivered);
    }

    /** What became of one attempt. */
    enum Outcome {
        DELIVERED,
        /** Retry later; the device waits. */
        RETRY,
        /** Retry later; the receiver can take no event now (or we cannot call it). */
        RETRY_RECEIVER_DOWN,
        /** Never retried: the receiver refuses this event for good. */
        PARK
    }

    record Attempt(Outcome outcome, String reason) {
        static final Attempt DELIVERED = new Attempt(Outcome.DELIVERED, null);
    }

    /** How a refusal is handled (see the class comment). */
    static Outcome outcomeOf(Status.Code code) {
        return switch (code) {
            case OK -> Outcome.DELIVERED;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> Outcome.PARK;
            case UNAVAILABLE,
                    DEADLINE_EXCEEDED,
                    RESOURCE_EXHAUSTED,
                    UNAUTHENTICATED,
                    PERMISSION_DENIED,
                    UNIMPLEMENTED -> Outcome.RETRY_RECEIVER_DOWN;
            case CANCELLED, UNKNOWN, NOT_FOUND, ALREADY_EXISTS, ABORTED, INTERNAL, DATA_LOSS -> Outcome.RETRY;
        };
    }

    /** Counts of one pass. */
    private static final class Pass {
        int delivered;
        int parked;
        int sent;
        int downInARow;

        int handled() {
            return delivered + parked;
        }

        boolean over() {
            return downInARow >= DOWN_IN_A_ROW || sent >= MAX_PER_PASS;
        }
    }

    /**
     * One pass: every due device's waiting events, in order, until a failure holds the device back
     * (see the class comment).
     *
     * @return events delivered or parked
     */
    int deliverDue() {
        Integer handled = tx.execute(status -> {
            List<Event> heads = store.lockDueHeads(BATCH);
            Pass pass = new Pass();
            for (Event head : heads) {
                if (pass.over()) {
                    break;
                }
                deliverInOrder(head, pass);
            }
            return pass.handled();
        });
        return handled == null ? 0 : handled;
    }

    /** A device's events from its head on, until one has to wait or the pass is over. */
    private void deliverInOrder(Event head, Pass pass) {
        Event event = head;
        while (event != null && !pass.over()) {
            pass.sent++;
            Attempt attempt = send(event.payload());
            switch (attempt.outcome()) {
                case DELIVERED -> {
                    store.delivered(event.id());
                    pass.delivered++;
                    pass.downInARow = 0;
                }
                case PARK -> {
                    store.park(event.id(), attempt.reason());
                    log.warn(
                            "outbox event {} (event id {}, {}) parked, never retried by the relay: {}; "
                                    + "the device's later events go on (see docs/operations.md)",
                            event.id(),
                            event.eventId(),
                            event.kind(),
                            attempt.reason());
                    pass.parked++;
                    pass.downInARow = 0;
                }
                case RETRY, RETRY_RECEIVER_DOWN -> {
                    Duration wait = backoff(event.attempts() + 1);
                    store.retryLater(event.id(), attempt.reason(), wait);
                    log.warn(
                            "outbox event {} (event id {}, {}) not delivered (attempt {}): {}; next try in {}; "
                                    + "the device's later events wait",
                            event.id(),
                            event.eventId(),
                            event.kind(),
                            event.attempts() + 1,
                            attempt.reason(),
                            wait);
                    pass.downInARow = attempt.outcome() == Outcome.RETRY_RECEIVER_DOWN ? pass.downInARow + 1 : 0;
                    return;
                }
            }
            event = store.lockNext(event).orElse(null);
        }
    }

    /** How the receiver answered (the reason safe to store and log: no token, no payload). */
    private Attempt send(byte[] payload) {
        Optional<String> token = tokens.token();
        if (token.isEmpty()) {
            return new Attempt(Outcome.RETRY_RECEIVER_DOWN, "no service account token");
        }
        InventoryEvent event;
        try {
            event = InventoryEvent.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return new Attempt(Outcome.PARK, "unreadable payload (" + payload.length + " bytes)");
        }
        try {
            TelemetryServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .withCallCredentials(bearer(token.get()))
                    .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                            .setEvent(event)
                            .build());
            return Attempt.DELIVERED;
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            String reason = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
            return new Attempt(outcomeOf(s.getCode()), safe(reason, token.get()));
        }
    }

    /**
     * A receiver's description made safe to store and log: the token, anything shaped like a bearer
     * token or a JWT, and control characters removed; at most {@value #MAX_REASON} characters.
     */
    static String safe(String reason, String token) {
        String r = token.isEmpty() ? reason : reason.replace(token, "[token]");
        r = BEARER.matcher(r).replaceAll("Bearer [token]");
        r = JWT.matcher(r).replaceAll("[token]");
        r = r.replaceAll("\\p{Cntrl}", " ");
        return r.length() > MAX_REASON ? r.substring(0, MAX_REASON) : r;
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

    /** Events waiting (neither delivered nor parked), the age of the oldest, and parked ones, for operators. */
    OutboxStore.Backlog backlog() {
        return store.backlog();
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
