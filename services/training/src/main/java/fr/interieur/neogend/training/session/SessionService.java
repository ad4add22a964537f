package fr.interieur.neogend.training.session;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.training.course.AgreementPriceLines;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.training.technician.TechnicianDirectory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionOperations;

import java.sql.Date;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** The statuses that hold a seat: enrolled, or sat the session (its result recorded). */
    private static final java.util.Set<String> SEATED = java.util.Set.of("ENROLLED", "PASSED", "FAILED", "ABSENT");


    private static final Pattern CODE = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,63}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    /** The ministry's day: a session's days, a certification's first and last valid days are Paris days. */
    public static final java.time.ZoneId ZONE = java.time.ZoneId.of("Europe/Paris");

    private final JdbcClient jdbc;
    private final AgreementPriceLines priceLines;
    private final Clock clock;
    private final TechnicianDirectory technicians;
    private final TransactionOperations tx;

    public SessionService(JdbcClient jdbc, AgreementPriceLines priceLines, Optional<Clock> clock,
                          TechnicianDirectory technicians, TransactionOperations tx) {
        this.jdbc = jdbc;
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
            case TECHNICIAN -> { }
            case UNKNOWN -> throw InvalidArgumentException.of("technician", "no user " + who
                    + " in the realm: only users of the realm with the technician role are trained");
            case DISABLED -> throw InvalidArgumentException.of("technician", "the account of " + who
                    + " is disabled in the realm");
            case NOT_A_TECHNICIAN -> throw InvalidArgumentException.of("technician", who
                    + " does not hold the technician role in the realm");
        }
    }

    /** A session with its enrolments in order of arrival. */
    public record Session(String id, String courseCode, LocalDate startDate, LocalDate endDate, String place,
                          int capacity, String trainer, List<Enrolment> enrolments) {
    }

    /** A technician's place in a session. */
    public record Enrolment(String technician, String status) {
    }

    /** A certification, valid from {@code issuedOn} to {@code validUntil} inclusive. */
    public record Certification(long id, String technician, String courseCode, List<String> modelFamilies,
                                LocalDate issuedOn, LocalDate validUntil, String sessionId) {
    }

    /** The answer of a certification check. */
    public record Check(boolean certified, Optional<LocalDate> validUntil, String reason) {
    }

    /** Today in Paris. */
    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    @Transactional
    public void createCourse(String code, String title, int durationDays, List<String> families, int validityMonths,
                             String agreementItemCode, String agreementId) {
        Validation v = new Validation();
        v.check(code != null && CODE.matcher(code).matches(), "course.code", "must be 2 to 64 upper-case letters, digits, '-'");
        v.check(title != null && TEXT.matcher(title).matches(), "course.title", "is required: 1 to 200 characters");
        v.check(durationDays >= 1 && durationDays <= 60, "course.duration_days", "must be 1 to 60");
        v.check(!families.isEmpty(), "course.model_families", "at least one model family is required");
        families.forEach(f -> v.check(TEXT.matcher(f).matches(), "course.model_families", "1 to 200 characters each"));
        v.check(validityMonths >= 0 && validityMonths <= 120, "course.certification_validity_months", "must be 1 to 120");
        v.check(agreementItemCode == null || agreementItemCode.isEmpty() || CODE.matcher(agreementItemCode).matches(),
                "course.agreement_item_code", "must be 2 to 64 upper-case letters, digits, '-'");
        boolean billed = agreementItemCode != null && !agreementItemCode.isEmpty();
        boolean underAgreement = agreementId != null && !agreementId.isEmpty();
        v.check(billed == underAgreement, billed ? "course.agreement_id" : "course.agreement_item_code",
                billed ? "is required with agreement_item_code: the agreement the course's days bill to"
                        : "is required with agreement_id: the TRAINING_DAY line a day is billed at");
        v.throwIfInvalid();
        if (billed) { // the line must be a TRAINING_DAY line of that agreement, so every statement can price it
            priceLines.problemWithTrainingDayLine(agreementId, agreementItemCode)
                    .ifPresent(problem -> v.check(false, "course.agreement_item_code", problem));
            v.throwIfInvalid();
        }
        int rows = jdbc.sql("""
                        insert into course (code, title, duration_days, model_families, certification_validity_months,
                                            agreement_item_code, agreement_id)
                        values (?, ?, ?, ?, ?, ?, ?) on conflict (code) do nothing""")
                .params(code, title.trim(), durationDays, families.toArray(String[]::new),
                        validityMonths == 0 ? 24 : validityMonths, billed ? agreementItemCode : null,
                        billed ? agreementId : null)
                .update();
        if (rows == 0) {
            throw new AlreadyExistsException("a course " + code + " exists already");
        }
    }

    @Transactional
    public Session createSession(String courseCode, String start, String end, String place, int capacity,
                                 String trainer) {
        Validation v = new Validation();
        LocalDate from = date(start, "session.start_date", v);
        LocalDate to = date(end, "session.end_date", v);
        v.check(to == null || from == null || !to.isBefore(from), "session.end_date", "must not be before start_date");
        v.check(place != null && TEXT.matcher(place).matches(), "session.place", "is required");
        v.check(trainer != null && TEXT.matcher(trainer).matches(), "session.trainer", "is required");
        v.check(capacity >= 1 && capacity <= 500, "session.capacity", "must be 1 to 500");
        v.throwIfInvalid();
        if (!jdbc.sql("select exists(select 1 from course where code = ?)").param(courseCode).query(Boolean.class).single()) {
            throw InvalidArgumentException.of("session.course_code", "no course " + courseCode);
        }
        String id = String.format("TS-%06d",
                jdbc.sql("select nextval('training_session_number')").query(Long.class).single());
        jdbc.sql("""
                        insert into training_session (id, course_code, start_date, end_date, place, capacity, trainer,
                                                      created_at)
                        values (?, ?, ?, ?, ?, ?, ?, now())""")
                .params(id, courseCode, Date.valueOf(from), Date.valueOf(to), place.trim(), capacity, trainer.trim())
                .update();
        return get(id);
    }

    /**
     * Sessions whose last day is on or after {@code endsOnOrAfter} (default today), optionally of one
     * course, by first day then id, one page at a time (keyset on the pair).
     */
    @Transactional(readOnly = true)
    public Page<Session> list(String endsOnOrAfter, String courseCode, int pageSize, String pageToken) {
        LocalDate from;
        try {
            from = endsOnOrAfter == null || endsOnOrAfter.isBlank() ? today() : LocalDate.parse(endsOnOrAfter);
        } catch (java.time.format.DateTimeParseException e) {
            throw InvalidArgumentException.of("ends_on_or_after", "must be a day YYYY-MM-DD");
        }
        String course = courseCode == null ? "" : courseCode.trim();
        String filters = from + "|" + course;
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        List<Object> args = new ArrayList<>(List.of(Date.valueOf(from)));
        StringBuilder where = new StringBuilder(" where end_date >= ?");
        if (!course.isEmpty()) {
            where.append(" and course_code = ?");
            args.add(course);
        }
        if (page.afterKey().isPresent()) {
            String[] key = page.afterKey().get().split("\\|", 2);
            if (key.length != 2) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            where.append(" and (start_date, id) > (?::date, ?)");
            args.add(key[0]);
            args.add(key[1]);
        }
        args.add(page.fetchSize());
        List<Session> rows = jdbc.sql("select * from training_session" + where + " order by start_date, id limit ?")
                .params(args)
                .query((rs, n) -> session(rs, List.of()))
                .list();
        Page<Session> cut = page.toPage(rows, r -> r.startDate() + "|" + r.id(), filters);
        if (cut.items().isEmpty()) {
            return cut;
        }
        Map<String, List<Enrolment>> enrolments = new HashMap<>();
        jdbc.sql("select session_id, technician, status from enrolment where session_id = any(?) order by arrival")
                .param(cut.items().stream().map(Session::id).toArray(String[]::new))
                .query((rs, n) -> enrolments.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Enrolment(rs.getString(2), rs.getString(3))))
                .list();
        return new Page<>(cut.items().stream().map(r -> new Session(r.id(), r.courseCode(), r.startDate(),
                r.endDate(), r.place(), r.capacity(), r.trainer(), enrolments.getOrDefault(r.id(), List.of()))).toList(),
                cut.nextPageToken());
    }

    @Transactional(readOnly = true)
    public Session get(String id) {
        List<Enrolment> enrolments = jdbc.sql("select technician, status from enrolment where session_id = ? order by arrival")
                .param(id).query((rs, n) -> new Enrolment(rs.getString(1), rs.getString(2))).list();
        return jdbc.sql("select * from training_session where id = ?").param(id)
                .query((rs, n) -> session(rs, enrolments))
                .optional().orElseThrow(() -> new NotFoundException("no training session " + id));
    }

    private static Session session(java.sql.ResultSet rs, List<Enrolment> enrolments) throws java.sql.SQLException {
        return new Session(rs.getString("id"), rs.getString("course_code"), rs.getDate("start_date").toLocalDate(),
                rs.getDate("end_date").toLocalDate(), rs.getString("place"), rs.getInt("capacity"),
                rs.getString("trainer"), enrolments);
    }

    /** Enrols a technician: ENROLLED while a seat is free, WAITLISTED after. */
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
        if (s.startDate().isBefore(today())) {
            throw new PreconditionFailedException("session " + sessionId + " started on " + s.startDate());
        }
        // every seat taken counts: enrolled, and those whose result is recorded (they sat the session)
        long taken = s.enrolments().stream().filter(e -> SEATED.contains(e.status())).count();
        String status = taken < s.capacity() ? "ENROLLED" : "WAITLISTED";
        // a re-enrolment after a withdrawal goes to the back: it takes a new arrival number
        int rows = jdbc.sql("""
                        insert into enrolment (session_id, technician, status, updated_at) values (?, ?, ?, now())
                        on conflict (session_id, technician) do update set status = excluded.status, updated_at = now(),
                            arrival = nextval('enrolment_arrival')
                        where enrolment.status = 'WITHDRAWN'""")
                .params(sessionId, who, status).update();
        if (rows == 0) {
            throw new AlreadyExistsException(who + " is enrolled in " + sessionId + " already");
        }
        return get(sessionId);
    }

    /** Withdraws a technician; the first waitlisted technician takes a freed seat. */
    @Transactional
    public Session withdraw(String sessionId, Optional<String> technician, Caller caller) {
        String who = who(technician, caller);
        lock(sessionId);
        String was = jdbc.sql("select status from enrolment where session_id = ? and technician = ?")
                .params(sessionId, who).query(String.class).optional()
                .orElseThrow(() -> new NotFoundException(who + " is not enrolled in " + sessionId));
        if (!was.equals("ENROLLED") && !was.equals("WAITLISTED")) {
            throw new PreconditionFailedException(who + " is " + was + " in " + sessionId + "; nothing to withdraw");
        }
        jdbc.sql("update enrolment set status = 'WITHDRAWN', updated_at = now() where session_id = ? and technician = ?")
                .params(sessionId, who).update();
        if (was.equals("ENROLLED")) { // the first to arrive on the waiting list takes the seat, if one is free
            jdbc.sql("""
                            update enrolment set status = 'ENROLLED', updated_at = now()
                            where id = (select id from enrolment where session_id = ? and status = 'WAITLISTED'
                                        order by arrival limit 1)
                              and (select count(*) from enrolment where session_id = ?
                                   and status in ('ENROLLED', 'PASSED', 'FAILED', 'ABSENT'))
                                  < (select capacity from training_session where id = ?)""")
                    .params(sessionId, sessionId, sessionId).update();
        }
        return get(sessionId);
    }

    /**
     * Records attendance and result, from the session's last day on (a result before the session would
     * certify at once and bill days not held); a pass issues a certification.
     */
    public Session recordResult(String sessionId, String technician, boolean attended, boolean passed) {
        if (passed && !attended) {
            throw InvalidArgumentException.of("passed", "a technician who did not attend cannot pass");
        }
        requireTechnician(technician);
        return tx.execute(status -> recordResultLocked(sessionId, technician, attended, passed));
    }

    private Session recordResultLocked(String sessionId, String technician, boolean attended, boolean passed) {
        Session s = lock(sessionId);
        requireHeld(s);
        String status = s.enrolments().stream().filter(e -> e.technician().equals(technician)).map(Enrolment::status)
                .findFirst().orElseThrow(() -> new NotFoundException(technician + " is not enrolled in " + sessionId));
        if (!status.equals("ENROLLED")) {
            throw new PreconditionFailedException(technician + " is " + status + " in " + sessionId
                    + "; results are recorded for ENROLLED technicians");
        }
        String result = !attended ? "ABSENT" : passed ? "PASSED" : "FAILED";
        jdbc.sql("update enrolment set status = ?, updated_at = now() where session_id = ? and technician = ?")
                .params(result, sessionId, technician).update();
        certifyIfPassed(sessionId, technician, passed);
        return get(sessionId);
    }

    /**
     * Records the result of a session already held for a technician who holds no seat in it (paper
     * records): a seat (never beyond the capacity) and the result in one step, fleet managers only (the
     * access rule), the reason kept in the audit trail with the call.
     */
    public Session recordPastResult(String sessionId, String technician, boolean attended, boolean passed,
                                    String reason) {
        Validation v = new Validation();
        v.check(!passed || attended, "passed", "a technician who did not attend cannot pass");
        v.check(reason != null && reason.strip().length() >= 3 && TEXT.matcher(reason.strip()).matches(), "reason",
                "is required: why the result is recorded for a technician not enrolled (3 to 200 characters)");
        v.check(technician != null && USER.matcher(technician).matches(), "technician", "is not a user name");
        v.throwIfInvalid();
        requireTechnician(technician);
        return tx.execute(status -> recordPastResultLocked(sessionId, technician, attended, passed));
    }

    private Session recordPastResultLocked(String sessionId, String technician, boolean attended, boolean passed) {
        Session s = lock(sessionId);
        requireHeld(s);
        long taken = s.enrolments().stream().filter(e -> SEATED.contains(e.status())).count();
        Optional<String> was = s.enrolments().stream().filter(e -> e.technician().equals(technician))
                .map(Enrolment::status).findFirst();
        if (was.isPresent() && SEATED.contains(was.get())) {
            throw new PreconditionFailedException(technician + " is " + was.get() + " in " + sessionId
                    + (was.get().equals("ENROLLED") ? "; record the result with recordResult" : "; result recorded already"));
        }
        if (taken >= s.capacity()) {
            throw new PreconditionFailedException("session " + sessionId + " had " + s.capacity()
                    + " seats, all taken: no result can be added for another technician");
        }
        String result = !attended ? "ABSENT" : passed ? "PASSED" : "FAILED";
        jdbc.sql("""
                        insert into enrolment (session_id, technician, status, updated_at) values (?, ?, ?, now())
                        on conflict (session_id, technician) do update set status = excluded.status, updated_at = now()""")
                .params(sessionId, technician, result).update();
        certifyIfPassed(sessionId, technician, passed);
        return get(sessionId);
    }

    /** Results are recorded from the session's last day on. */
    private void requireHeld(Session s) {
        LocalDate today = today();
        if (s.endDate().isAfter(today)) {
            throw InvalidArgumentException.of("session_id", "results of " + s.id() + " can be recorded from "
                    + s.endDate() + ", its last day (today is " + today + ")");
        }
    }

    private void certifyIfPassed(String sessionId, String technician, boolean passed) {
        if (passed) {
            jdbc.sql("""
                            insert into certification (technician, course_code, model_families, issued_on, valid_until,
                                                       session_id)
                            select ?, c.code, c.model_families, s.end_date,
                                   (s.end_date + c.certification_validity_months * interval '1 month')::date, s.id
                            from training_session s join course c on c.code = s.course_code where s.id = ?""")
                    .params(technician, sessionId).update();
        }
    }

    /** Days of one delivered session in a month. */
    public record DeliveredDays(String sessionId, String courseCode, String courseTitle, String agreementItemCode,
                                int days, String agreementId) {
    }

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
        return jdbc.sql("""
                        select s.id, s.course_code, c.title, c.agreement_item_code,
                               (least(s.end_date, ?::date) - greatest(s.start_date, ?::date) + 1) as days, c.agreement_id
                        from training_session s join course c on c.code = s.course_code
                        where c.agreement_id = ? and s.start_date <= ?::date and s.end_date >= ?::date
                          and s.end_date <= ?::date
                          and exists (select 1 from enrolment e where e.session_id = s.id
                                      and e.status in ('PASSED', 'FAILED', 'ABSENT'))
                        order by s.id""")
                .params(last.toString(), first.toString(), agreementId, last.toString(), first.toString(),
                        today().toString())
                .query((rs, n) -> new DeliveredDays(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6)))
                .list();
    }

    /** Whether a valid certification covers the model (a family is a prefix of model names). */
    @Transactional(readOnly = true)
    public Check check(String technician, String model) {
        if (technician == null || technician.isBlank() || model == null || model.isBlank()) {
            throw InvalidArgumentException.of("technician", "technician and model are required");
        }
        LocalDate today = today();
        List<Certification> all = certifications("where technician = ?", technician);
        Optional<Certification> valid = all.stream()
                .filter(c -> !c.issuedOn().isAfter(today) && !c.validUntil().isBefore(today))
                .filter(c -> c.modelFamilies().stream().anyMatch(model::startsWith))
                .max(java.util.Comparator.comparing(Certification::validUntil));
        if (valid.isPresent()) {
            return new Check(true, Optional.of(valid.get().validUntil()), "");
        }
        List<Certification> covering = all.stream().filter(c -> c.modelFamilies().stream().anyMatch(model::startsWith))
                .toList();
        Optional<Certification> notYet = covering.stream().filter(c -> c.issuedOn().isAfter(today))
                .min(java.util.Comparator.comparing(Certification::issuedOn));
        if (notYet.isPresent()) { // recorded before the session (before issue 17): valid from its issue date only
            return new Check(false, Optional.empty(), technician + "'s certification for " + model
                    + " is valid from " + notYet.get().issuedOn() + " only");
        }
        Optional<Certification> expired = covering.stream().max(java.util.Comparator.comparing(Certification::validUntil));
        return new Check(false, Optional.empty(), expired.map(c -> technician + "'s certification for " + model
                + " expired on " + c.validUntil()).orElse(technician + " holds no certification for " + model));
    }

    @Transactional(readOnly = true)
    public List<Certification> expiring(int withinDays) {
        int days = withinDays <= 0 ? 60 : Math.min(withinDays, 730);
        LocalDate today = today();
        return certifications("where valid_until between ?::date and ?::date", today.toString(),
                today.plusDays(days).toString());
    }

    /**
     * Certifications expired before today (optionally on or after a day, of one technician), the most
     * recently expired first, one page at a time (keyset on last valid day and id).
     */
    @Transactional(readOnly = true)
    public Page<Certification> expired(String expiredOnOrAfter, String technician, int pageSize, String pageToken) {
        LocalDate since = null;
        if (expiredOnOrAfter != null && !expiredOnOrAfter.isBlank()) {
            try {
                since = LocalDate.parse(expiredOnOrAfter);
            } catch (java.time.format.DateTimeParseException e) {
                throw InvalidArgumentException.of("expired_on_or_after", "must be a day YYYY-MM-DD");
            }
        }
        String who = technician == null ? "" : technician.trim();
        LocalDate today = today();
        // today is part of the filters: a token of yesterday's list is not continued on today's
        String filters = today + "|" + (since == null ? "" : since) + "|" + who;
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        StringBuilder where = new StringBuilder("where valid_until < ?::date");
        List<Object> args = new ArrayList<>(List.of(today.toString()));
        if (since != null) {
            where.append(" and valid_until >= ?::date");
            args.add(since.toString());
        }
        if (!who.isEmpty()) {
            where.append(" and technician = ?");
            args.add(who);
        }
        if (page.afterKey().isPresent()) {
            String[] key = page.afterKey().get().split("\\|", 2);
            if (key.length != 2 || !key[1].matches("[0-9]{1,18}")) {
                throw InvalidArgumentException.of("page_token", "is not a token this service issued");
            }
            where.append(" and (valid_until, id) < (?::date, ?)");
            args.add(key[0]);
            args.add(Long.parseLong(key[1]));
        }
        args.add(page.fetchSize());
        List<Certification> rows = jdbc.sql("select " + CERTIFICATION_COLUMNS + " from certification " + where
                        + " order by valid_until desc, id desc limit ?")
                .params(args).query((rs, n) -> certification(rs)).list();
        return page.toPage(rows, c -> c.validUntil() + "|" + c.id(), filters);
    }

    private static final String CERTIFICATION_COLUMNS =
            "id, technician, course_code, model_families, issued_on, valid_until, session_id";

    private static Certification certification(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Certification(rs.getLong(1), rs.getString(2), rs.getString(3),
                Arrays.asList((String[]) rs.getArray(4).getArray()), rs.getDate(5).toLocalDate(),
                rs.getDate(6).toLocalDate(), rs.getString(7));
    }

    private List<Certification> certifications(String where, Object... args) {
        return jdbc.sql("select " + CERTIFICATION_COLUMNS + " from certification " + where
                        + " order by valid_until, technician")
                .params(Arrays.asList(args))
                .query((rs, n) -> certification(rs))
                .list();
    }

    private Session lock(String sessionId) {
        jdbc.sql("select id from training_session where id = ? for update").param(sessionId == null ? "" : sessionId)
                .query(String.class).optional()
                .orElseThrow(() -> new NotFoundException("no training session " + sessionId));
        return get(sessionId);
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

    private static LocalDate date(String text, String field, Validation v) {
        try {
            return LocalDate.parse(text == null ? "" : text);
        } catch (DateTimeException e) {
            v.check(false, field, "must be a date YYYY-MM-DD");
            return null;
        }
    }
}
