package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;

import java.math.BigDecimal;
import java.util.List;

/**
 * A monthly lease statement (DOMAIN rule 13), amounts in euros excluding tax unless said.
 *
 * @param lines one per pack type leased, per item received and per course delivered, by item code
 */
public record Statement(
        String agreementId,
        int year,
        int month,
        int daysInMonth,
        List<Line> lines,
        Money totalExclTax,
        BigDecimal vatRate,
        Money vat,
        Money totalInclTax) {

    public Statement {
        lines = List.copyOf(lines);
    }

    /**
     * One line.
     *
     * @param quantity   packs billed (with at least one day), units received, or training days
     * @param billedDays pack-days (pack leases only)
     * @param courseCode training lines: the course (one line per course)
     */
    public record Line(
            String itemCode,
            ItemKind kind,
            String label,
            long quantity,
            long billedDays,
            Money unitPrice,
            Money amount,
            java.util.Optional<String> courseCode) {

        public Line(
                String itemCode,
                ItemKind kind,
                String label,
                long quantity,
                long billedDays,
                Money unitPrice,
                Money amount) {
            this(itemCode, kind, label, quantity, billedDays, unitPrice, amount, java.util.Optional.empty());
        }
    }
}
