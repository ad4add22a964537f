package fr.interieur.neogend.gateway.transcoding;

/**
 * A request that cannot be turned into its RPC: the HTTP status to answer and, when one field is
 * to blame, its name.
 */
public class TranscodingException extends RuntimeException {

    private final int httpStatus;
    private final String field;

    public TranscodingException(int httpStatus, String field, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.field = field;
    }

    public static TranscodingException badField(String field, String message) {
        return new TranscodingException(400, field, message);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The offending field (proto path), or null. */
    public String field() {
        return field;
    }
}
