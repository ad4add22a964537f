package fr.interieur.neogend.kit.error;

/**
 * The caller's credential is not (or no longer) valid — e.g. a device revoked in the middle of a stream.
 * Maps to UNAUTHENTICATED (HTTP 401).
 */
public class UnauthenticatedException extends DomainException {

    public UnauthenticatedException(String message) {
        super(message);
    }
}
