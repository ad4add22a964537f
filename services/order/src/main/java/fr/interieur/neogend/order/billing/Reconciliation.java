package fr.interieur.neogend.order.billing;

import java.math.BigDecimal;
import java.util.List;

/** An invoice compared with our statement, line by line (DOMAIN rule 14). */
public record Reconciliation(
        String invoiceId, boolean matches, List<Line> lines, BigDecimal statementTotal, BigDecimal invoiceTotal) {

    public Reconciliation {
        lines = List.copyOf(lines);
    }

    public BigDecimal difference() {
        return invoiceTotal.subtract(statementTotal);
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
            BigDecimal statementAmount,
            BigDecimal invoiceAmount,
            Status status) {

        public BigDecimal difference() {
            return invoiceAmount.subtract(statementAmount);
        }
    }
}
