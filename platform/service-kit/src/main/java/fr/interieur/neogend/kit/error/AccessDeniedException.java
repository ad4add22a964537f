package fr.interieur.neogend.kit.error;

/** The caller is known but may not do this (PERMISSION_DENIED). */
public class AccessDeniedException extends DomainException {

    public AccessDeniedException(String message) {
        super(message);
    }
}
