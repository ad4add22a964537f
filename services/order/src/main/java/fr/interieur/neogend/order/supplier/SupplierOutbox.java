package fr.interieur.neogend.order.supplier;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The messages waiting to reach the supplier, written in the transaction of what they tell (an
 * approval, a cancellation, an exchange request), so none is lost (rule 6). Table {@code supplier_outbox},
 * owned by the persistence adapter implementing this port; sent by the relay of the supplierclient package.
 */
public interface SupplierOutbox {

    /** A message due, locked for the caller's transaction (other relays skip it). */
    record Due(long id, SupplierMessage message, int attempts) {}

    /** Queues a message, due at once. A cancellation queued twice is kept once. */
    default void enqueue(SupplierMessage message, Instant at) {
        enqueue(message, at, at);
    }

    /** Queues a message, first tried at {@code due}. A cancellation queued twice is kept once. */
    void enqueue(SupplierMessage message, Instant at, Instant due);

    /**
     * Locks the order's row (if it was queued) until the transaction ends, waiting for a relay sending
     * it; the relay skips it meanwhile. Taken before the order's own row (the relay's order of locks).
     */
    void lockOrder(String orderNumber);

    /** Withdraws an order not delivered yet; false when it was delivered (or never queued). */
    boolean withdrawOrder(String orderNumber);

    /** Whether the supplier received the order. */
    boolean orderDelivered(String orderNumber);

    /**
     * Whether the supplier may hold the order: it received it, or it was tried at least once and not
     * refused — an attempt cut at the time limit, a lost answer or a 5xx may come after the supplier
     * recorded it.
     */
    boolean orderMayHaveReached(String orderNumber);

    /** Up to {@code limit} messages due now, oldest first, locked (skipping those another relay holds). */
    List<Due> lockDue(int limit);

    void delivered(long id, String supplierReference);

    /** Records the order as received by the supplier (not sent again), if it was not already. */
    void orderReceived(String orderNumber, String supplierReference);

    void refused(long id, String reason);

    /** Keeps the message for another attempt after {@code wait}. */
    void retryLater(long id, String reason, Duration wait);
}
