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
        List<CatalogueItem> priceSchedule) {

    public Agreement {
        budgets = Map.copyOf(budgets);
        priceSchedule = List.copyOf(priceSchedule);
    }

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
