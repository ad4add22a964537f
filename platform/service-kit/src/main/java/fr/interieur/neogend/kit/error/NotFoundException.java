package fr.interieur.neogend.kit.error;

/** The resource does not exist, or the caller may not know that it does (NOT_FOUND). */
public class NotFoundException extends DomainException {

    public NotFoundException(String message) {
        super(message);
    }
}
