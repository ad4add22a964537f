package fr.interieur.neogend.training.technician;

/**
 * Who may be trained: the users of the realm holding the technician role (issue 17). Enrolments,
 * results and certifications name such people only, never a made-up name.
 */
public interface TechnicianDirectory {

    /** What the realm says of a user name. */
    enum Answer {
        /** An enabled user of the realm holding the technician role. */
        TECHNICIAN,
        /** A user of the realm without the technician role. */
        NOT_A_TECHNICIAN,
        /** A user of the realm whose account is disabled. */
        DISABLED,
        /** No user of that name in the realm. */
        UNKNOWN
    }

    /**
     * The realm's answer for a user name. Throws UNAVAILABLE (a {@code StatusRuntimeException}) when the
     * realm cannot be asked: an unreachable directory is never taken for an unknown user.
     */
    Answer lookup(String username);
}
