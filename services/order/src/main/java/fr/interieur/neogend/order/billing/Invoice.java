package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.money.Money;

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
        Money totalExclTax,
        Instant createdAt) {

    public Invoice {
        lines = List.copyOf(lines);
    }

    /** One line, per item code. */
    public record Line(String itemCode, long quantity, Money amount) {}
}
