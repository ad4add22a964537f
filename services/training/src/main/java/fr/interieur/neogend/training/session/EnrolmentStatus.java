package fr.interieur.neogend.training.session;

import java.util.EnumSet;
import java.util.Set;

/** Where a technician stands in a session (rule 17). Stored by name. */
public enum EnrolmentStatus {
    /** Holds a seat. */
    ENROLLED,
    /** Waits for a seat; takes the first one freed, in order of arrival. */
    WAITLISTED,
    /**
     * Left: its seat before the session's first day, or the waiting list at any time; may enrol again up to the
     * first day (to a free seat only on that day).
     */
    WITHDRAWN,
    /** Attended and passed. */
    PASSED,
    /** Attended and failed. */
    FAILED,
    /** Did not attend. */
    ABSENT;

    /** The statuses that hold a seat: enrolled, or sat the session (its result recorded). */
    public static final Set<EnrolmentStatus> SEATED = EnumSet.of(ENROLLED, PASSED, FAILED, ABSENT);

    /** The result recorded for a technician who held a seat. */
    public static EnrolmentStatus result(boolean attended, boolean passed) {
        return !attended ? ABSENT : passed ? PASSED : FAILED;
    }
}
