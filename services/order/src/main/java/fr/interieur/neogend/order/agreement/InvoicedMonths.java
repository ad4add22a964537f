package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.order.money.Money;

import java.util.Map;

/** What the supplier invoiced an agreement, for its consumption (implemented by billing). */
public interface InvoicedMonths {

    /**
     * Per year, the sum of its months' invoices in force (excl. tax): each month invoiced counts once, by
     * the one invoice that is the month's (rule 14), never by every invoice posted for it.
     */
    Map<Integer, Money> invoicedPerYear(Agreement agreement, Caller caller);
}
