package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.order.agreement.ItemKind;

import java.math.BigDecimal;
import java.math.RoundingMode;
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

    public static BigDecimal amount(List<OrderLine> lines, LocalDate requestedDate) {
        int monthsLeft = 13 - requestedDate.getMonthValue();
        BigDecimal total = BigDecimal.ZERO;
        for (OrderLine line : lines) {
            BigDecimal lineAmount = line.unitPrice().multiply(BigDecimal.valueOf(line.quantity()));
            if (line.kind() == ItemKind.PACK_LEASE) {
                lineAmount = lineAmount.multiply(BigDecimal.valueOf(monthsLeft));
            }
            total = total.add(lineAmount);
        }
        return total.setScale(2, RoundingMode.HALF_UP);
    }

    public static long packs(List<OrderLine> lines) {
        return lines.stream()
                .filter(l -> l.kind() == ItemKind.PACK_LEASE)
                .mapToLong(OrderLine::quantity)
                .sum();
    }
}
