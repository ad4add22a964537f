package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.order.money.Money;

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
        Map<Integer, FiscalYear> byFiscalYear,
        long packsReceived,
        Money amountInvoiced,
        long packsTransferredIn) {

    public long headroom() {
        return maxPacks - packsOrdered;
    }

    public long forecastShortfall() {
        return Math.max(0, minPacks - forecastPacks);
    }

    /** A fiscal year's envelope, what approved orders commit in it and what was invoiced in it (excl. tax). */
    public record FiscalYear(Money budget, Money committed, Money invoiced) {

        public Money remaining() {
            return budget.minus(committed);
        }
    }
}
