package fr.interieur.neogend.order.purchaseorder;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Storage of purchase orders (implemented in the persistence package). */
public interface PurchaseOrderRepository {

    /** A new order number for a fiscal year, e.g. BC-2026-000001. */
    String nextNumber(int fiscalYear);

    void insert(PurchaseOrder order, String actor);

    /**
     * Keeps with a new order the Idempotency-Key a service sent on its own behalf ({@code <service>:<key>});
     * false when another order holds it already.
     */
    boolean keepServiceKey(String number, String serviceKey);

    /** The order created under a service's key, whenever it was. */
    Optional<String> numberOfServiceKey(String serviceKey);

    /** Locks the order's row until the transaction ends. */
    void lock(String number);

    /** The order with its lines and transitions. */
    Optional<PurchaseOrder> find(String number);

    /**
     * Stores a new state if the stored version is still {@code expectedVersion}, with the transition;
     * false when another change came first.
     */
    boolean changeState(String number, long expectedVersion, OrderTransition transition);

    /** A filtered listing, newest first, after a cursor ({@code createdAt micros|number}). */
    List<PurchaseOrder> list(
            Optional<OrderState> state,
            Collection<String> agreementIds,
            Collection<OrderState> states,
            boolean reachedSupplier,
            Optional<String> after,
            int limit);
}
