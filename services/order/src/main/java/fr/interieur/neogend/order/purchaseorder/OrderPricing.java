package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;

import java.time.LocalDate;
import java.util.List;

/**
 * What an order commits in its fiscal year (the calendar year of its requested delivery date), in
 * exact decimals: a pack lease line commits its monthly price for each month from the requested
 * month to December (the lease goes on afterwards, against later years' statements); any other line
 * commits quantity × unit price.
 */
public final class OrderPricing {

    private OrderPricing() {}

    public static Money amount(List<OrderLine> lines, LocalDate requestedDate) {
        int monthsLeft = 13 - requestedDate.getMonthValue();
        Money total = Money.ZERO;
        for (OrderLine line : lines) {
            Money lineAmount = line.unitPrice().times(line.quantity());
            if (line.kind() == ItemKind.PACK_LEASE) {
                lineAmount = lineAmount.times(monthsLeft);
            }
            total = total.plus(lineAmount);
        }
        return total;
    }

    public static long packs(List<OrderLine> lines) {
        return lines.stream()
                .filter(l -> l.kind() == ItemKind.PACK_LEASE)
                .mapToLong(OrderLine::quantity)
                .sum();
    }
}
