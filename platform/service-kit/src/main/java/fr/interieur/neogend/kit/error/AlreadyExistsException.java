package fr.interieur.neogend.kit.error;

/** The resource to create exists already (ALREADY_EXISTS). */
public class AlreadyExistsException extends DomainException {

    public AlreadyExistsException(String message) {
        super(message);
    }
}
