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
}
