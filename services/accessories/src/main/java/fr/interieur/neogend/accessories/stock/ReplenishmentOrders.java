package fr.interieur.neogend.accessories.stock;

import java.time.LocalDate;

/**
 * The order service's purchase orders, for replenishment drafts (implemented over gRPC in the peerclient
 * package, on the current caller's behalf).
 */
public interface ReplenishmentOrders {

    /**
     * Creates a DRAFT purchase order of one line and returns its number. Repeating it with the same
     * key returns the same order.
     */
    String draft(
            String agreementId,
            String deliverySite,
            LocalDate requestedDate,
            String agreementItemCode,
            long quantity,
            String idempotencyKey);

    /**
     * Whether a failure of {@link #draft} is the order service's answer that no draft was made (a refusal:
     * an unknown agreement, an item it does not price…), rather than a call whose outcome is unknown (the
     * service unreachable, the answer lost or late, the first call with the key still running).
     */
    boolean refused(RuntimeException failure);
}
