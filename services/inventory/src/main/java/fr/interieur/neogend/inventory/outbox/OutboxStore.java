package fr.interieur.neogend.inventory.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The transactional outbox of events for other services (table {@code outbox}, owned by the
 * persistence adapter implementing this port). Written in the transaction of the change it tells, so
 * an event exists if and only if its change committed; delivered by the relay in each device's
 * ({@code subject}'s) order of ids, at least once; an event the receiver refuses for good is parked.
 */
public interface OutboxStore {

    /** An event waiting, with its serialized payload. */
    record Event(long id, String eventId, String kind, String subject, byte[] payload, int attempts) {}

    /** Events waiting (neither delivered nor parked), the age of the oldest, and parked ones, for operators. */
    record Backlog(long pending, Optional<Instant> oldest, long parked) {}

    /** Queues one event for {@code destination}, due at {@code at}. */
    void write(UUID eventId, String destination, String kind, String subject, byte[] payload, Instant at);

    /**
     * Up to {@code limit} due events that are the first waiting one of their subject, in id order, locked
     * for the caller's transaction; those another relay holds are skipped.
     */
    List<Event> lockDueHeads(int limit);

    /**
     * The subject's next waiting event after {@code after}, locked (never skipped: skipping it would hand
     * over a later one).
     */
    Optional<Event> lockNext(Event after);

    void delivered(long id);

    /** Never retried again, by any relay; the reason kept for a person. */
    void park(long id, String reason);

    /** Kept for another attempt after {@code wait}; the subject's later events wait behind it. */
    void retryLater(long id, String reason, Duration wait);

    /** Deletes events delivered longer ago than {@code keep}; how many. */
    int deleteDeliveredBefore(Duration keep);

    Backlog backlog();
}
