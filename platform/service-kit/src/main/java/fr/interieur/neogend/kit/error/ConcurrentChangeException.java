package fr.interieur.neogend.kit.error;

/**
 * The thing changed between the caller's read and its write (optimistic locking): the caller lost the
 * race and should read again and retry. Maps to ABORTED (HTTP 409).
 */
public class ConcurrentChangeException extends DomainException {

    public ConcurrentChangeException(String message) {
        super(message);
    }
}
