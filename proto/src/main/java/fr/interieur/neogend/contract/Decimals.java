package fr.interieur.neogend.contract;

import java.math.BigDecimal;

/**
 * The one parser of decimal numbers sent by callers (amounts, rates): plain notation only —
 * optional minus sign where allowed, digits, optionally a point and more digits. No exponent (a
 * ten-character {@code 1e99999999} would otherwise expand to a hundred million digits), no plus
 * sign, no spaces, no thousands separators, a bounded number of digits on each side. It reads the
 * characters itself and only then builds the {@link BigDecimal}, so no input costs more than its
 * length.
 */
public final class Decimals {

    /** Digits before the point that any decimal field may hold, whatever its rule says. */
    public static final int MAX_INTEGER_DIGITS = 18;
    /** Digits after the point that any decimal field may hold, whatever its rule says. */
    public static final int MAX_FRACTION_DIGITS = 10;

    private Decimals() {}

    /** The shape a field's decimals must have. */
    public record Shape(int integerDigits, int fractionDigits, boolean signed) {

        /** Euros: up to 12 digits before the point (under a thousand billion), 2 after, not negative. */
        public static final Shape MONEY = new Shape(12, 2, false);

        public Shape {
            if (integerDigits < 1
                    || integerDigits > MAX_INTEGER_DIGITS
                    || fractionDigits < 0
                    || fractionDigits > MAX_FRACTION_DIGITS) {
                throw new IllegalArgumentException("a decimal shape takes 1.." + MAX_INTEGER_DIGITS
                        + " integer digits and 0.." + MAX_FRACTION_DIGITS + " fraction digits");
            }
        }

        /** How a caller should write such a number, for error messages. */
        public String describe() {
            String example = switch (fractionDigits) {
                case 0 -> "1234";
                case 1 -> "1234.5";
                default -> "1234.50";
            };
            return "a decimal number in plain notation such as \"" + example + "\": at most " + integerDigits
                    + " digits before the point and " + fractionDigits + " after, no exponent"
                    + (signed ? "" : ", not negative");
        }
    }

    /** Why a text is not a decimal of this shape, or null when it is one. */
    public static String problem(String text, Shape shape) {
        if (text == null || text.isEmpty()) {
            return "is required: " + shape.describe();
        }
        int i = 0;
        int n = text.length();
        if (text.charAt(0) == '-') {
            if (!shape.signed()) {
                return "must not be negative";
            }
            i = 1;
        }
        int integerDigits = 0;
        while (i < n && isDigit(text.charAt(i))) {
            integerDigits++;
            i++;
        }
        int fractionDigits = 0;
        boolean point = i < n && text.charAt(i) == '.';
        if (point) {
            i++;
            while (i < n && isDigit(text.charAt(i))) {
                fractionDigits++;
                i++;
            }
        }
        if (i < n || integerDigits == 0 || point && fractionDigits == 0) {
            return "is not " + shape.describe();
        }
        if (integerDigits > shape.integerDigits()) {
            return "has more than " + shape.integerDigits() + " digits before the point";
        }
        if (fractionDigits > shape.fractionDigits()) {
            return "has more than " + shape.fractionDigits() + " digits after the point";
        }
        return null;
    }

    /**
     * The value of a decimal text of this shape, with exactly {@code shape.fractionDigits()} digits
     * after the point ("12.5" → 12.50 for money).
     *
     * @param field the field's path, named in the refusal
     * @throws InvalidValueException when the text is not such a number
     */
    public static BigDecimal parse(String text, Shape shape, String field) {
        String problem = problem(text, shape);
        if (problem != null) {
            throw new InvalidValueException(field, problem);
        }
        return new BigDecimal(text).setScale(shape.fractionDigits());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
