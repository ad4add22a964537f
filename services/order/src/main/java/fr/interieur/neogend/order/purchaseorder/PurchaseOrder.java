package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.order.money.Money;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A purchase order (bon de commande).
 *
 * @param amount      amount committed in {@code fiscalYear}, excluding tax (see {@link OrderPricing})
 * @param transitions every state change, oldest first (empty in listings)
 */
public record PurchaseOrder(
        String number,
        String agreementId,
        OrderState state,
        String deliverySite,
        LocalDate requestedDate,
        int fiscalYear,
        Money amount,
        long packCount,
        List<OrderLine> lines,
        List<OrderTransition> transitions,
        Instant createdAt,
        long version) {

    public PurchaseOrder {
        lines = List.copyOf(lines);
        transitions = List.copyOf(transitions);
    }
}
