package fr.interieur.neogend.order.purchaseorder;

import java.time.Instant;

/**
 * Approved orders waiting to reach the supplier (DOMAIN rule 6), written in the caller's transaction:
 * an approved order is never lost. Implemented by the supplier package's outbox and relay.
 */
public interface SupplierQueue {

    /** Queues an approved order for the supplier (idempotency key: its number). */
    void enqueue(PurchaseOrder order, Instant at);

    /**
     * Takes the order's row in the outbox, before the caller changes the order's row: waits while the
     * relay is sending the order, and keeps the relay off it until the caller's transaction ends. The
     * relay locks the outbox row, then (once the supplier received the order) the order's row; a
     * cancellation takes them in the same order, so the two never deadlock — a deadlock's victim could
     * be the relay, leaving the supplier with an order it is never told was cancelled.
     */
    void holdOrder(String orderNumber);

    /**
     * An order was cancelled: withdrawn if it had not reached the supplier yet, its cancellation
     * queued for the supplier if it had or may have — tried without a clear answer, e.g. cut at the
     * time limit (same transaction as the cancellation). An order never tried is only withdrawn.
     */
    void cancelled(PurchaseOrder order, String reason, Instant at);

    /**
     * The supplier acknowledged an order whose receipt the relay never confirmed (an answer cut at the time
     * limit, lost, or a 5xx after it recorded it): when the order was tried and not refused, it is recorded
     * as received, never sent again, and true is returned; false otherwise (never tried, refused, or
     * confirmed already). Call it holding the order's outbox row ({@link #holdOrder}).
     */
    boolean receivedAsAcknowledged(String orderNumber);
}
