package fr.interieur.neogend.order.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A monthly invoice posted by the supplier (amounts excluding tax). */
public record Invoice(
        String id,
        String agreementId,
        String invoiceNumber,
        int year,
        int month,
        List<Line> lines,
        BigDecimal totalExclTax,
        Instant createdAt) {

    public Invoice {
        lines = List.copyOf(lines);
    }

    /** One line, per item code. */
    public record Line(String itemCode, long quantity, BigDecimal amount) {}
}
