package fr.interieur.neogend.order.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An amount in euros, exact to the cent (DOMAIN rule 13: statements are exact). Always held with two
 * decimals, so two equal amounts are {@code equals} whatever the notation they were read from
 * ("21.9" and "21.90"); an amount with a fraction of a cent cannot be built. The only roundings are the
 * ones the rules name, each rounding half up to the cent once: a monthly price prorated to the days
 * billed ({@link #prorated}) and the VAT ({@link #at}). Amounts are read from callers by the contract's
 * one decimal parser ({@code Decimals}, in the gRPC adapter) and from the database's {@code numeric(…, 2)}
 * columns.
 *
 * @param euros the amount, scale 2; negative only for a difference (reconciliation)
 */
public record Money(BigDecimal euros) implements Comparable<Money> {

    public static final Money ZERO = new Money(BigDecimal.ZERO);

    public Money {
        Objects.requireNonNull(euros, "euros");
        try {
            euros = euros.setScale(2, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(euros.toPlainString() + " is not a whole number of cents", e);
        }
    }

    /** An amount written in plain notation, e.g. {@code Money.of("21.90")} (tests, demo data, constants). */
    public static Money of(String plain) {
        return new Money(new BigDecimal(plain));
    }

    public Money plus(Money other) {
        return new Money(euros.add(other.euros));
    }

    public Money minus(Money other) {
        return new Money(euros.subtract(other.euros));
    }

    /** This amount {@code times} times, e.g. a unit price × a quantity (exact). */
    public Money times(long times) {
        return new Money(euros.multiply(BigDecimal.valueOf(times)));
    }

    /**
     * This amount × {@code part} ÷ {@code whole}, rounded half up to the cent: a monthly pack price for
     * the pack-days billed of a month of {@code whole} days (rule 13).
     */
    public Money prorated(long part, long whole) {
        if (whole <= 0) {
            throw new IllegalArgumentException("prorated over " + whole + " days");
        }
        return new Money(
                euros.multiply(BigDecimal.valueOf(part)).divide(BigDecimal.valueOf(whole), 2, RoundingMode.HALF_UP));
    }

    /** This amount × a rate (e.g. VAT 0.20), rounded half up to the cent. */
    public Money at(BigDecimal rate) {
        return new Money(euros.multiply(rate).setScale(2, RoundingMode.HALF_UP));
    }

    public boolean isNegative() {
        return euros.signum() < 0;
    }

    public boolean isGreaterThan(Money other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Money other) {
        return euros.compareTo(other.euros);
    }

    /** Plain notation with two decimals, "1234.50": what the API, the CSV and messages show. */
    @Override
    public String toString() {
        return euros.toPlainString();
    }
}
