package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.money.Money;

import java.util.List;

/** An invoice compared with our statement, line by line (DOMAIN rule 14). */
/**
 * @param monthInvoicedBy an earlier invoice of the same agreement and month that matches the statement already
 *     (this one then does not match: the month would be paid twice)
 */
public record Reconciliation(
        String invoiceId,
        boolean matches,
        List<Line> lines,
        Money statementTotal,
        Money invoiceTotal,
        java.util.Optional<String> monthInvoicedBy) {

    public Reconciliation {
        lines = List.copyOf(lines);
    }

    public Money difference() {
        return invoiceTotal.minus(statementTotal);
    }

    /** How one item code compares. */
    public enum Status {
        MATCHES,
        DIFFERS,
        NOT_INVOICED,
        NOT_IN_STATEMENT
    }

    /** One item code on either side. */
    public record Line(
            String itemCode,
            long statementQuantity,
            long invoiceQuantity,
            Money statementAmount,
            Money invoiceAmount,
            Status status) {

        public Money difference() {
            return invoiceAmount.minus(statementAmount);
        }
    }
}
