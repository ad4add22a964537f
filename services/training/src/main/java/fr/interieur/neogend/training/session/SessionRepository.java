package fr.interieur.neogend.training.session;

import fr.interieur.neogend.training.session.SessionService.DeliveredDays;
import fr.interieur.neogend.training.session.SessionService.Session;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Storage of training sessions and their enrolments (tables {@code training_session} and
 * {@code enrolment}, owned by the persistence adapter implementing this port).
 */
public interface SessionRepository {

    /** The next session id, {@code TS-000001} onwards. */
    String nextId();

    void insert(
            String id,
            String courseCode,
            LocalDate startDate,
            LocalDate endDate,
            String place,
            int capacity,
            String trainer);

    /** The session with its enrolments in order of arrival. */
    Optional<Session> find(String id);

    /**
     * Locks the session's row until the transaction ends (every enrolment change of one session is
     * serialised on it), then reads it as {@link #find}.
     */
    Optional<Session> lock(String id);

    /**
     * Sessions whose last day is on or after {@code endsOnOrAfter}, of one course when not empty, after
     * the key (first day, id) when given, by first day then id, at most {@code limit}, with their
     * enrolments.
     */
    List<Session> page(
            LocalDate endsOnOrAfter,
            String courseCode,
            Optional<LocalDate> afterStart,
            Optional<String> afterId,
            int limit);

    /**
     * Enrols with a new arrival number (at the back of the waiting list): a first enrolment, or a
     * re-enrolment after a withdrawal. False when the technician holds any other status in the session.
     */
    boolean enrol(String sessionId, String technician, EnrolmentStatus status);

    /** Sets the status of an existing enrolment. */
    void setStatus(String sessionId, String technician, EnrolmentStatus status);

    /** Records a result for a technician with no seat (a new row, or over a withdrawn or waiting one). */
    void putResult(String sessionId, String technician, EnrolmentStatus status);

    /**
     * Days delivered between {@code first} and {@code last} by sessions of the agreement's courses held
     * on or before {@code heldBy} with a result recorded (see {@link SessionService#deliveredDays}).
     */
    List<DeliveredDays> deliveredDays(LocalDate first, LocalDate last, String agreementId, LocalDate heldBy);
}
