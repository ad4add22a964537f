package fr.interieur.neogend.kit.error;

import java.util.ArrayList;
import java.util.List;

/** Collects field violations, then throws them together so a caller fixes everything at once. */
public final class Validation {

    private final List<InvalidArgumentException.Violation> violations = new ArrayList<>();

    public Validation check(boolean ok, String field, String description) {
        if (!ok) {
            violations.add(new InvalidArgumentException.Violation(field, description));
        }
        return this;
    }

    public Validation required(String value, String field) {
        return check(value != null && !value.isBlank(), field, "is required");
    }

    public void throwIfInvalid() {
        if (!violations.isEmpty()) {
            throw new InvalidArgumentException(violations);
        }
    }
}
