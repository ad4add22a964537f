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
     * An order was cancelled: withdrawn if it had not reached the supplier yet, its cancellation
     * queued for the supplier if it had (same transaction as the cancellation).
     */
    void cancelled(PurchaseOrder order, String reason, Instant at);
}
