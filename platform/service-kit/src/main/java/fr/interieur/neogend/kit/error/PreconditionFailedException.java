package fr.interieur.neogend.kit.error;

/** The operation is not allowed in the resource's current state (FAILED_PRECONDITION). */
public class PreconditionFailedException extends DomainException {

    public PreconditionFailedException(String message) {
        super(message);
    }
}
