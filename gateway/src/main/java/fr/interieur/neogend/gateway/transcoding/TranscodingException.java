package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.contract.RequestRules;

import java.util.List;

/**
 * A request that cannot be turned into its RPC: the HTTP status to answer and the fields to blame
 * (proto paths), when there are some.
 */
public class TranscodingException extends RuntimeException {

    private final int httpStatus;
    private final List<RequestRules.Violation> violations;

    public TranscodingException(int httpStatus, String field, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.violations = field == null ? List.of() : List.of(new RequestRules.Violation(field, message));
    }

    private TranscodingException(List<RequestRules.Violation> violations, int total) {
        super(summary(violations, total));
        this.httpStatus = 400;
        this.violations = List.copyOf(violations);
    }

    public static TranscodingException badField(String field, String message) {
        return new TranscodingException(400, field, message);
    }

    /** A request that breaks the rules its protos declare: the first violations, and how many in all. */
    public static TranscodingException of(List<RequestRules.Violation> violations, int total) {
        return new TranscodingException(violations, total);
    }

    private static String summary(List<RequestRules.Violation> violations, int total) {
        StringBuilder text = new StringBuilder("invalid request: ");
        for (int i = 0; i < Math.min(3, violations.size()); i++) {
            text.append(i == 0 ? "" : "; ")
                    .append(violations.get(i).field())
                    .append(' ')
                    .append(violations.get(i).description());
        }
        if (total > 3) {
            text.append(" (").append(total).append(" problems in all)");
        }
        return text.toString();
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The offending field (proto path) when one is to blame, or null. */
    public String field() {
        return violations.isEmpty() ? null : violations.get(0).field();
    }

    /** Every offending field and what is wrong with it (empty when no field is to blame). */
    public List<RequestRules.Violation> violations() {
        return violations;
    }
}
