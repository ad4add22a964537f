package fr.interieur.neogend.contract;

/**
 * A value a caller sent that is not of the shape its field requires (a decimal, a date); the message
 * names the field and never repeats the value.
 */
public final class InvalidValueException extends IllegalArgumentException {

    private final String field;
    private final String problem;

    InvalidValueException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The field's path, e.g. {@code invoice.lines[2].amount}. */
    public String field() {
        return field;
    }

    /** What is wrong, e.g. "has more than 2 digits after the point". */
    public String problem() {
        return problem;
    }
}
