package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.money.Money;

import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

/** What billing reads and writes in the order database (implemented in persistence). */
public interface BillingRepository {

    /** Units of an item received in a month for an agreement, at one order price. */
    record Received(String itemCode, long quantity, Money unitPrice) {}

    /**
     * Accessories and spare parts received in the month, per code and price. Training-day lines of an
     * order are not among them, even received on a delivery note: training is billed per session day
     * held (rule 13), from the training service.
     */
    List<Received> receivedIn(String agreementId, YearMonth month);

    /** The device models delivered under the agreement (its releases count for its patch SLA). */
    java.util.Set<String> deliveredModels(String agreementId);

    String nextInvoiceId();

    /** Stores an invoice; false when its number is taken for the agreement. */
    boolean insert(Invoice invoice, String actor);

    Optional<Invoice> findInvoice(String id);

    /** The invoices of an agreement, by month, each month's in the order they were posted. */
    List<Invoice> invoicesOf(String agreementId);

    /** The invoices of the same agreement and month posted before this one, in the order they were posted. */
    List<Invoice> invoicesPostedBefore(Invoice invoice);
}
