package fr.interieur.neogend.kit.error;

import java.util.ArrayList;
import java.util.List;

/**
 * The request is malformed (INVALID_ARGUMENT). Carries one violation per bad field, named by its
 * proto field path (e.g. {@code device.imei}) so REST clients learn which field to fix.
 */
public class InvalidArgumentException extends DomainException {

    /** One bad field and why. */
    public record Violation(String field, String description) {}

    /** How many violations the message spells out; all of them stay in {@link #violations()}. */
    private static final int SUMMARISED = 5;

    private final List<Violation> violations;

    public InvalidArgumentException(List<Violation> violations) {
        this(violations, violations.size());
    }

    /** The first violations found, and how many there are in all (when only the first were kept). */
    public InvalidArgumentException(List<Violation> violations, int total) {
        super(summary(violations, total));
        this.violations = List.copyOf(violations);
    }

    public static InvalidArgumentException of(String field, String description) {
        return new InvalidArgumentException(List.of(new Violation(field, description)));
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String summary(List<Violation> violations, int total) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid argument needs at least one violation");
        }
        List<String> parts = new ArrayList<>();
        for (Violation v : violations.subList(0, Math.min(SUMMARISED, violations.size()))) {
            parts.add(v.field() + ": " + v.description());
        }
        int all = Math.max(total, violations.size());
        String more = all > SUMMARISED ? " (" + all + " problems in all)" : "";
        return "invalid request: " + String.join("; ", parts) + more;
    }
}
