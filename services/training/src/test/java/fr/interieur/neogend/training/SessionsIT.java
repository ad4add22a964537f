package fr.interieur.neogend.training;

import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.OrderStandIn;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.Certification;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.Course;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.EnrollTechnicianRequest;
import fr.interieur.neogend.training.v1.Enrolment;
import fr.interieur.neogend.training.v1.GetSessionRequest;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest;
import fr.interieur.neogend.training.v1.ListExpiredCertificationsRequest;
import fr.interieur.neogend.training.v1.ListExpiredCertificationsResponse;
import fr.interieur.neogend.training.v1.ListExpiringCertificationsRequest;
import fr.interieur.neogend.training.v1.ListSessionsRequest;
import fr.interieur.neogend.training.v1.RecordPastResultRequest;
import fr.interieur.neogend.training.v1.RecordResultRequest;
import fr.interieur.neogend.training.v1.Session;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc.TrainingServiceBlockingStub;
import fr.interieur.neogend.training.v1.WithdrawTechnicianRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static fr.interieur.neogend.testkit.Days.day;
import static fr.interieur.neogend.testkit.Days.iso;
import static org.assertj.core.api.Assertions.assertThat;

/** Sessions, the waiting list, results and certifications (rule 17) on real PostgreSQL. */
@ServiceIT
class SessionsIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    TrainingServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        TrainingTestData.reset(jdbc);
        fleetManager = clients.as(TestTokens.fleetManager(), TrainingServiceGrpc::newBlockingStub);
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("MAINT-SMARTPHONE-N1")
                        .setTitle("Maintenance niveau 1 smartphones")
                        .setDurationDays(2)
                        .addModelFamilies("Rugged X")
                        .setCertificationValidityMonths(24)
                        .setAgreementItemCode("TRAINING-DAY-L1")
                        .setAgreementId(OrderStandIn.AGREEMENT))
                .build());
    }

    Session session(int capacity) {
        return session(today().plusDays(10), 2, capacity);
    }

    /**
     * A session from {@code start} (today or before), {@code days} days long, with these technicians
     * enrolled before it started: enrolment closes on a session's first day, so it is made for tomorrow, the
     * technicians enrolled, then its days are moved back to {@code start} as the days pass.
     */
    Session enrolledBefore(LocalDate start, int days, int capacity, String... technicians) {
        LocalDate tomorrow = today().plusDays(1);
        String id = session(tomorrow, days, capacity).getId();
        for (String t : technicians) {
            enrol(id, t);
        }
        jdbc.sql("update training_session set start_date = ?::date, end_date = ?::date where id = ?")
                .params(start.toString(), start.plusDays(days - 1).toString(), id)
                .update();
        return fleetManager
                .getSession(GetSessionRequest.newBuilder().setId(id).build())
                .getSession();
    }

    /** A session of MAINT-SMARTPHONE-N1 in Rennes from {@code start}, {@code days} days long. */
    Session session(LocalDate start, int days, int capacity) {
        return fleetManager
                .createSession(CreateSessionRequest.newBuilder()
                        .setSession(Session.newBuilder()
                                .setCourseCode("MAINT-SMARTPHONE-N1")
                                .setStartDate(day(start))
                                .setEndDate(day(start.plusDays(days - 1)))
                                .setPlace("Rennes, atelier central")
                                .setCapacity(capacity)
                                .setTrainer("Demo Mobility SAS"))
                        .build())
                .getSession();
    }

    /** Today as the service sees it: a Paris day. */
    static LocalDate today() {
        return LocalDate.now(ZoneId.of("Europe/Paris"));
    }

    Session pastResult(String id, String technician, boolean attended, boolean passed) {
        return fleetManager
                .recordPastResult(RecordPastResultRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .setAttended(attended)
                        .setPassed(passed)
                        .setReason("feuille d'émargement papier")
                        .build())
                .getSession();
    }

    Session result(String id, String technician, boolean attended, boolean passed) {
        return fleetManager
                .recordResult(RecordResultRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .setAttended(attended)
                        .setPassed(passed)
                        .build())
                .getSession();
    }

    Session enrol(String id, String technician) {
        return fleetManager
                .enrollTechnician(EnrollTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .build())
                .getSession();
    }

    /** The status without its enum's prefix: ENROLLED. */
    static String status(Enrolment e) {
        return e.getStatus().name().substring("ENROLMENT_STATUS_".length());
    }

    static List<String> statuses(Session s) {
        return s.getEnrolmentsList().stream()
                .map(e -> e.getTechnician() + "=" + status(e))
                .toList();
    }

    Session sessionOn(String course, String start, String end) {
        return fleetManager
                .createSession(CreateSessionRequest.newBuilder()
                        .setSession(Session.newBuilder()
                                .setCourseCode(course)
                                .setStartDate(day(start))
                                .setEndDate(day(end))
                                .setPlace("Rennes")
                                .setCapacity(5)
                                .setTrainer("Demo Mobility SAS"))
                        .build())
                .getSession();
    }

    List<String> deliveredDays(int year, int month) {
        return fleetManager
                .listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT)
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .getSessionsList()
                .stream()
                .map(d -> d.getSessionId() + ":" + d.getAgreementItemCode() + ":" + d.getDays())
                .toList();
    }

    @Test
    void upcomingSessionsAreListedSoonestFirstWithTheirEnrolmentsOnePageAtATime() {
        LocalDate today = today();
        sessionOn(
                "MAINT-SMARTPHONE-N1",
                today.minusDays(5).toString(),
                today.minusDays(4).toString()); // over
        Session running = sessionOn("MAINT-SMARTPHONE-N1", today.minusDays(1).toString(), today.toString());
        Session later = sessionOn(
                "MAINT-SMARTPHONE-N1",
                today.plusDays(20).toString(),
                today.plusDays(21).toString());
        Session sooner = sessionOn(
                "MAINT-SMARTPHONE-N1",
                today.plusDays(3).toString(),
                today.plusDays(4).toString());
        Session sameDay = sessionOn(
                "MAINT-SMARTPHONE-N1",
                today.plusDays(3).toString(),
                today.plusDays(3).toString());
        enrol(sooner.getId(), "technician");

        var first = fleetManager.listSessions(
                ListSessionsRequest.newBuilder().setPageSize(2).build());
        assertThat(first.getSessionsList()).extracting(Session::getId).containsExactly(running.getId(), sooner.getId());
        assertThat(statuses(first.getSessions(1))).containsExactly("technician=ENROLLED");
        var second = fleetManager.listSessions(ListSessionsRequest.newBuilder()
                .setPageSize(2)
                .setPageToken(first.getNextPageToken())
                .build());
        assertThat(second.getSessionsList()).extracting(Session::getId).containsExactly(sameDay.getId(), later.getId());
        assertThat(second.getNextPageToken()).isEmpty();

        assertThat(fleetManager
                        .listSessions(ListSessionsRequest.newBuilder()
                                .setEndsOnOrAfter(day(today.minusDays(30)))
                                .build())
                        .getSessionsCount())
                .isEqualTo(5);
        assertThat(fleetManager
                        .listSessions(ListSessionsRequest.newBuilder()
                                .setCourseCode("NO-SUCH-COURSE")
                                .build())
                        .getSessionsList())
                .isEmpty();
        GrpcAssertions.assertStatus(
                () -> fleetManager.listSessions(ListSessionsRequest.newBuilder()
                        .setEndsOnOrAfter(day("2026-11-31"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "ends_on_or_after");
        GrpcAssertions.assertStatus(
                () -> fleetManager.listSessions(ListSessionsRequest.newBuilder()
                        .setCourseCode("X")
                        .setPageToken(first.getNextPageToken())
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "other filters");
    }

    @Test
    void deliveredTrainingDaysAreTheDaysInTheMonthOfSessionsWithResultsOfBilledCourses() {
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("INTERNAL-BRIEFING")
                        .setTitle("Internal briefing")
                        .setDurationDays(1)
                        .addModelFamilies("Rugged X"))
                .build());
        // sessions held in the past, their results recorded from paper (results are never recorded ahead)
        String across =
                sessionOn("MAINT-SMARTPHONE-N1", "2026-09-29", "2026-10-02").getId(); // 2 + 2 days
        String september =
                sessionOn("MAINT-SMARTPHONE-N1", "2026-09-12", "2026-09-13").getId();
        String internal =
                sessionOn("INTERNAL-BRIEFING", "2026-09-05", "2026-09-05").getId();
        sessionOn("MAINT-SMARTPHONE-N1", "2026-09-20", "2026-09-21"); // no result: not held
        for (String id : List.of(across, internal)) {
            pastResult(id, "t.one", true, true);
        }
        // one absent technician is enough: the trainer came
        pastResult(september, "t.two", false, false);
        // a session of this month with technicians enrolled but no result yet: not billed
        enrolledBefore(today(), 1, 5, "t.one");

        assertThat(deliveredDays(2026, 9))
                .containsExactly(across + ":TRAINING-DAY-L1:2", september + ":TRAINING-DAY-L1:2");
        assertThat(deliveredDays(2026, 10)).containsExactly(across + ":TRAINING-DAY-L1:2");
        assertThat(deliveredDays(2026, 11)).isEmpty();
        assertThat(deliveredDays(today().getYear(), today().getMonthValue())).isEmpty();
        // the days belong to the course's agreement only: never billed to another
        assertThat(fleetManager
                        .listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                                .setAgreementId(OrderStandIn.SUCCESSOR)
                                .setYear(2026)
                                .setMonth(9)
                                .build())
                        .getSessionsList())
                .isEmpty();
        assertThat(GrpcAssertions.failure(() -> deliveredDays(2027, 13))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT)
                        .setYear(2027)
                        .setMonth(1)
                        .build()));
        assertThat(fleetManager
                        .listCourses(ListCoursesRequest.getDefaultInstance())
                        .getItemsList())
                .extracting(
                        Course::getCode,
                        Course::getAgreementItemCode,
                        c -> c.getModelFamiliesList().toString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("INTERNAL-BRIEFING", "", "[Rugged X]"),
                        org.assertj.core.groups.Tuple.tuple("MAINT-SMARTPHONE-N1", "TRAINING-DAY-L1", "[Rugged X]"));
    }

    @Test
    void aBilledCoursesSessionIsHeldWithinItsAgreementsTermSoEveryDayHeldIsBilledToIt() {
        // AC-OLD was in force from 2016-01-01 to 2019-12-31, AC-NEXT is from 2027-01-01
        for (var c : List.of(
                java.util.Map.entry("MAINT-OLD", OrderStandIn.ENDED),
                java.util.Map.entry("MAINT-NEXT", OrderStandIn.SUCCESSOR))) {
            fleetManager.createCourse(CreateCourseRequest.newBuilder()
                    .setCourse(Course.newBuilder()
                            .setCode(c.getKey())
                            .setTitle("Maintenance")
                            .setDurationDays(2)
                            .addModelFamilies("Rugged X")
                            .setAgreementItemCode(OrderStandIn.TRAINING_DAY)
                            .setAgreementId(c.getValue()))
                    .build());
        }
        // across the term's end: its 2 days of January 2020 would be billed to an agreement that had ended
        GrpcAssertions.assertStatus(
                () -> sessionOn("MAINT-OLD", "2019-12-30", "2020-01-02"),
                Status.Code.INVALID_ARGUMENT,
                "session.end_date");
        // after the term: none of its days could ever be billed
        GrpcAssertions.assertStatus(
                () -> sessionOn("MAINT-OLD", "2026-09-10", "2026-09-11"),
                Status.Code.INVALID_ARGUMENT,
                "session.start_date");
        // across the term's start: the last day of 2026 is before the agreement is in force
        GrpcAssertions.assertStatus(
                () -> sessionOn("MAINT-NEXT", "2026-12-31", "2027-01-01"),
                Status.Code.INVALID_ARGUMENT,
                "in force from 2027-01-01 to 2030-12-31");
        // nothing stored; days held inside the term are delivered to the agreement as before
        String held = sessionOn("MAINT-OLD", "2019-12-30", "2019-12-31").getId();
        pastResult(held, "t.paper", true, true);
        assertThat(fleetManager
                        .listSessions(ListSessionsRequest.newBuilder()
                                .setEndsOnOrAfter(day("2015-01-01"))
                                .build())
                        .getSessionsList())
                .extracting(Session::getId)
                .containsExactly(held);
        List<String> days = new ArrayList<>();
        for (int month : List.of(12, 1)) {
            fleetManager
                    .listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                            .setAgreementId(OrderStandIn.ENDED)
                            .setYear(month == 12 ? 2019 : 2020)
                            .setMonth(month)
                            .build())
                    .getSessionsList()
                    .forEach(d -> days.add(d.getSessionId() + ":" + d.getDays()));
        }
        assertThat(days).containsExactly(held + ":2");
    }

    @Test
    void beyondCapacityTheWaitingListIsPromotedWhenASeatFrees() {
        String id = session(2).getId();
        enrol(id, "t.one");
        enrol(id, "t.two");
        enrol(id, "t.three");
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);
        Session self = technician
                .enrollTechnician(
                        EnrollTechnicianRequest.newBuilder().setSessionId(id).build())
                .getSession();
        assertThat(statuses(self))
                .containsExactly("t.one=ENROLLED", "t.two=ENROLLED", "t.three=WAITLISTED", "technician=WAITLISTED");
        assertThat(GrpcAssertions.failure(() -> technician.enrollTechnician(EnrollTechnicianRequest.newBuilder()
                                .setSessionId(id)
                                .setTechnician("someone.else")
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> enrol(id, "t.one")).getStatus().getCode())
                .isEqualTo(Status.Code.ALREADY_EXISTS);

        Session after = fleetManager
                .withdrawTechnician(WithdrawTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician("t.one")
                        .build())
                .getSession();
        assertThat(statuses(after))
                .containsExactly("t.one=WITHDRAWN", "t.two=ENROLLED", "t.three=ENROLLED", "technician=WAITLISTED");
    }

    Session withdraw(String id, String technician) {
        return fleetManager
                .withdrawTechnician(WithdrawTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .build())
                .getSession();
    }

    @Test
    void noOneWithdrawsFromAStartedSessionSoNoOneJoinsItFromTheWaitingList() {
        String id = enrolledBefore(today(), 1, 1, "t.first", "t.second").getId();
        // the next day: the session started yesterday
        jdbc.sql("update training_session set start_date = start_date - 1 where id = ?")
                .param(id)
                .update();
        GrpcAssertions.assertStatus(
                () -> withdraw(id, "t.first"),
                Status.Code.FAILED_PRECONDITION,
                "cannot withdraw from it: record its result");
        assertThat(statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .as("the seat of the one who sat the session is not handed on")
                .containsExactly("t.first=ENROLLED", "t.second=WAITLISTED");
        // its result can still be recorded, and leaving the waiting list changes no seat
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(id)
                .setTechnician("t.first")
                .setAttended(false)
                .setPassed(false)
                .build());
        assertThat(statuses(withdraw(id, "t.second"))).containsExactly("t.first=ABSENT", "t.second=WITHDRAWN");
    }

    /**
     * The first day (a Paris day) is a day of the session: a seat freed that day would go to the first
     * waitlisted technician, who is not there and misses the day (and the one who withdrew, if it came
     * after all, would have no seat left for its result). From the first day on, an enrolled technician's
     * result is recorded instead; the waiting list can be left, but nobody joins it (nor takes a seat): a
     * place on the list could never become a seat.
     */
    @Test
    void aSeatIsNotHandedOnOnTheSessionsFirstDaySoNoOneJoinsASessionAlreadyUnderWay() {
        String id = enrolledBefore(today(), 2, 1, "t.first", "t.second").getId();
        GrpcAssertions.assertStatus(
                () -> withdraw(id, "t.first"),
                Status.Code.FAILED_PRECONDITION,
                "cannot withdraw from it: record its result");
        assertThat(statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .as("the first day is a day of the session: its seat is not handed on")
                .containsExactly("t.first=ENROLLED", "t.second=WAITLISTED");
        // enrolling again: already there; a latecomer is refused; leaving the list is allowed, coming back is not
        GrpcAssertions.assertCode(Status.Code.ALREADY_EXISTS, () -> enrol(id, "t.second"));
        GrpcAssertions.assertCode(Status.Code.ALREADY_EXISTS, () -> enrol(id, "t.first"));
        GrpcAssertions.assertStatus(
                () -> enrol(id, "t.third"), Status.Code.FAILED_PRECONDITION, "started on " + today());
        assertThat(statuses(withdraw(id, "t.second"))).containsExactly("t.first=ENROLLED", "t.second=WITHDRAWN");
        GrpcAssertions.assertStatus(
                () -> enrol(id, "t.second"), Status.Code.FAILED_PRECONDITION, "started on " + today());
        GrpcAssertions.assertStatus(
                () -> withdraw(id, "t.first"),
                Status.Code.FAILED_PRECONDITION,
                "cannot withdraw from it: record its result");
        assertThat(statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .containsExactly("t.first=ENROLLED", "t.second=WITHDRAWN");
    }

    @Test
    void aSeatWhoseResultIsRecordedStillCounts() {
        String id = enrolledBefore(today(), 1, 1, "t.first").getId();
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(id)
                .setTechnician("t.first")
                .setAttended(true)
                .setPassed(true)
                .build());
        GrpcAssertions.assertStatus(
                () -> pastResult(id, "t.second", true, true), Status.Code.FAILED_PRECONDITION, "all taken");
        // a result recorded ahead of its session before the rule (issue 17) holds its seat too: one who enrols
        // waits, and leaving the list frees no seat that was not free
        String ahead = session(1).getId();
        jdbc.sql("insert into enrolment (session_id, technician, status, updated_at) values (?, 't.ahead', 'PASSED', "
                        + "now())")
                .param(ahead)
                .update();
        assertThat(statuses(enrol(ahead, "t.second"))).containsExactly("t.ahead=PASSED", "t.second=WAITLISTED");
        assertThat(statuses(withdraw(ahead, "t.second"))).containsExactly("t.ahead=PASSED", "t.second=WITHDRAWN");
    }

    @Test
    void theWaitingListIsInOrderOfArrivalAndAReEnrolmentGoesToTheBack() {
        String id = session(1).getId();
        for (String t : List.of("w.one", "w.two", "w.three", "w.four")) {
            enrol(id, t);
        }
        withdraw(id, "w.two");
        assertThat(statuses(enrol(id, "w.two")))
                .containsExactly("w.one=ENROLLED", "w.three=WAITLISTED", "w.four=WAITLISTED", "w.two=WAITLISTED");
        assertThat(statuses(withdraw(id, "w.one")))
                .containsExactly("w.one=WITHDRAWN", "w.three=ENROLLED", "w.four=WAITLISTED", "w.two=WAITLISTED");
        assertThat(statuses(withdraw(id, "w.three")))
                .containsExactly("w.one=WITHDRAWN", "w.three=WITHDRAWN", "w.four=ENROLLED", "w.two=WAITLISTED");
    }

    @Test
    void aWithdrawalAndReEnrolmentRacingAPromotionNeverJumpTheList() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = session(1).getId();
            for (String t : List.of("r.seated", "r.first", "r.second", "r.third")) {
                enrol(id, t);
            }
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var a = pool.submit(() -> withdraw(id, "r.seated"));
                var b = pool.submit(() -> {
                    withdraw(id, "r.first");
                    return enrol(id, "r.first");
                });
                a.get(30, java.util.concurrent.TimeUnit.SECONDS);
                b.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            // whatever the interleaving: the seat goes to the next in line, the one who left goes to the back
            Session s = fleetManager
                    .getSession(fr.interieur.neogend.training.v1.GetSessionRequest.newBuilder()
                            .setId(id)
                            .build())
                    .getSession();
            assertThat(statuses(s))
                    .as("round " + round)
                    .containsExactly(
                            "r.seated=WITHDRAWN", "r.second=ENROLLED", "r.third=WAITLISTED", "r.first=WAITLISTED");
        }
    }

    /**
     * A result, and so a certification, goes to a seat only: never to a waitlisted or withdrawn technician
     * (recordResult), nor through the paper-record path past a full session (recordPastResult); a technician
     * never withdraws another nor records a result.
     */
    @Test
    void aResultIsRecordedForASeatOnlyNeverForTheWaitingListOrAWithdrawalNorByATechnician() {
        String id = enrolledBefore(today(), 1, 1, "t.seated", "t.waiting", "t.left", "technician")
                .getId();
        withdraw(id, "t.left"); // leaves the list on the day
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.withdrawTechnician(WithdrawTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician("t.waiting")
                        .build()));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.recordResult(RecordResultRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician("technician")
                        .setAttended(true)
                        .setPassed(true)
                        .build()));
        GrpcAssertions.assertStatus(
                () -> result(id, "t.waiting", true, true), Status.Code.FAILED_PRECONDITION, "t.waiting is WAITLISTED");
        GrpcAssertions.assertStatus(
                () -> result(id, "t.left", true, true), Status.Code.FAILED_PRECONDITION, "t.left is WITHDRAWN");
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> result(id, "t.never", true, true));
        for (String who : List.of("t.waiting", "t.left")) {
            GrpcAssertions.assertStatus(
                    () -> pastResult(id, who, true, true), Status.Code.FAILED_PRECONDITION, "all taken");
        }
        // the seated one absent: its seat still counts, nobody else is certified in its place
        result(id, "t.seated", false, false);
        GrpcAssertions.assertStatus(
                () -> pastResult(id, "t.waiting", true, true), Status.Code.FAILED_PRECONDITION, "all taken");
        assertThat(statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .containsExactly(
                        "t.seated=ABSENT", "t.waiting=WAITLISTED", "t.left=WITHDRAWN", "technician=WAITLISTED");
        assertThat(jdbc.sql("select count(*) from certification")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /**
     * Before the session, seated technicians and one in line leave while newcomers enrol, all at once, five
     * rounds: whatever the interleaving, the seats never exceed the capacity and go to the first in line in
     * order of arrival (the one who left the list, seated or not by then, leaves its place to the next), the
     * newcomers behind everyone.
     */
    @Test
    void withdrawalsAndEnrolmentsAtOnceAroundTheCapacityKeepTheSeatsInOrderOfArrival() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = session(3).getId();
            for (String t : List.of("t.s0", "t.s1", "t.s2", "t.w3", "t.w4", "t.w5", "t.w6", "t.w7")) {
                enrol(id, t);
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Session>> calls = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
                for (Callable<Session> call : List.<Callable<Session>>of(
                        () -> withdraw(id, "t.s0"),
                        () -> withdraw(id, "t.s1"),
                        () -> withdraw(id, "t.w4"),
                        () -> enrol(id, "t.n8"),
                        () -> enrol(id, "t.n9"))) {
                    calls.add(pool.submit(() -> {
                        go.await();
                        return call.call();
                    }));
                }
                go.countDown();
                for (Future<Session> f : calls) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            List<String> seen = statuses(fleetManager
                    .getSession(GetSessionRequest.newBuilder().setId(id).build())
                    .getSession());
            assertThat(seen.stream().filter(e -> e.endsWith("=ENROLLED")).toList())
                    .as("round " + round + ": " + seen)
                    .containsExactly("t.s2=ENROLLED", "t.w3=ENROLLED", "t.w5=ENROLLED");
            assertThat(seen.stream().filter(e -> e.endsWith("=WAITLISTED")).toList())
                    .as("round " + round + ": " + seen)
                    .startsWith("t.w6=WAITLISTED", "t.w7=WAITLISTED")
                    .containsExactlyInAnyOrder(
                            "t.w6=WAITLISTED", "t.w7=WAITLISTED", "t.n8=WAITLISTED", "t.n9=WAITLISTED");
            assertThat(seen)
                    .as("round " + round)
                    .contains("t.s0=WITHDRAWN", "t.s1=WITHDRAWN", "t.w4=WITHDRAWN")
                    .hasSize(10);
        }
    }

    @Test
    void aTechnicianChecksItsOwnCertificationsNeverAnothersWhileTheFleetManagerChecksAnyone() {
        String id = enrolledBefore(today(), 1, 3, "t.pass", "technician").getId();
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(id)
                .setTechnician("t.pass")
                .setAttended(true)
                .setPassed(true)
                .build());
        var technician = clients.as(TestTokens.technician("GN-RBRE"), TrainingServiceGrpc::newBlockingStub);
        CheckCertificationRequest ofAnother = CheckCertificationRequest.newBuilder()
                .setTechnician("t.pass")
                .setModel("Rugged X5")
                .build();
        // t.pass's certification and its last valid day are not another technician's to read
        GrpcAssertions.assertStatus(
                () -> technician.checkCertification(ofAnother),
                Status.Code.PERMISSION_DENIED,
                "a technician checks its own certifications only");
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.checkCertification(
                        ofAnother.toBuilder().setTechnician("nobody").build()));
        // its own: answered (not certified yet, its result not recorded)
        assertThat(technician
                        .checkCertification(ofAnother.toBuilder()
                                .setTechnician("technician")
                                .build())
                        .getCertified())
                .isFalse();
        assertThat(fleetManager.checkCertification(ofAnother).getCertified()).isTrue();
    }

    @Test
    void aPassCertifiesForTheModelFamilyUntilItExpires() {
        String id = enrolledBefore(today(), 1, 3, "t.pass", "t.fail").getId();
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(id)
                .setTechnician("t.pass")
                .setAttended(true)
                .setPassed(true)
                .build());
        Session s = fleetManager
                .recordResult(RecordResultRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician("t.fail")
                        .setAttended(true)
                        .setPassed(false)
                        .build())
                .getSession();
        assertThat(statuses(s)).containsExactly("t.pass=PASSED", "t.fail=FAILED");

        var check = fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician("t.pass")
                .setModel("Rugged X5")
                .build());
        assertThat(check.getCertified()).isTrue();
        assertThat(iso(check.getValidUntil())).isEqualTo(today().plusMonths(24).toString());
        assertThat(fleetManager
                        .checkCertification(CheckCertificationRequest.newBuilder()
                                .setTechnician("t.pass")
                                .setModel("Field Tab 10")
                                .build())
                        .getReason())
                .isEqualTo("t.pass holds no certification for Field Tab 10");
        assertThat(fleetManager
                        .checkCertification(CheckCertificationRequest.newBuilder()
                                .setTechnician("t.fail")
                                .setModel("Rugged X5")
                                .build())
                        .getCertified())
                .isFalse();

        // an expired certification is refused, with the date; one expiring soon is listed ahead of time
        jdbc.sql("""
                insert into certification (technician, course_code, model_families, issued_on, valid_until, session_id)
                values ('t.old', 'MAINT-SMARTPHONE-N1', '{"Rugged X"}', '2024-01-10', ?::date - 1, ?),
                       ('t.soon', 'MAINT-SMARTPHONE-N1', '{"Rugged X"}', '2024-12-10', ?::date + 30, ?)""").params(today().toString(), id, today().toString(), id).update(); // the service's day: Paris's
        var old = fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician("t.old")
                .setModel("Rugged X5")
                .build());
        assertThat(old.getCertified()).isFalse();
        assertThat(old.getReason()).contains("expired on " + today().minusDays(1));
        assertThat(clients.as(TestTokens.auditor(), TrainingServiceGrpc::newBlockingStub)
                        .listExpiringCertifications(ListExpiringCertificationsRequest.newBuilder()
                                .setWithinDays(60)
                                .build())
                        .getCertificationsList())
                .extracting(c -> c.getTechnician())
                .containsExactly("t.soon");
        assertThat(GrpcAssertions.failure(() -> fleetManager.recordResult(RecordResultRequest.newBuilder()
                                .setSessionId(id)
                                .setTechnician("t.pass")
                                .setAttended(true)
                                .setPassed(true)
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    @Test
    void concurrentEnrolmentsNeverExceedTheCapacity() throws Exception {
        String id = session(3).getId();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String who = "t.c" + i;
            results.add(pool.submit((Callable<String>) () -> {
                start.await();
                try {
                    enrol(id, who);
                    return "ok";
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            }));
        }
        start.countDown();
        for (Future<String> f : results) {
            assertThat(f.get()).isEqualTo("ok");
        }
        pool.shutdown();
        Session s = fleetManager
                .getSession(fr.interieur.neogend.training.v1.GetSessionRequest.newBuilder()
                        .setId(id)
                        .build())
                .getSession();
        assertThat(s.getEnrolmentsList().stream().filter(e -> status(e).equals("ENROLLED")))
                .hasSize(3);
        assertThat(s.getEnrolmentsList().stream().map(SessionsIT::status).filter("WAITLISTED"::equals))
                .hasSize(7);
    }

    /**
     * A model family covers the models whose name starts with it, and inventory's models hold plain spaces only,
     * no invisible character, and never begin with a space: a family written with a no-break space, a
     * zero-width space or a leading space looks like "Rugged X" in every list but prefixes no model, so a
     * pass would certify its technician for nothing. Refused, naming the field; nothing stored.
     */
    @Test
    void aModelFamilyNoModelCanBeginWithIsRefused() {
        for (String family :
                List.of("Rugged\u00a0X", "Rugged X\u200b", "\u2060Rugged X", " Rugged X", "Rugged\u2009X")) {
            GrpcAssertions.assertStatus(
                    () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                            .setCourse(Course.newBuilder()
                                    .setCode("MAINT-LOOKALIKE")
                                    .setTitle("Maintenance")
                                    .setDurationDays(1)
                                    .addModelFamilies("Field Tab")
                                    .addModelFamilies(family))
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "course.model_families");
        }
        assertThat(fleetManager
                        .listCourses(ListCoursesRequest.getDefaultInstance())
                        .getItemsList())
                .extracting(Course::getCode)
                .containsExactly("MAINT-SMARTPHONE-N1");
        // a family ending with a space bounds the prefix ("Field Tab " covers "Field Tab 10", not "Field Tablet")
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("MAINT-TAB")
                        .setTitle("Tablettes")
                        .setDurationDays(1)
                        .addModelFamilies("Field Tab "))
                .build());
    }

    /**
     * A course's title, a session's place and trainer are required: spaces alone (plain, no-break, zero-width) are
     * none — a session nobody can tell where, or by whom, it is held.
     */
    @Test
    void aTitlePlaceOrTrainerOfSpacesAloneIsRefusedNamingTheFieldAndNothingIsStored() {
        for (String blank : List.of("   ", "\u00a0", "\u200b \u2009")) {
            GrpcAssertions.assertStatus(
                    () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                            .setCourse(Course.newBuilder()
                                    .setCode("MAINT-BLANK")
                                    .setTitle(blank)
                                    .setDurationDays(1)
                                    .addModelFamilies("Rugged X"))
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "course.title");
            for (String field : List.of("place", "trainer")) {
                Session.Builder session = Session.newBuilder()
                        .setCourseCode("MAINT-SMARTPHONE-N1")
                        .setStartDate(day(today().plusDays(10)))
                        .setEndDate(day(today().plusDays(11)))
                        .setPlace(field.equals("place") ? blank : "Rennes")
                        .setCapacity(5)
                        .setTrainer(field.equals("trainer") ? blank : "Demo Mobility SAS");
                GrpcAssertions.assertStatus(
                        () -> fleetManager.createSession(CreateSessionRequest.newBuilder()
                                .setSession(session)
                                .build()),
                        Status.Code.INVALID_ARGUMENT,
                        "session." + field);
            }
        }
        assertThat(jdbc.sql("select count(*) from course where code = 'MAINT-BLANK'")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from training_session")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aBilledCourseNamesATrainingDayLineOfAnExistingAgreement() {
        Course.Builder course = Course.newBuilder()
                .setCode("MAINT-TABLET-N1")
                .setTitle("Tablets")
                .setDurationDays(1)
                .addModelFamilies("Field Tab");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                        .setCourse(course.clone().setAgreementItemCode(OrderStandIn.TRAINING_DAY))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "course.agreement_id");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                        .setCourse(course.clone()
                                .setAgreementItemCode(OrderStandIn.TRAINING_DAY)
                                .setAgreementId("AC-NOPE"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "agreement AC-NOPE does not exist");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                        .setCourse(course.clone()
                                .setAgreementItemCode(OrderStandIn.PACK_LINE)
                                .setAgreementId(OrderStandIn.AGREEMENT))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "is not a training-day line");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createCourse(CreateCourseRequest.newBuilder()
                        .setCourse(course.clone()
                                .setAgreementItemCode("NO-SUCH-LINE")
                                .setAgreementId(OrderStandIn.AGREEMENT))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "has no price line NO-SUCH-LINE");
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(course.clone()
                        .setAgreementItemCode(OrderStandIn.TRAINING_DAY)
                        .setAgreementId(OrderStandIn.SUCCESSOR))
                .build());
        assertThat(fleetManager
                        .listCourses(ListCoursesRequest.getDefaultInstance())
                        .getItemsList())
                .filteredOn(c -> c.getCode().equals("MAINT-TABLET-N1"))
                .extracting(Course::getAgreementId)
                .containsExactly(OrderStandIn.SUCCESSOR);
    }

    // ---- issue 17: results before the session, back-dated results, expired certifications ----

    @Test
    void resultsAreRecordedFromTheSessionsLastDayNeverBefore() {
        // a two-day session starting today: one day before its last day
        Session twoDays = enrolledBefore(today(), 2, 5, "t.early");
        String later = session(5).getId(); // in ten days
        enrol(later, "t.early");
        GrpcAssertions.assertStatus(
                () -> result(twoDays.getId(), "t.early", true, true),
                Status.Code.INVALID_ARGUMENT,
                "can be recorded from " + today().plusDays(1) + ", its last day");
        GrpcAssertions.assertStatus(
                () -> result(twoDays.getId(), "t.early", false, false),
                Status.Code.INVALID_ARGUMENT,
                "can be recorded from " + today().plusDays(1));
        GrpcAssertions.assertStatus(
                () -> result(later, "t.early", true, false),
                Status.Code.INVALID_ARGUMENT,
                "can be recorded from " + today().plusDays(11));
        GrpcAssertions.assertStatus(
                () -> pastResult(later, "t.other", true, true),
                Status.Code.INVALID_ARGUMENT,
                "can be recorded from " + today().plusDays(11));
        // nothing happened: still enrolled, not certified, no day delivered
        assertThat(statuses(fleetManager
                        .getSession(fr.interieur.neogend.training.v1.GetSessionRequest.newBuilder()
                                .setId(twoDays.getId())
                                .build())
                        .getSession()))
                .containsExactly("t.early=ENROLLED");
        assertThat(fleetManager
                        .checkCertification(CheckCertificationRequest.newBuilder()
                                .setTechnician("t.early")
                                .setModel("Rugged X5")
                                .build())
                        .getReason())
                .isEqualTo("t.early holds no certification for Rugged X5");
        assertThat(jdbc.sql("select count(*) from certification")
                        .query(Long.class)
                        .single())
                .isZero();
        for (LocalDate d : List.of(today(), today().plusDays(1), today().plusDays(11))) {
            assertThat(deliveredDays(d.getYear(), d.getMonthValue())).isEmpty();
        }

        // on its last day: recorded, and the certification issued today is valid at once
        String endsToday = enrolledBefore(today(), 1, 5, "t.early").getId();
        result(endsToday, "t.early", true, true);
        var check = fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician("t.early")
                .setModel("Rugged X5")
                .build());
        assertThat(check.getCertified()).isTrue();
        assertThat(iso(check.getValidUntil())).isEqualTo(today().plusMonths(24).toString());
    }

    @Test
    void aResultRecordedAheadBeforeTheRuleNeitherCertifiesNorBillsBeforeTheSession() {
        // recorded ahead of its session before the rule (issue 17): it counts from the session's last day
        String id = session(5).getId();
        jdbc.sql("""
                insert into certification (technician, course_code, model_families, issued_on, valid_until, session_id)
                values ('t.ahead', 'MAINT-SMARTPHONE-N1', '{"Rugged X"}', ?::date, ?::date, ?)""")
                .params(
                        today().plusDays(11).toString(),
                        today().plusDays(11).plusMonths(24).toString(),
                        id)
                .update();
        var check = fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician("t.ahead")
                .setModel("Rugged X5")
                .build());
        assertThat(check.getCertified()).isFalse();
        assertThat(check.getReason())
                .isEqualTo("t.ahead's certification for Rugged X5 is valid from " + today().plusDays(11) + " only");
        // and its days are not billed before the session is held
        jdbc.sql(
                        "insert into enrolment (session_id, technician, status, updated_at) values (?, 't.ahead', 'PASSED', now())")
                .param(id)
                .update();
        for (LocalDate d : List.of(today().plusDays(10), today().plusDays(11))) {
            assertThat(deliveredDays(d.getYear(), d.getMonthValue())).isEmpty();
        }
    }

    void shortCourse() {
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("MAINT-SHORT")
                        .setTitle("Recyclage express")
                        .setDurationDays(1)
                        .addModelFamilies("Rugged X")
                        .setCertificationValidityMonths(1))
                .build());
    }

    @Test
    void aFleetManagerRecordsAPastSessionsResultWithAReasonAndAnOldCertificationHasExpired() {
        shortCourse();
        LocalDate held = today().minusMonths(3);
        String old = sessionOn("MAINT-SHORT", held.toString(), held.toString()).getId();
        long lastEvent = jdbc.sql("select coalesce(max(id), 0) from audit_event")
                .query(Long.class)
                .single();

        Session s = pastResult(old, "t.paper", true, true);
        assertThat(statuses(s)).containsExactly("t.paper=PASSED");
        var check = fleetManager.checkCertification(CheckCertificationRequest.newBuilder()
                .setTechnician("t.paper")
                .setModel("Rugged X5")
                .build());
        assertThat(check.getCertified()).isFalse();
        assertThat(check.getReason())
                .isEqualTo("t.paper's certification for Rugged X5 expired on " + held.plusMonths(1));
        // recorded in the audit trail: who, and why
        assertThat(jdbc.sql("select actor || ' ' || method || ' ' || status || ' ' || request from audit_event "
                                + "where id > ? order by id")
                        .param(lastEvent)
                        .query(String.class)
                        .list())
                .singleElement()
                .asString()
                .startsWith("fleet.manager neogend.training.v1.TrainingService/RecordPastResult OK")
                .contains("t.paper")
                .contains("feuille d");

        // never by anyone else, never without a reason, never twice, never for an enrolled technician
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.recordPastResult(RecordPastResultRequest.newBuilder()
                        .setSessionId(old)
                        .setTechnician("technician")
                        .setAttended(true)
                        .setPassed(true)
                        .setReason("I did attend")
                        .build()));
        GrpcAssertions.assertStatus(
                () -> fleetManager.recordPastResult(RecordPastResultRequest.newBuilder()
                        .setSessionId(old)
                        .setTechnician("t.other")
                        .setAttended(true)
                        .setPassed(true)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        GrpcAssertions.assertStatus(
                () -> fleetManager.recordPastResult(RecordPastResultRequest.newBuilder()
                        .setSessionId(old)
                        .setTechnician("t.other")
                        .setAttended(false)
                        .setPassed(true)
                        .setReason("paper")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "did not attend");
        GrpcAssertions.assertStatus(
                () -> pastResult(old, "t.paper", true, false), Status.Code.FAILED_PRECONDITION, "t.paper is PASSED");
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> pastResult("TS-999999", "t.paper", true, true));
        String today = enrolledBefore(today(), 1, 5, "t.enrolled").getId();
        GrpcAssertions.assertStatus(
                () -> pastResult(today, "t.enrolled", true, true), Status.Code.FAILED_PRECONDITION, "recordResult");
        // a technician withdrawn (or waiting) who in fact sat the session takes a seat; it withdrew the day
        // before (from the first day on, an enrolled technician no longer withdraws)
        jdbc.sql("update training_session set start_date = start_date + 1, end_date = end_date + 1 where id = ?")
                .param(today)
                .update();
        enrol(today, "t.withdrawn");
        withdraw(today, "t.withdrawn");
        jdbc.sql("update training_session set start_date = start_date - 1, end_date = end_date - 1 where id = ?")
                .param(today)
                .update();
        assertThat(statuses(pastResult(today, "t.withdrawn", true, false)))
                .containsExactly("t.enrolled=ENROLLED", "t.withdrawn=FAILED");
    }

    /** The reason a paper result is recorded, kept in the audit trail, is never invisible spaces alone. */
    @Test
    void aPastResultsReasonOfInvisibleSpacesAloneIsRefusedAndNothingIsRecorded() {
        String id = sessionOn("MAINT-SMARTPHONE-N1", "2026-09-12", "2026-09-13").getId();
        for (String blank : List.of("\u00a0\u00a0\u00a0", "\u200b\u200b\u200b", "\u2009\u202f\u2007\u00a0")) {
            GrpcAssertions.assertStatus(
                    () -> fleetManager.recordPastResult(RecordPastResultRequest.newBuilder()
                            .setSessionId(id)
                            .setTechnician("t.one")
                            .setAttended(true)
                            .setPassed(true)
                            .setReason(blank)
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "reason");
        }
        assertThat(jdbc.sql("select count(*) from certification")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from enrolment").query(Long.class).single())
                .isZero();
    }

    @Test
    void concurrentPastResultsNeverExceedTheSessionsCapacity() throws Exception {
        LocalDate held = today().minusDays(20);
        String id = fleetManager
                .createSession(CreateSessionRequest.newBuilder()
                        .setSession(Session.newBuilder()
                                .setCourseCode("MAINT-SMARTPHONE-N1")
                                .setStartDate(day(held))
                                .setEndDate(day(held))
                                .setPlace("Rennes")
                                .setCapacity(3)
                                .setTrainer("Demo Mobility SAS"))
                        .build())
                .getSession()
                .getId();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                String who = "t.p" + i;
                results.add(pool.submit((Callable<String>) () -> {
                    start.await();
                    try {
                        pastResult(id, who, true, true);
                        return "OK";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode().name();
                    }
                }));
            }
            start.countDown();
            List<String> codes = new ArrayList<>();
            for (Future<String> f : results) {
                codes.add(f.get());
            }
            assertThat(codes).filteredOn("OK"::equals).hasSize(3);
            assertThat(codes).filteredOn("FAILED_PRECONDITION"::equals).hasSize(5);
        }
        assertThat(jdbc.sql("select count(*) from certification where session_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    /**
     * One technician's pass sent eight times at once, half as its seat's result, half as a paper record of the same
     * session (a fleet manager and a colleague filling in the same sheet): one result, one certification.
     */
    @Test
    void aPassRecordedEightTimesAtOnceAsResultAndAsPaperRecordCertifiesOnce() throws Exception {
        String id = enrolledBefore(today(), 1, 3, "t.one").getId();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                boolean paper = i % 2 == 1;
                results.add(pool.submit((Callable<String>) () -> {
                    start.await();
                    try {
                        if (paper) {
                            pastResult(id, "t.one", true, true);
                        } else {
                            result(id, "t.one", true, true);
                        }
                        return "OK";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                    }
                }));
            }
            start.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get());
            }
            assertThat(outcomes).filteredOn("OK"::equals).hasSize(1);
            assertThat(outcomes)
                    .filteredOn(o -> !o.equals("OK"))
                    .hasSize(7)
                    // refused as recorded already, or — a paper record ahead of the result — as a seat's to record
                    .allMatch(o -> o.startsWith("FAILED_PRECONDITION t.one is PASSED in " + id)
                            || o.startsWith("FAILED_PRECONDITION t.one is ENROLLED in " + id
                                    + "; record the result with recordResult"));
        }
        assertThat(statuses(fleetManager
                        .getSession(GetSessionRequest.newBuilder().setId(id).build())
                        .getSession()))
                .containsExactly("t.one=PASSED");
        assertThat(jdbc.sql("select count(*) from certification where technician = 't.one'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void expiredCertificationsAreListedMostRecentlyExpiredFirstOnePageAtATime() {
        shortCourse();
        LocalDate d1 = today().minusMonths(6);
        LocalDate d2 = today().minusMonths(4);
        LocalDate d3 = today().minusMonths(3);
        for (var e : List.of(
                java.util.Map.entry("t.a", d1), java.util.Map.entry("t.b", d2), java.util.Map.entry("t.c", d3))) {
            pastResult(
                    sessionOn(
                                    "MAINT-SHORT",
                                    e.getValue().toString(),
                                    e.getValue().toString())
                            .getId(),
                    e.getKey(),
                    true,
                    true);
        }
        pastResult(sessionOn("MAINT-SHORT", d3.toString(), d3.toString()).getId(), "t.a", true, true);
        String valid = enrolledBefore(today(), 1, 5, "t.valid").getId();
        result(valid, "t.valid", true, true); // valid: never listed

        var auditor = clients.as(TestTokens.auditor(), TrainingServiceGrpc::newBlockingStub);
        ListExpiredCertificationsResponse first = auditor.listExpiredCertifications(
                ListExpiredCertificationsRequest.newBuilder().setPageSize(2).build());
        assertThat(first.getCertificationsList())
                .extracting(c -> c.getTechnician() + "@" + iso(c.getValidUntil()))
                .containsExactlyInAnyOrder("t.c@" + d3.plusMonths(1), "t.a@" + d3.plusMonths(1));
        ListExpiredCertificationsResponse second =
                auditor.listExpiredCertifications(ListExpiredCertificationsRequest.newBuilder()
                        .setPageSize(2)
                        .setPageToken(first.getNextPageToken())
                        .build());
        assertThat(second.getCertificationsList())
                .extracting(c -> c.getTechnician() + "@" + iso(c.getValidUntil()))
                .containsExactly("t.b@" + d2.plusMonths(1), "t.a@" + d1.plusMonths(1));
        assertThat(second.getNextPageToken()).isEmpty();
        Certification oldest = second.getCertifications(1);
        assertThat(iso(oldest.getIssuedOn())).isEqualTo(d1.toString());
        assertThat(oldest.getCourseCode()).isEqualTo("MAINT-SHORT");
        assertThat(oldest.getSessionId()).startsWith("TS-");

        assertThat(fleetManager
                        .listExpiredCertifications(ListExpiredCertificationsRequest.newBuilder()
                                .setTechnician("t.a")
                                .build())
                        .getCertificationsList())
                .extracting(x -> iso(x.getValidUntil()))
                .containsExactly(d3.plusMonths(1).toString(), d1.plusMonths(1).toString());
        assertThat(fleetManager
                        .listExpiredCertifications(ListExpiredCertificationsRequest.newBuilder()
                                .setExpiredOnOrAfter(day(d2.plusMonths(1)))
                                .build())
                        .getCertificationsList())
                .extracting(Certification::getTechnician)
                .containsExactlyInAnyOrder("t.c", "t.a", "t.b");
        GrpcAssertions.assertStatus(
                () -> fleetManager.listExpiredCertifications(ListExpiredCertificationsRequest.newBuilder()
                        .setTechnician("t.a")
                        .setPageToken(first.getNextPageToken())
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "other filters");
        GrpcAssertions.assertCode(
                Status.Code.INVALID_ARGUMENT,
                () -> fleetManager.listExpiredCertifications(ListExpiredCertificationsRequest.newBuilder()
                        .setExpiredOnOrAfter(day("2026-02-30"))
                        .build()));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub)
                        .listExpiredCertifications(ListExpiredCertificationsRequest.getDefaultInstance()));
    }
}
