package fr.interieur.neogend.kit.error;

/**
 * Nothing was done because something the service needs is unavailable for a moment (its database):
 * the caller sends the same request again later. Maps to UNAVAILABLE (HTTP 503).
 */
public class UnavailableException extends DomainException {

    public UnavailableException(String message) {
        super(message);
    }
}
