package fr.interieur.neogend.training;

import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.SettableClock;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.CheckCertificationResponse;
import fr.interieur.neogend.training.v1.Course;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.EnrollTechnicianRequest;
import fr.interieur.neogend.training.v1.GetSessionRequest;
import fr.interieur.neogend.training.v1.ListExpiredCertificationsRequest;
import fr.interieur.neogend.training.v1.ListExpiringCertificationsRequest;
import fr.interieur.neogend.training.v1.RecordResultRequest;
import fr.interieur.neogend.training.v1.Session;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc.TrainingServiceBlockingStub;
import fr.interieur.neogend.training.v1.WithdrawTechnicianRequest;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session's first day is a Paris day (rule 17), with the service's clock set by the test: at 00:30 in
 * Paris the session has started although it is still the day before in UTC, so an enrolled technician no
 * longer withdraws and no one is handed its seat; at 23:30 in Paris the day before (22:30 UTC) a seat freed
 * still goes to the first in line.
 */
@ServiceIT
class SessionFirstDayIT {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static final SettableClock CLOCK = new SettableClock();

    @TestConfiguration
    static class ServiceClock {
        @Bean
        Clock clock() {
            return CLOCK;
        }
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    TrainingServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        TrainingTestData.reset(jdbc);
        CLOCK.now = Instant.now();
        fleetManager = clients.as(TestTokens.fleetManager(), TrainingServiceGrpc::newBlockingStub);
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("MAINT-FIRST-DAY")
                        .setTitle("Maintenance, premier jour")
                        .setDurationDays(2)
                        .addModelFamilies("Rugged X")
                        .setCertificationValidityMonths(24))
                .build());
    }

    String session(LocalDate start) {
        return session(start, 2, 1);
    }

    /** A session of {@code days} days from {@code start} with {@code capacity} seats. */
    String session(LocalDate start, int days, int capacity) {
        return fleetManager
                .createSession(CreateSessionRequest.newBuilder()
                        .setSession(Session.newBuilder()
                                .setCourseCode("MAINT-FIRST-DAY")
                                .setStartDate(day(start))
                                .setEndDate(day(start.plusDays(days - 1)))
                                .setPlace("Rennes, atelier central")
                                .setCapacity(capacity)
                                .setTrainer("Demo Mobility SAS"))
                        .build())
                .getSession()
                .getId();
    }

    List<String> statuses(String id) {
        return SessionsIT.statuses(fleetManager
                .getSession(GetSessionRequest.newBuilder().setId(id).build())
                .getSession());
    }

    List<String> enrol(String id, String technician) {
        return SessionsIT.statuses(fleetManager
                .enrollTechnician(EnrollTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .build())
                .getSession());
    }

    List<String> withdraw(String id, String technician) {
        return SessionsIT.statuses(fleetManager
                .withdrawTechnician(WithdrawTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .build())
                .getSession());
    }

    @Test
    void atHalfPastMidnightInParisTheSessionHasStartedThoughUtcIsStillTheDayBefore() {
        LocalDate first = LocalDate.now(PARIS).plusDays(30);
        String id = session(first);
        for (String t : List.of("t.one", "t.two", "t.three")) {
            enrol(id, t);
        }
        // 23:30 in Paris the day before (22:30 UTC in winter, 21:30 in summer): still before the session
        CLOCK.now = first.minusDays(1).atTime(23, 30).atZone(PARIS).toInstant();
        assertThat(withdraw(id, "t.one"))
                .as("the day before, a freed seat goes to the first in line")
                .containsExactly("t.one=WITHDRAWN", "t.two=ENROLLED", "t.three=WAITLISTED");

        // 00:30 in Paris on the first day: UTC still reads the day before
        CLOCK.now = first.atTime(0, 30).atZone(PARIS).toInstant();
        assertThat(CLOCK.now.atZone(ZoneOffset.UTC).toLocalDate()).isEqualTo(first.minusDays(1));
        GrpcAssertions.assertStatus(
                () -> withdraw(id, "t.two"),
                Status.Code.FAILED_PRECONDITION,
                "cannot withdraw from it: record its result");
        // coming back to the list on the first day is refused (enrolment closed); still no seat is handed on
        GrpcAssertions.assertStatus(() -> enrol(id, "t.one"), Status.Code.FAILED_PRECONDITION, "started on " + first);
        GrpcAssertions.assertStatus(
                () -> withdraw(id, "t.two"),
                Status.Code.FAILED_PRECONDITION,
                "cannot withdraw from it: record its result");
        assertThat(SessionsIT.statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .as("the seat of the one at the session is not handed to someone who would miss the day")
                .containsExactly("t.one=WITHDRAWN", "t.two=ENROLLED", "t.three=WAITLISTED");
    }

    /**
     * From the session's first day (00:00 in Paris) no seat is handed on, so nobody joins a full session's
     * waiting list — a place that could never become a seat; a free seat is still taken that day (a walk-in
     * on the first morning), and from the second day nobody enrols at all (one who sat it without a seat is
     * recorded after the session from the attendance sheet, RecordPastResult). Tried at 00:30 Paris on the
     * first day (UTC still the day before), at 00:30 Paris on the second day (UTC still the first) and the day
     * after its last day, for a full session and one with seats left, by a fleet manager naming the
     * technician and by the technician itself; at 23:30 Paris the day before, the list is still open.
     */
    @Test
    void noOneJoinsTheWaitingListFromTheSessionsFirstDayInParisNorEnrolsAfterIt() {
        LocalDate first = LocalDate.now(PARIS).plusDays(30);
        String full = session(first, 3, 1);
        String free = session(first, 3, 3);
        enrol(full, "t.seated");
        enrol(full, "t.waiting");
        enrol(free, "t.seated");
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);

        // 23:30 in Paris the day before: still open, to a seat or to the back of the list
        CLOCK.now = first.minusDays(1).atTime(23, 30).atZone(PARIS).toInstant();
        assertThat(enrol(full, "t.eve"))
                .containsExactly("t.seated=ENROLLED", "t.waiting=WAITLISTED", "t.eve=WAITLISTED");
        assertThat(withdraw(full, "t.eve"))
                .containsExactly("t.seated=ENROLLED", "t.waiting=WAITLISTED", "t.eve=WITHDRAWN");

        // 00:30 in Paris on the first day, UTC still the day before: the full session's list is closed — no seat
        // frees up from now on — while a free seat is still taken by a walk-in
        CLOCK.now = first.atTime(0, 30).atZone(PARIS).toInstant();
        assertThat(CLOCK.now.atZone(ZoneOffset.UTC).toLocalDate()).isEqualTo(first.minusDays(1));
        GrpcAssertions.assertStatus(
                () -> enrol(full, "t.late"),
                Status.Code.FAILED_PRECONDITION,
                "session " + full + " started on " + first + " (today is " + first + ") with its 1 seats taken");
        GrpcAssertions.assertStatus(
                () -> technician.enrollTechnician(
                        EnrollTechnicianRequest.newBuilder().setSessionId(full).build()),
                Status.Code.FAILED_PRECONDITION,
                "nobody joins its waiting list from its first day");
        // one who left the list before the session does not come back to it either
        GrpcAssertions.assertCode(Status.Code.FAILED_PRECONDITION, () -> enrol(full, "t.eve"));
        assertThat(enrol(free, "t.walkin")).containsExactly("t.seated=ENROLLED", "t.walkin=ENROLLED");

        List<java.time.Instant> closed = List.of(
                first.plusDays(1).atTime(0, 30).atZone(PARIS).toInstant(), // second day in Paris, UTC the first
                first.plusDays(3).atTime(9, 0).atZone(PARIS).toInstant()); // over
        for (java.time.Instant at : closed) {
            CLOCK.now = at;
            for (String id : List.of(full, free)) {
                GrpcAssertions.assertStatus(
                        () -> enrol(id, "t.late"),
                        Status.Code.FAILED_PRECONDITION,
                        "session " + id + " started on " + first);
                GrpcAssertions.assertStatus(
                        () -> technician.enrollTechnician(EnrollTechnicianRequest.newBuilder()
                                .setSessionId(id)
                                .build()),
                        Status.Code.FAILED_PRECONDITION,
                        "enrolment closes after a session's first day");
            }
            GrpcAssertions.assertCode(Status.Code.FAILED_PRECONDITION, () -> enrol(full, "t.eve"));
        }
        assertThat(statuses(full))
                .as("nobody joined the full session's list once it had started")
                .containsExactly("t.seated=ENROLLED", "t.waiting=WAITLISTED", "t.eve=WITHDRAWN");
        assertThat(statuses(free))
                .as("a free seat taken on the first day only")
                .containsExactly("t.seated=ENROLLED", "t.walkin=ENROLLED");
    }

    CheckCertificationResponse check(String technician) {
        return fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician(technician)
                .setModel("Rugged X5")
                .build());
    }

    List<String> expiring() {
        return fleetManager
                .listExpiringCertifications(ListExpiringCertificationsRequest.newBuilder()
                        .setWithinDays(1)
                        .build())
                .getCertificationsList()
                .stream()
                .map(c -> c.getTechnician())
                .toList();
    }

    List<String> expired() {
        return fleetManager
                .listExpiredCertifications(ListExpiredCertificationsRequest.getDefaultInstance())
                .getCertificationsList()
                .stream()
                .map(c -> c.getTechnician())
                .toList();
    }

    /**
     * A certification's first and last valid days are Paris days, and a month is added as the calendar does:
     * a session ending on 29 February 2028 is recorded from 00:00 in Paris that day (UTC still 28 February)
     * and certifies at once; 24 months on, the last valid day is 28 February 2030 — valid, and listed as
     * expiring, at 23:30 in Paris that day; expired, and listed so, at 00:30 in Paris on 1 March although UTC
     * still reads 28 February.
     */
    @Test
    void aCertificationFromALeapDayIsValidThroughTheLastDayOfFebruaryAsParisCountsIt() {
        LocalDate leap = LocalDate.of(2028, 2, 29);
        CLOCK.now = LocalDate.of(2028, 2, 1).atTime(9, 0).atZone(PARIS).toInstant();
        String id = session(leap.minusDays(1)); // 28 and 29 February 2028
        enrol(id, "t.leap");
        RecordResultRequest pass = RecordResultRequest.newBuilder()
                .setSessionId(id)
                .setTechnician("t.leap")
                .setAttended(true)
                .setPassed(true)
                .build();

        // 23:30 in Paris on the 28th: the session's last day has not come
        CLOCK.now = leap.minusDays(1).atTime(23, 30).atZone(PARIS).toInstant();
        GrpcAssertions.assertStatus(
                () -> fleetManager.recordResult(pass), Status.Code.INVALID_ARGUMENT, "can be recorded from " + leap);
        // 00:30 in Paris on the 29th, UTC still the 28th: recorded, valid at once
        CLOCK.now = leap.atTime(0, 30).atZone(PARIS).toInstant();
        assertThat(CLOCK.now.atZone(ZoneOffset.UTC).toLocalDate()).isEqualTo(leap.minusDays(1));
        fleetManager.recordResult(pass);
        LocalDate lastValid = LocalDate.of(2030, 2, 28);
        assertThat(check("t.leap").getCertified()).isTrue();
        assertThat(fr.interieur.neogend.testkit.Days.iso(check("t.leap").getValidUntil()))
                .isEqualTo(lastValid.toString());

        CLOCK.now = lastValid.atTime(23, 30).atZone(PARIS).toInstant();
        assertThat(check("t.leap").getCertified())
                .as("its last valid day, late in Paris")
                .isTrue();
        assertThat(expiring()).containsExactly("t.leap");
        assertThat(expired()).isEmpty();

        CLOCK.now = lastValid.plusDays(1).atTime(0, 30).atZone(PARIS).toInstant();
        assertThat(CLOCK.now.atZone(ZoneOffset.UTC).toLocalDate()).isEqualTo(lastValid);
        CheckCertificationResponse after = check("t.leap");
        assertThat(after.getCertified())
                .as("1 March in Paris, UTC still 28 February")
                .isFalse();
        assertThat(after.getReason()).isEqualTo("t.leap's certification for Rugged X5 expired on " + lastValid);
        assertThat(expiring()).isEmpty();
        assertThat(expired()).containsExactly("t.leap");
    }
}
