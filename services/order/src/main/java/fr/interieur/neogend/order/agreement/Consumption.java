package fr.interieur.neogend.order.agreement;

import java.math.BigDecimal;
import java.util.Map;

/**
 * How much of an agreement is used.
 *
 * @param forecastPacks packs ordered by the end of the term at the pace so far
 * @param byFiscalYear  per year: budget, committed, invoiced
 * @param packsOrdered  packs of its approved (or later) orders, and packs transferred in from a predecessor
 * @param packsReceived packs whose device was received
 * @param packsTransferredIn packs that came from a predecessor agreement (counted in packsOrdered)
 */
public record Consumption(
        String agreementId,
        long packsOrdered,
        long maxPacks,
        long minPacks,
        long forecastPacks,
        Map<String, Long> byPackType,
        Map<Integer, BigDecimal[]> byFiscalYear,
        long packsReceived,
        BigDecimal amountInvoiced,
        long packsTransferredIn) {

    public long headroom() {
        return maxPacks - packsOrdered;
    }

    public long forecastShortfall() {
        return Math.max(0, minPacks - forecastPacks);
    }
}
