package fr.interieur.neogend.training.session;

import fr.interieur.neogend.training.session.SessionService.Certification;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Storage of certifications (table {@code certification}, owned by the adapter implementing this port). */
public interface CertificationRepository {

    /** Stores a certification (its id is given by the store; the one passed is ignored). */
    void insert(Certification certification);

    /** A technician's certifications by last valid day. */
    List<Certification> ofTechnician(String technician);

    /** Certifications whose last valid day is between the two days inclusive, by last valid day. */
    List<Certification> endingBetween(LocalDate from, LocalDate to);

    /**
     * Certifications whose last valid day is before {@code before} (and on or after {@code since} when
     * given), of one technician when not empty, after the key (last valid day, id) when given, the most
     * recently expired first, at most {@code limit}.
     */
    List<Certification> expired(
            LocalDate before,
            Optional<LocalDate> since,
            String technician,
            Optional<LocalDate> afterValidUntil,
            Optional<Long> afterId,
            int limit);
}
