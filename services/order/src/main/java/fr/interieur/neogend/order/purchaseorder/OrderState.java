package fr.interieur.neogend.order.purchaseorder;

import java.util.EnumSet;
import java.util.Set;

/** States of a purchase order (DOMAIN rule 4). */
public enum OrderState {
    DRAFT,
    SUBMITTED,
    APPROVED,
    SENT,
    ACKNOWLEDGED,
    PARTIALLY_DELIVERED,
    DELIVERED,
    CLOSED,
    CANCELLED,
    REJECTED;

    /** States whose packs and amount count against the agreement's maximum and budgets. */
    public static final Set<OrderState> COMMITTED =
            EnumSet.of(APPROVED, SENT, ACKNOWLEDGED, PARTIALLY_DELIVERED, DELIVERED, CLOSED);

    /**
     * States a supplier sees: the order has reached it (and, in CANCELLED, only an order cancelled
     * after it reached the supplier — see PurchaseOrderService).
     */
    public static final Set<OrderState> SUPPLIER_VISIBLE =
            EnumSet.of(SENT, ACKNOWLEDGED, PARTIALLY_DELIVERED, DELIVERED, CLOSED);
}
