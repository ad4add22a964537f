package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.order.money.Money;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The framework agreement (accord-cadre à bons de commande): spending happens only through orders
 * against its price schedule, within its term and its maximum.
 *
 * @param budgets yearly envelopes excluding tax, by fiscal (calendar) year
 * @param patchSla the supplier's patch SLA clause, if the agreement has one
 */
public record Agreement(
        String id,
        String title,
        String supplierId,
        String supplierName,
        LocalDate notifiedOn,
        int termMonths,
        long minPacks,
        long maxPacks,
        Money estimatedValue,
        BigDecimal vatRate,
        Map<Integer, Money> budgets,
        List<CatalogueItem> priceSchedule,
        Optional<PatchSlaClause> patchSla) {

    public Agreement {
        budgets = Map.copyOf(budgets);
        priceSchedule = List.copyOf(priceSchedule);
    }

    /**
     * The supplier's patch SLA (issue 20): it publishes the release answering an Android security bulletin
     * within {@code delayDays} of the bulletin; each day later is a late day of that release, deducted from
     * the statement of the month the release was published at {@code penaltyPerDay}, if the clause sets one.
     */
    public record PatchSlaClause(int delayDays, Optional<Money> penaltyPerDay) {}

    /** First day after the term. */
    public LocalDate termEnd() {
        return notifiedOn.plusMonths(termMonths);
    }

    public boolean inTerm(LocalDate day) {
        return !day.isBefore(notifiedOn) && day.isBefore(termEnd());
    }

    public Optional<CatalogueItem> item(String code) {
        return priceSchedule.stream().filter(i -> i.code().equals(code)).findFirst();
    }

    public Money budget(int fiscalYear) {
        return budgets.getOrDefault(fiscalYear, Money.ZERO);
    }
}
