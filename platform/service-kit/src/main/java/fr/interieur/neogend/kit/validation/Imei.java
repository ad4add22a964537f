package fr.interieur.neogend.kit.validation;

/** International Mobile Equipment Identity: 15 digits, the last one a Luhn check digit. */
public final class Imei {

    private Imei() {}

    /** Why {@code value} is not a valid IMEI, or null when it is. */
    public static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "is required";
        }
        if (value.length() != 15 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "must be exactly 15 digits";
        }
        if (!luhnValid(value)) {
            return "has a wrong check digit (Luhn)";
        }
        return null;
    }

    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    /** The Luhn check digit that completes a 14-digit body. */
    public static char checkDigit(String body14) {
        int sum = 0;
        for (int i = 0; i < body14.length(); i++) {
            int d = body14.charAt(i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return (char) ('0' + (10 - sum % 10) % 10);
    }

    private static boolean luhnValid(String digits) {
        return checkDigit(digits.substring(0, 14)) == digits.charAt(14);
    }
}
