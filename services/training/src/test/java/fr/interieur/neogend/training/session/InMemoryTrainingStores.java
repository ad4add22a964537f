package fr.interieur.neogend.training.session;

import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.course.CourseRepository;
import fr.interieur.neogend.training.session.SessionService.Certification;
import fr.interieur.neogend.training.session.SessionService.DeliveredDays;
import fr.interieur.neogend.training.session.SessionService.Enrolment;
import fr.interieur.neogend.training.session.SessionService.Session;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The training service's ports in memory, for unit tests of its rules (the SQL adapters are tested
 * against PostgreSQL by the ITs). One instance implements the three ports over shared maps, so a
 * certification can be checked against the course and session it came from.
 */
final class InMemoryTrainingStores {

    private record Row(String technician, EnrolmentStatus status, long arrival) {}

    private record Held(
            String id, String courseCode, LocalDate start, LocalDate end, String place, int capacity, String trainer) {}

    final Map<String, Course> courses = new TreeMap<>();
    final Map<String, Held> sessions = new TreeMap<>();
    final Map<String, Map<String, Row>> enrolments = new LinkedHashMap<>();
    final List<Certification> certifications = new ArrayList<>();
    private long sequence;
    private long arrival;

    final CourseRepository courseRepository = new Courses();
    final SessionRepository sessionRepository = new Sessions();
    final CertificationRepository certificationRepository = new Certifications();

    private final class Courses implements CourseRepository {

        @Override
        public List<Course> page(Optional<String> after, int limit) {
            return courses.values().stream()
                    .filter(c -> after.isEmpty() || c.code().compareTo(after.get()) > 0)
                    .limit(limit)
                    .toList();
        }

        @Override
        public Optional<Course> find(String code) {
            return Optional.ofNullable(courses.get(code));
        }

        @Override
        public boolean insert(Course course) {
            return courses.putIfAbsent(course.code(), course) == null;
        }
    }

    private final class Sessions implements SessionRepository {

        @Override
        public String nextId() {
            return String.format("TS-%06d", ++sequence);
        }

        @Override
        public void insert(
                String id,
                String courseCode,
                LocalDate startDate,
                LocalDate endDate,
                String place,
                int capacity,
                String trainer) {
            sessions.put(id, new Held(id, courseCode, startDate, endDate, place, capacity, trainer));
            enrolments.put(id, new LinkedHashMap<>());
        }

        @Override
        public Optional<Session> find(String id) {
            Held h = sessions.get(id);
            if (h == null) {
                return Optional.empty();
            }
            List<Enrolment> list = enrolments.get(id).values().stream()
                    .sorted(Comparator.comparingLong(Row::arrival))
                    .map(r -> new Enrolment(r.technician(), r.status()))
                    .toList();
            return Optional.of(new Session(
                    h.id(), h.courseCode(), h.start(), h.end(), h.place(), h.capacity(), h.trainer(), list));
        }

        @Override
        public Optional<Session> lock(String id) {
            return find(id);
        }

        @Override
        public List<Session> page(
                LocalDate endsOnOrAfter,
                String courseCode,
                Optional<LocalDate> afterStart,
                Optional<String> afterId,
                int limit) {
            Comparator<Held> order = Comparator.comparing(Held::start).thenComparing(Held::id);
            return sessions.values().stream()
                    .filter(h -> !h.end().isBefore(endsOnOrAfter))
                    .filter(h -> courseCode.isEmpty() || h.courseCode().equals(courseCode))
                    .filter(h -> afterStart.isEmpty()
                            || h.start().isAfter(afterStart.get())
                            || h.start().equals(afterStart.get()) && h.id().compareTo(afterId.orElseThrow()) > 0)
                    .sorted(order)
                    .limit(limit)
                    .map(h -> find(h.id()).orElseThrow())
                    .toList();
        }

        @Override
        public boolean enrol(String sessionId, String technician, EnrolmentStatus status) {
            Row was = enrolments.get(sessionId).get(technician);
            if (was != null && was.status() != EnrolmentStatus.WITHDRAWN) {
                return false;
            }
            enrolments.get(sessionId).put(technician, new Row(technician, status, ++arrival));
            return true;
        }

        @Override
        public void setStatus(String sessionId, String technician, EnrolmentStatus status) {
            enrolments.get(sessionId).computeIfPresent(technician, (k, r) -> new Row(k, status, r.arrival()));
        }

        @Override
        public void putResult(String sessionId, String technician, EnrolmentStatus status) {
            Row was = enrolments.get(sessionId).get(technician);
            enrolments
                    .get(sessionId)
                    .put(technician, new Row(technician, status, was == null ? ++arrival : was.arrival()));
        }

        @Override
        public List<DeliveredDays> deliveredDays(
                LocalDate first, LocalDate last, String agreementId, LocalDate heldBy) {
            List<DeliveredDays> out = new ArrayList<>();
            for (Held h : sessions.values()) {
                Course c = courses.get(h.courseCode());
                boolean resulted = enrolments.get(h.id()).values().stream()
                        .anyMatch(r -> r.status() != EnrolmentStatus.ENROLLED
                                && r.status() != EnrolmentStatus.WAITLISTED
                                && r.status() != EnrolmentStatus.WITHDRAWN);
                if (agreementId.equals(c.agreementId())
                        && !h.start().isAfter(last)
                        && !h.end().isBefore(first)
                        && !h.end().isAfter(heldBy)
                        && resulted) {
                    LocalDate from = h.start().isAfter(first) ? h.start() : first;
                    LocalDate to = h.end().isBefore(last) ? h.end() : last;
                    out.add(new DeliveredDays(
                            h.id(),
                            c.code(),
                            c.title(),
                            c.agreementItemCode(),
                            (int) (to.toEpochDay() - from.toEpochDay() + 1),
                            c.agreementId()));
                }
            }
            return out;
        }
    }

    private final class Certifications implements CertificationRepository {

        @Override
        public void insert(Certification c) {
            certifications.add(new Certification(
                    certifications.size() + 1,
                    c.technician(),
                    c.courseCode(),
                    c.modelFamilies(),
                    c.issuedOn(),
                    c.validUntil(),
                    c.sessionId()));
        }

        @Override
        public List<Certification> ofTechnician(String technician) {
            return certifications.stream()
                    .filter(c -> c.technician().equals(technician))
                    .sorted(Comparator.comparing(Certification::validUntil))
                    .toList();
        }

        @Override
        public List<Certification> endingBetween(LocalDate from, LocalDate to) {
            return certifications.stream()
                    .filter(c ->
                            !c.validUntil().isBefore(from) && !c.validUntil().isAfter(to))
                    .sorted(Comparator.comparing(Certification::validUntil))
                    .toList();
        }

        @Override
        public List<Certification> expired(
                LocalDate before,
                Optional<LocalDate> since,
                String technician,
                Optional<LocalDate> afterValidUntil,
                Optional<Long> afterId,
                int limit) {
            Comparator<Certification> order = Comparator.comparing(Certification::validUntil)
                    .thenComparingLong(Certification::id)
                    .reversed();
            return certifications.stream()
                    .filter(c -> c.validUntil().isBefore(before))
                    .filter(c -> since.isEmpty() || !c.validUntil().isBefore(since.get()))
                    .filter(c -> technician.isEmpty() || c.technician().equals(technician))
                    .filter(c -> afterValidUntil.isEmpty()
                            || c.validUntil().isBefore(afterValidUntil.get())
                            || c.validUntil().equals(afterValidUntil.get()) && c.id() < afterId.orElseThrow())
                    .sorted(order)
                    .limit(limit)
                    .toList();
        }
    }
}
