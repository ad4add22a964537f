package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.money.Money;

import java.util.List;

/** An invoice compared with our statement, line by line (DOMAIN rule 14). */
public record Reconciliation(
        String invoiceId, boolean matches, List<Line> lines, Money statementTotal, Money invoiceTotal) {

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
