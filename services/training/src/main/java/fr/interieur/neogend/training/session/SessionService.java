package fr.interieur.neogend.training.session;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.PlainText;
import fr.interieur.neogend.training.course.AgreementPriceLines;
import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.course.CourseRepository;
import fr.interieur.neogend.training.technician.TechnicianDirectory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Courses, sessions, enrolments with a waiting list, results and certifications (DOMAIN rule 17).
 * Enrolment and withdrawal lock the session's row, so seats are counted against every concurrent
 * enrolment: a session never holds more ENROLLED technicians than its capacity, and a freed seat goes
 * to the first WAITLISTED technician in the same transaction.
 */
@Service
public class SessionService {

    private static final Pattern CODE = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,63}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    /** The ministry's day: a session's days, a certification's first and last valid days are Paris days. */
    public static final java.time.ZoneId ZONE = java.time.ZoneId.of("Europe/Paris");

    private final SessionRepository sessions;
    private final CertificationRepository certifications;
    private final CourseRepository courses;
    private final AgreementPriceLines priceLines;
    private final Clock clock;
    private final TechnicianDirectory technicians;
    private final TransactionOperations tx;

    public SessionService(
            SessionRepository sessions,
            CertificationRepository certifications,
            CourseRepository courses,
            AgreementPriceLines priceLines,
            Optional<Clock> clock,
            TechnicianDirectory technicians,
            TransactionOperations tx) {
        this.sessions = sessions;
        this.certifications = certifications;
        this.courses = courses;
        this.priceLines = priceLines;
        this.clock = clock.orElse(Clock.systemUTC());
        this.technicians = technicians;
        this.tx = tx;
    }

    /**
     * Enrolments, results and certifications name real people: an enabled user of the realm holding the
     * technician role (issue 17). Asked before the transaction (Keycloak is never called with a session
     * locked); unreachable: UNAVAILABLE from the directory, nothing recorded.
     */
    private void requireTechnician(String who) {
        if (who == null || !USER.matcher(who).matches()) {
            throw InvalidArgumentException.of("technician", "is not a user name");
        }
        switch (technicians.lookup(who)) {
            case TECHNICIAN -> {}
            case UNKNOWN ->
                throw InvalidArgumentException.of(
                        "technician",
                        "no user " + who
                                + " in the realm: only users of the realm with the technician role are trained");
            case DISABLED ->
                throw InvalidArgumentException.of("technician", "the account of " + who + " is disabled in the realm");
            case NOT_A_TECHNICIAN ->
                throw InvalidArgumentException.of(
                        "technician", who + " does not hold the technician role in the realm");
        }
    }

    /** A session with its enrolments in order of arrival. */
    public record Session(
            String id,
            String courseCode,
            LocalDate startDate,
            LocalDate endDate,
            String place,
            int capacity,
            String trainer,
            List<Enrolment> enrolments) {}

    /** A technician's place in a session. */
    public record Enrolment(String technician, EnrolmentStatus status) {}

    /** A certification, valid from {@code issuedOn} to {@code validUntil} inclusive. */
    public record Certification(
            long id,
            String technician,
            String courseCode,
            List<String> modelFamilies,
            LocalDate issuedOn,
            LocalDate validUntil,
            String sessionId) {}

    /** The answer of a certification check. */
    public record Check(boolean certified, Optional<LocalDate> validUntil, String reason) {}

    /** Today in Paris. */
    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    @Transactional
    public void createCourse(
            String code,
            String title,
            int durationDays,
            List<String> families,
            int validityMonths,
            String agreementItemCode,
            String agreementId) {
        Validation v = new Validation();
        v.check(
                code != null && CODE.matcher(code).matches(),
                "course.code",
                "must be 2 to 64 upper-case letters, digits, '-'");
        v.check(
                title != null && TEXT.matcher(title).matches() && PlainText.visible(title),
                "course.title",
                "is required: 1 to 200 characters, not spaces alone");
        v.check(durationDays >= 1 && durationDays <= 60, "course.duration_days", "must be 1 to 60");
        v.check(!families.isEmpty(), "course.model_families", "at least one model family is required");
        families.forEach(f -> v.check(TEXT.matcher(f).matches(), "course.model_families", "1 to 200 characters each"));
        // a family covers the models whose name starts with it; inventory's models hold plain spaces only, no
        // invisible character, and never begin with a space: a family that does would certify for no model
        families.forEach(f -> v.check(
                PlainText.beginsAModelName(f),
                "course.model_families",
                "must each begin a model's name as inventory writes it: no space first, no space but U+0020, no"
                        + " invisible character (a no-break or zero-width space would certify for no model)"));
        v.check(
                validityMonths >= 0 && validityMonths <= 120,
                "course.certification_validity_months",
                "must be 1 to 120");
        v.check(
                agreementItemCode == null
                        || agreementItemCode.isEmpty()
                        || CODE.matcher(agreementItemCode).matches(),
                "course.agreement_item_code",
                "must be 2 to 64 upper-case letters, digits, '-'");
        boolean billed = agreementItemCode != null && !agreementItemCode.isEmpty();
        boolean underAgreement = agreementId != null && !agreementId.isEmpty();
        v.check(
                billed == underAgreement,
                billed ? "course.agreement_id" : "course.agreement_item_code",
                billed
                        ? "is required with agreement_item_code: the agreement the course's days bill to"
                        : "is required with agreement_id: the TRAINING_DAY line a day is billed at");
        v.throwIfInvalid();
        if (billed) { // the line must be a TRAINING_DAY line of that agreement, so every statement can price it
            priceLines
                    .problemWithTrainingDayLine(agreementId, agreementItemCode)
                    .ifPresent(problem -> v.check(false, "course.agreement_item_code", problem));
            v.throwIfInvalid();
        }
        boolean stored = courses.insert(new Course(
                code,
                title.trim(),
                durationDays,
                List.copyOf(families),
                validityMonths == 0 ? 24 : validityMonths,
                billed ? agreementItemCode : "",
                billed ? agreementId : ""));
        if (!stored) {
            throw new AlreadyExistsException("a course " + code + " exists already");
        }
    }

    @Transactional
    public Session createSession(
            String courseCode, LocalDate from, LocalDate to, String place, int capacity, String trainer) {
        Validation v = new Validation();
        v.check(from != null, "session.start_date", "is required");
        v.check(to != null, "session.end_date", "is required");
        v.check(to == null || from == null || !to.isBefore(from), "session.end_date", "must not be before start_date");
        v.check(
                place != null && TEXT.matcher(place).matches() && PlainText.visible(place),
                "session.place",
                "is required: 1 to 200 characters, not spaces alone");
        v.check(
                trainer != null && TEXT.matcher(trainer).matches() && PlainText.visible(trainer),
                "session.trainer",
                "is required: 1 to 200 characters, not spaces alone");
        v.check(capacity >= 1 && capacity <= 500, "session.capacity", "must be 1 to 500");
        v.throwIfInvalid();
        Course course = (courseCode == null ? Optional.<Course>empty() : courses.find(courseCode))
                .orElseThrow(() -> InvalidArgumentException.of("session.course_code", "no course " + courseCode));
        if (!course.agreementId().isEmpty()) {
            // a billed course's days bill to its agreement only, whose statements cover its term only: a day
            // held outside the term would be billed nowhere (or in a month the term covers in part, to an
            // agreement not in force that day)
            AgreementPriceLines.Term term = priceLines.term(course.agreementId());
            LocalDate lastInTerm = term.end().minusDays(1);
            if (!term.covers(from, to)) {
                throw InvalidArgumentException.of(
                        from.isBefore(term.start()) || from.isAfter(lastInTerm)
                                ? "session.start_date"
                                : "session.end_date",
                        "course " + course.code() + " bills its days to agreement " + course.agreementId()
                                + ", in force from " + term.start() + " to " + lastInTerm
                                + ": a session's days must lie in that term");
            }
        }
        String id = sessions.nextId();
        sessions.insert(id, courseCode, from, to, place.trim(), capacity, trainer.trim());
        return get(id);
    }

    /**
     * Sessions whose last day is on or after {@code endsOnOrAfter} (default today), optionally of one
     * course, by first day then id, one page at a time (keyset on the pair).
     */
    @Transactional(readOnly = true)
    public Page<Session> list(Optional<LocalDate> endsOnOrAfter, String courseCode, int pageSize, String pageToken) {
        LocalDate from = endsOnOrAfter.orElseGet(this::today);
        String course = courseCode == null ? "" : courseCode.trim();
        String filters = PageRequest.filters(from, course);
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        Optional<LocalDate> afterStart = Optional.empty();
        Optional<String> afterId = Optional.empty();
        if (page.afterKey().isPresent()) {
            String[] key = page.afterKey().get().split("\\|", 2);
            try {
                afterStart = Optional.of(LocalDate.parse(key[0]));
            } catch (java.time.format.DateTimeParseException e) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            if (key.length != 2) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            afterId = Optional.of(key[1]);
        }
        List<Session> rows = sessions.page(from, course, afterStart, afterId, page.fetchSize());
        return page.toPage(rows, r -> r.startDate() + "|" + r.id(), filters);
    }

    @Transactional(readOnly = true)
    public Session get(String id) {
        return sessions.find(id == null ? "" : id)
                .orElseThrow(() -> new NotFoundException("no training session " + id));
    }

    /**
     * Enrols a technician: ENROLLED while a seat is free, WAITLISTED after — up to the session's first day (a
     * Paris day), on which a free seat is still taken but nobody joins the waiting list.
     */
    public Session enrol(String sessionId, Optional<String> technician, Caller caller) {
        String who = who(technician, caller);
        // a technician enrolling itself shows its technician role in its token; anyone else is asked for
        if (!(who.equals(caller.username()) && caller.hasRole(Caller.TECHNICIAN))) {
            requireTechnician(who);
        }
        return tx.execute(status -> enrolLocked(sessionId, who));
    }

    private Session enrolLocked(String sessionId, String who) {
        Session s = lock(sessionId);
        boolean there = s.enrolments().stream()
                .anyMatch(e -> e.technician().equals(who) && e.status() != EnrolmentStatus.WITHDRAWN);
        if (there) { // a repeat (its answer lost) is told the technician is there, whatever the day
            throw new AlreadyExistsException(who + " is enrolled in " + sessionId + " already");
        }
        LocalDate today = today();
        if (s.startDate().isBefore(today)) {
            throw new PreconditionFailedException("session " + sessionId + " started on " + s.startDate()
                    + " (today is " + today + "): enrolment closes after a session's first day; one who sat it"
                    + " without a seat is recorded after it (recordPastResult)");
        }
        // every seat taken counts: enrolled, and those whose result is recorded (they sat the session)
        long taken = s.enrolments().stream()
                .filter(e -> EnrolmentStatus.SEATED.contains(e.status()))
                .count();
        // on the first day (from 00:00 in Paris) a free seat is still taken — a walk-in joins the session's first
        // morning — but nobody joins the waiting list: no seat is handed on once a session has started
        // (withdrawal is refused from then on), so a place on the list would never become a seat
        if (taken >= s.capacity() && !s.startDate().isAfter(today)) {
            throw new PreconditionFailedException("session " + sessionId + " started on " + s.startDate()
                    + " (today is " + today + ") with its " + s.capacity() + " seats taken: no seat frees up once a"
                    + " session has started, so nobody joins its waiting list from its first day");
        }
        EnrolmentStatus status = taken < s.capacity() ? EnrolmentStatus.ENROLLED : EnrolmentStatus.WAITLISTED;
        // a re-enrolment after a withdrawal goes to the back: it takes a new arrival number
        if (!sessions.enrol(sessionId, who, status)) {
            throw new AlreadyExistsException(who + " is enrolled in " + sessionId + " already");
        }
        return get(sessionId);
    }

    /**
     * Withdraws a technician; the first waitlisted technician takes a freed seat. An enrolled technician
     * withdraws only before the session's first day; a waitlisted one leaves the list at any time.
     */
    @Transactional
    public Session withdraw(String sessionId, Optional<String> technician, Caller caller) {
        String who = who(technician, caller);
        Session s = lock(sessionId);
        EnrolmentStatus was = s.enrolments().stream()
                .filter(e -> e.technician().equals(who))
                .map(Enrolment::status)
                .findFirst()
                .orElseThrow(() -> new NotFoundException(who + " is not enrolled in " + sessionId));
        if (was != EnrolmentStatus.ENROLLED && was != EnrolmentStatus.WAITLISTED) {
            throw new PreconditionFailedException(who + " is " + was + " in " + sessionId + "; nothing to withdraw");
        }
        // a withdrawal is before the session: from its first day (a Paris day, a day of the session) a seat is
        // never handed on — the first in line is not there and would miss a day held — and the technician's
        // result is recorded, ABSENT if it did not come
        if (was == EnrolmentStatus.ENROLLED && !s.startDate().isAfter(today())) {
            throw new PreconditionFailedException("session " + sessionId + " started on " + s.startDate() + "; " + who
                    + " cannot withdraw from it: record its result (not attended) instead");
        }
        sessions.setStatus(sessionId, who, EnrolmentStatus.WITHDRAWN);
        if (was == EnrolmentStatus.ENROLLED) { // the first to arrive on the waiting list takes the seat, if one is free
            long taken = s.enrolments().stream()
                            .filter(e -> EnrolmentStatus.SEATED.contains(e.status()))
                            .count()
                    - 1;
            Optional<Enrolment> first = s.enrolments().stream()
                    .filter(e -> e.status() == EnrolmentStatus.WAITLISTED)
                    .findFirst(); // enrolments are in order of arrival
            if (taken < s.capacity() && first.isPresent()) {
                sessions.setStatus(sessionId, first.get().technician(), EnrolmentStatus.ENROLLED);
            }
        }
        return get(sessionId);
    }

    /**
     * Records attendance and result, from the session's last day on (a result before the session would
     * certify at once and bill days not held); a pass issues a certification. Only a pass asks the realm
     * again: the seat was checked when it was taken, and a technician disabled since (gone, moved on) is still
     * recorded absent or failed — else the seat stayed ENROLLED for good, and a session of such seats alone
     * was never billed.
     */
    public Session recordResult(String sessionId, String technician, boolean attended, boolean passed) {
        if (passed && !attended) {
            throw InvalidArgumentException.of("passed", "a technician who did not attend cannot pass");
        }
        if (passed) {
            requireTechnician(technician);
        } else if (technician == null || !USER.matcher(technician).matches()) {
            throw InvalidArgumentException.of("technician", "is not a user name");
        }
        return tx.execute(status -> recordResultLocked(sessionId, technician, attended, passed));
    }

    private Session recordResultLocked(String sessionId, String technician, boolean attended, boolean passed) {
        Session s = lock(sessionId);
        requireHeld(s);
        EnrolmentStatus status = s.enrolments().stream()
                .filter(e -> e.technician().equals(technician))
                .map(Enrolment::status)
                .findFirst()
                .orElseThrow(() -> new NotFoundException(technician + " is not enrolled in " + sessionId));
        if (status != EnrolmentStatus.ENROLLED) {
            throw new PreconditionFailedException(technician + " is " + status + " in " + sessionId
                    + "; results are recorded for ENROLLED technicians");
        }
        EnrolmentStatus result = EnrolmentStatus.result(attended, passed);
        sessions.setStatus(sessionId, technician, result);
        certifyIfPassed(s, technician, passed);
        return get(sessionId);
    }

    /**
     * Records the result of a session already held for a technician who holds no seat in it (paper
     * records): a seat (never beyond the capacity) and the result in one step, fleet managers only (the
     * access rule), the reason kept in the audit trail with the call.
     */
    public Session recordPastResult(
            String sessionId, String technician, boolean attended, boolean passed, String reason) {
        Validation v = new Validation();
        v.check(!passed || attended, "passed", "a technician who did not attend cannot pass");
        v.check(
                reason != null
                        && reason.strip().length() >= 3
                        && PlainText.visible(reason)
                        && TEXT.matcher(reason.strip()).matches(),
                "reason",
                "is required: why the result is recorded for a technician not enrolled (3 to 200 characters)");
        v.check(technician != null && USER.matcher(technician).matches(), "technician", "is not a user name");
        v.throwIfInvalid();
        requireTechnician(technician);
        return tx.execute(status -> recordPastResultLocked(sessionId, technician, attended, passed));
    }

    private Session recordPastResultLocked(String sessionId, String technician, boolean attended, boolean passed) {
        Session s = lock(sessionId);
        requireHeld(s);
        long taken = s.enrolments().stream()
                .filter(e -> EnrolmentStatus.SEATED.contains(e.status()))
                .count();
        Optional<EnrolmentStatus> was = s.enrolments().stream()
                .filter(e -> e.technician().equals(technician))
                .map(Enrolment::status)
                .findFirst();
        if (was.isPresent() && EnrolmentStatus.SEATED.contains(was.get())) {
            throw new PreconditionFailedException(technician + " is " + was.get() + " in " + sessionId
                    + (was.get() == EnrolmentStatus.ENROLLED
                            ? "; record the result with recordResult"
                            : "; result recorded already"));
        }
        if (taken >= s.capacity()) {
            throw new PreconditionFailedException("session " + sessionId + " had " + s.capacity()
                    + " seats, all taken: no result can be added for another technician");
        }
        EnrolmentStatus result = EnrolmentStatus.result(attended, passed);
        sessions.putResult(sessionId, technician, result);
        certifyIfPassed(s, technician, passed);
        return get(sessionId);
    }

    /** Results are recorded from the session's last day on. */
    private void requireHeld(Session s) {
        LocalDate today = today();
        if (s.endDate().isAfter(today)) {
            throw InvalidArgumentException.of(
                    "session_id",
                    "results of " + s.id() + " can be recorded from " + s.endDate() + ", its last day (today is "
                            + today + ")");
        }
    }

    /**
     * A pass certifies from the session's last day for the course's validity (a month added as the
     * calendar does: 31 January + 1 month = 28 or 29 February), for the course's model families.
     */
    private void certifyIfPassed(Session s, String technician, boolean passed) {
        if (passed) {
            Course course = courses.find(s.courseCode())
                    .orElseThrow(() -> new NotFoundException("no course " + s.courseCode()));
            certifications.insert(new Certification(
                    0,
                    technician,
                    course.code(),
                    course.modelFamilies(),
                    s.endDate(),
                    s.endDate().plusMonths(course.certificationValidityMonths()),
                    s.id()));
        }
    }

    /** Days of one delivered session in a month. */
    public record DeliveredDays(
            String sessionId,
            String courseCode,
            String courseTitle,
            String agreementItemCode,
            int days,
            String agreementId) {}

    /**
     * Training days delivered in a month, for billing: sessions of courses billed under the agreement,
     * held (last day today or before: a result recorded ahead of its session before issue 17 bills
     * nothing until the session has taken place), with results recorded (someone attended, passed,
     * failed or was absent: the trainer came), counted
     * for their days inside the month (a session across two months is billed in both, each for its own
     * days).
     */
    @Transactional(readOnly = true)
    public List<DeliveredDays> deliveredDays(int year, int month, String agreementId) {
        if (year < 2000 || year > 2200 || month < 1 || month > 12) {
            throw InvalidArgumentException.of("month", "year 2000..2200 and month 1..12 are required");
        }
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of("agreement_id", "is required: the agreement whose days are billed");
        }
        LocalDate first = LocalDate.of(year, month, 1);
        LocalDate last = first.withDayOfMonth(first.lengthOfMonth());
        return sessions.deliveredDays(first, last, agreementId, today());
    }

    /** Whether a valid certification covers the model (a family is a prefix of model names). */
    @Transactional(readOnly = true)
    public Check check(String technician, String model) {
        if (technician == null || technician.isBlank() || model == null || model.isBlank()) {
            throw InvalidArgumentException.of("technician", "technician and model are required");
        }
        LocalDate today = today();
        List<Certification> all = certifications.ofTechnician(technician);
        Optional<Certification> valid = all.stream()
                .filter(c -> !c.issuedOn().isAfter(today) && !c.validUntil().isBefore(today))
                .filter(c -> c.modelFamilies().stream().anyMatch(model::startsWith))
                .max(java.util.Comparator.comparing(Certification::validUntil));
        if (valid.isPresent()) {
            return new Check(true, Optional.of(valid.get().validUntil()), "");
        }
        List<Certification> covering = all.stream()
                .filter(c -> c.modelFamilies().stream().anyMatch(model::startsWith))
                .toList();
        Optional<Certification> notYet = covering.stream()
                .filter(c -> c.issuedOn().isAfter(today))
                .min(java.util.Comparator.comparing(Certification::issuedOn));
        if (notYet.isPresent()) { // recorded before the session (before issue 17): valid from its issue date only
            return new Check(
                    false,
                    Optional.empty(),
                    technician + "'s certification for " + model + " is valid from "
                            + notYet.get().issuedOn() + " only");
        }
        Optional<Certification> expired =
                covering.stream().max(java.util.Comparator.comparing(Certification::validUntil));
        return new Check(
                false,
                Optional.empty(),
                expired.map(c -> technician + "'s certification for " + model + " expired on " + c.validUntil())
                        .orElse(technician + " holds no certification for " + model));
    }

    @Transactional(readOnly = true)
    public List<Certification> expiring(int withinDays) {
        int days = withinDays <= 0 ? 60 : Math.min(withinDays, 730);
        LocalDate today = today();
        return certifications.endingBetween(today, today.plusDays(days));
    }

    /**
     * Certifications expired before today (optionally on or after a day, of one technician), the most
     * recently expired first, one page at a time (keyset on last valid day and id).
     */
    @Transactional(readOnly = true)
    public Page<Certification> expired(
            Optional<LocalDate> expiredOnOrAfter, String technician, int pageSize, String pageToken) {
        LocalDate since = expiredOnOrAfter.orElse(null);
        String who = technician == null ? "" : technician.trim();
        LocalDate today = today();
        // today is part of the filters: a token of yesterday's list is not continued on today's
        String filters = PageRequest.filters(today, since, who);
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        Optional<LocalDate> afterValidUntil = Optional.empty();
        Optional<Long> afterId = Optional.empty();
        if (page.afterKey().isPresent()) {
            String[] key = page.afterKey().get().split("\\|", 2);
            if (key.length != 2 || !key[1].matches("[0-9]{1,18}")) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            try {
                afterValidUntil = Optional.of(LocalDate.parse(key[0]));
            } catch (java.time.format.DateTimeParseException e) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            afterId = Optional.of(Long.parseLong(key[1]));
        }
        List<Certification> rows = certifications.expired(
                today, Optional.ofNullable(since), who, afterValidUntil, afterId, page.fetchSize());
        return page.toPage(rows, c -> c.validUntil() + "|" + c.id(), filters);
    }

    private Session lock(String sessionId) {
        return sessions.lock(sessionId == null ? "" : sessionId)
                .orElseThrow(() -> new NotFoundException("no training session " + sessionId));
    }

    /** A technician acts for itself only; a fleet manager names the technician. */
    private static String who(Optional<String> technician, Caller caller) {
        if (!caller.hasRole(Caller.FLEET_MANAGER)) {
            if (technician.isPresent() && !technician.get().equals(caller.username())) {
                throw new AccessDeniedException("a technician enrols or withdraws itself only");
            }
            return caller.username();
        }
        String who = technician.orElseThrow(() -> InvalidArgumentException.of("technician", "is required"));
        if (!USER.matcher(who).matches()) {
            throw InvalidArgumentException.of("technician", "is not a user name");
        }
        return who;
    }
}
