package fr.interieur.neogend.order.purchaseorder;

import java.time.Instant;

/**
 * Approved orders waiting to reach the supplier (DOMAIN rule 6), written in the caller's transaction:
 * an approved order is never lost. Implemented by the supplier package's outbox and relay.
 */
public interface SupplierQueue {

    /** Queues an approved order for the supplier (idempotency key: its number). */
    void enqueue(PurchaseOrder order, Instant at);

    /** Withdraws an order not yet sent (it was cancelled): false when it has reached the supplier already. */
    boolean withdraw(String orderNumber);
}
