package fr.interieur.neogend.training;

import fr.interieur.neogend.testkit.OrderStandIn;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.Course;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.EnrollTechnicianRequest;
import fr.interieur.neogend.training.v1.Enrolment;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest;
import fr.interieur.neogend.training.v1.ListExpiringCertificationsRequest;
import fr.interieur.neogend.training.v1.ListSessionsRequest;
import fr.interieur.neogend.training.v1.RecordResultRequest;
import fr.interieur.neogend.training.v1.Session;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc.TrainingServiceBlockingStub;
import fr.interieur.neogend.training.v1.WithdrawTechnicianRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Sessions, the waiting list, results and certifications (rule 17) on real PostgreSQL. */
@ServiceIT
class SessionsIT {

    @LocalGrpcServerPort
    int grpcPort;
    @Autowired
    JdbcClient jdbc;
    ManagedChannel channel;
    TrainingServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        for (String t : List.of("certification", "enrolment", "training_session", "course")) {
            jdbc.sql("delete from " + t).update();
        }
        channel = GrpcTestClients.channel(grpcPort);
        fleetManager = GrpcTestClients.withToken(TrainingServiceGrpc.newBlockingStub(channel), TestTokens.fleetManager());
        fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(Course.newBuilder()
                .setCode("MAINT-SMARTPHONE-N1").setTitle("Maintenance niveau 1 smartphones").setDurationDays(2)
                .addModelFamilies("Rugged X").setCertificationValidityMonths(24)
                .setAgreementItemCode("TRAINING-DAY-L1").setAgreementId(OrderStandIn.AGREEMENT)).build());
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    Session session(int capacity) {
        LocalDate start = LocalDate.now().plusDays(10);
        return fleetManager.createSession(CreateSessionRequest.newBuilder().setSession(Session.newBuilder()
                .setCourseCode("MAINT-SMARTPHONE-N1").setStartDate(start.toString())
                .setEndDate(start.plusDays(1).toString()).setPlace("Rennes, atelier central").setCapacity(capacity)
                .setTrainer("Demo Mobility SAS")).build()).getSession();
    }

    Session enrol(String id, String technician) {
        return fleetManager.enrollTechnician(EnrollTechnicianRequest.newBuilder().setSessionId(id)
                .setTechnician(technician).build()).getSession();
    }

    static List<String> statuses(Session s) {
        return s.getEnrolmentsList().stream().map(e -> e.getTechnician() + "=" + e.getStatus()).toList();
    }

    Session sessionOn(String course, String start, String end) {
        return fleetManager.createSession(CreateSessionRequest.newBuilder().setSession(Session.newBuilder()
                .setCourseCode(course).setStartDate(start).setEndDate(end).setPlace("Rennes").setCapacity(5)
                .setTrainer("Demo Mobility SAS")).build()).getSession();
    }

    List<String> deliveredDays(int year, int month) {
        return fleetManager.listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT).setYear(year).setMonth(month).build()).getSessionsList()
                .stream()
                .map(d -> d.getSessionId() + ":" + d.getAgreementItemCode() + ":" + d.getDays()).toList();
    }

    @Test
    void upcomingSessionsAreListedSoonestFirstWithTheirEnrolmentsOnePageAtATime() {
        LocalDate today = LocalDate.now();
        sessionOn("MAINT-SMARTPHONE-N1", today.minusDays(5).toString(), today.minusDays(4).toString()); // over
        Session running = sessionOn("MAINT-SMARTPHONE-N1", today.minusDays(1).toString(), today.toString());
        Session later = sessionOn("MAINT-SMARTPHONE-N1", today.plusDays(20).toString(), today.plusDays(21).toString());
        Session sooner = sessionOn("MAINT-SMARTPHONE-N1", today.plusDays(3).toString(), today.plusDays(4).toString());
        Session sameDay = sessionOn("MAINT-SMARTPHONE-N1", today.plusDays(3).toString(), today.plusDays(3).toString());
        enrol(sooner.getId(), "technician");

        var first = fleetManager.listSessions(ListSessionsRequest.newBuilder().setPageSize(2).build());
        assertThat(first.getSessionsList()).extracting(Session::getId).containsExactly(running.getId(), sooner.getId());
        assertThat(statuses(first.getSessions(1))).containsExactly("technician=ENROLLED");
        var second = fleetManager.listSessions(ListSessionsRequest.newBuilder().setPageSize(2)
                .setPageToken(first.getNextPageToken()).build());
        assertThat(second.getSessionsList()).extracting(Session::getId).containsExactly(sameDay.getId(), later.getId());
        assertThat(second.getNextPageToken()).isEmpty();

        assertThat(fleetManager.listSessions(ListSessionsRequest.newBuilder()
                .setEndsOnOrAfter(today.minusDays(30).toString()).build()).getSessionsCount()).isEqualTo(5);
        assertThat(fleetManager.listSessions(ListSessionsRequest.newBuilder().setCourseCode("NO-SUCH-COURSE").build())
                .getSessionsList()).isEmpty();
        GrpcAssertions.assertStatus(() -> fleetManager.listSessions(ListSessionsRequest.newBuilder()
                .setEndsOnOrAfter("29/11/2026").build()), Status.Code.INVALID_ARGUMENT, "ends_on_or_after");
        GrpcAssertions.assertStatus(() -> fleetManager.listSessions(ListSessionsRequest.newBuilder().setCourseCode("X")
                .setPageToken(first.getNextPageToken()).build()), Status.Code.INVALID_ARGUMENT, "other filters");
    }

    @Test
    void deliveredTrainingDaysAreTheDaysInTheMonthOfSessionsWithResultsOfBilledCourses() {
        fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(Course.newBuilder()
                .setCode("INTERNAL-BRIEFING").setTitle("Internal briefing").setDurationDays(1)
                .addModelFamilies("Rugged X")).build());
        String across = sessionOn("MAINT-SMARTPHONE-N1", "2027-01-30", "2027-02-02").getId(); // 2 + 2 days
        String january = sessionOn("MAINT-SMARTPHONE-N1", "2027-01-12", "2027-01-13").getId();
        String notHeld = sessionOn("MAINT-SMARTPHONE-N1", "2027-01-20", "2027-01-21").getId();
        String internal = sessionOn("INTERNAL-BRIEFING", "2027-01-05", "2027-01-05").getId();
        for (String id : List.of(across, january, notHeld, internal)) {
            enrol(id, "t.one");
            enrol(id, "t.two");
        }
        for (String id : List.of(across, internal)) {
            fleetManager.recordResult(RecordResultRequest.newBuilder().setSessionId(id).setTechnician("t.one")
                    .setAttended(true).setPassed(true).build());
        }
        // one absent technician is enough: the trainer came
        fleetManager.recordResult(RecordResultRequest.newBuilder().setSessionId(january).setTechnician("t.two")
                .setAttended(false).build());

        assertThat(deliveredDays(2027, 1)).containsExactly(across + ":TRAINING-DAY-L1:2", january + ":TRAINING-DAY-L1:2");
        assertThat(deliveredDays(2027, 2)).containsExactly(across + ":TRAINING-DAY-L1:2");
        assertThat(deliveredDays(2027, 3)).isEmpty();
        // the days belong to the course's agreement only: never billed to another
        assertThat(fleetManager.listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                .setAgreementId(OrderStandIn.SUCCESSOR).setYear(2027).setMonth(1).build()).getSessionsList()).isEmpty();
        assertThat(GrpcAssertions.failure(() -> deliveredDays(2027, 13)).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        var technician = GrpcTestClients.withToken(TrainingServiceGrpc.newBlockingStub(channel),
                TestTokens.technician("GN"));
        GrpcAssertions.assertCode(Status.Code.PERMISSION_DENIED, () -> technician.listDeliveredTrainingDays(
                ListDeliveredTrainingDaysRequest.newBuilder().setAgreementId(OrderStandIn.AGREEMENT).setYear(2027)
                        .setMonth(1).build()));
        assertThat(fleetManager.listCourses(ListCoursesRequest.getDefaultInstance()).getItemsList())
                .extracting(Course::getCode, Course::getAgreementItemCode, c -> c.getModelFamiliesList().toString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("INTERNAL-BRIEFING", "", "[Rugged X]"),
                        org.assertj.core.groups.Tuple.tuple("MAINT-SMARTPHONE-N1", "TRAINING-DAY-L1", "[Rugged X]"));
    }

    @Test
    void beyondCapacityTheWaitingListIsPromotedWhenASeatFrees() {
        String id = session(2).getId();
        enrol(id, "t.one");
        enrol(id, "t.two");
        enrol(id, "t.three");
        var technician = GrpcTestClients.withToken(TrainingServiceGrpc.newBlockingStub(channel),
                TestTokens.technician("GN"));
        Session self = technician.enrollTechnician(EnrollTechnicianRequest.newBuilder().setSessionId(id).build())
                .getSession();
        assertThat(statuses(self)).containsExactly("t.one=ENROLLED", "t.two=ENROLLED", "t.three=WAITLISTED",
                "technician=WAITLISTED");
        assertThat(GrpcAssertions.failure(() -> technician.enrollTechnician(EnrollTechnicianRequest.newBuilder()
                .setSessionId(id).setTechnician("someone.else").build())).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> enrol(id, "t.one")).getStatus().getCode())
                .isEqualTo(Status.Code.ALREADY_EXISTS);

        Session after = fleetManager.withdrawTechnician(WithdrawTechnicianRequest.newBuilder().setSessionId(id)
                .setTechnician("t.one").build()).getSession();
        assertThat(statuses(after)).containsExactly("t.one=WITHDRAWN", "t.two=ENROLLED", "t.three=ENROLLED",
                "technician=WAITLISTED");
    }

    Session withdraw(String id, String technician) {
        return fleetManager.withdrawTechnician(WithdrawTechnicianRequest.newBuilder().setSessionId(id)
                .setTechnician(technician).build()).getSession();
    }

    @Test
    void aSeatWhoseResultIsRecordedStillCounts() {
        String id = session(1).getId();
        enrol(id, "t.first");
        fleetManager.recordResult(RecordResultRequest.newBuilder().setSessionId(id).setTechnician("t.first")
                .setAttended(true).setPassed(true).build());
        assertThat(statuses(enrol(id, "t.second"))).containsExactly("t.first=PASSED", "t.second=WAITLISTED");
        // and a withdrawal from the waiting list frees no seat that was not free
        assertThat(statuses(withdraw(id, "t.second"))).containsExactly("t.first=PASSED", "t.second=WITHDRAWN");
    }

    @Test
    void theWaitingListIsInOrderOfArrivalAndAReEnrolmentGoesToTheBack() {
        String id = session(1).getId();
        for (String t : List.of("w.one", "w.two", "w.three", "w.four")) {
            enrol(id, t);
        }
        withdraw(id, "w.two");
        assertThat(statuses(enrol(id, "w.two"))).containsExactly("w.one=ENROLLED", "w.three=WAITLISTED",
                "w.four=WAITLISTED", "w.two=WAITLISTED");
        assertThat(statuses(withdraw(id, "w.one"))).containsExactly("w.one=WITHDRAWN", "w.three=ENROLLED",
                "w.four=WAITLISTED", "w.two=WAITLISTED");
        assertThat(statuses(withdraw(id, "w.three"))).containsExactly("w.one=WITHDRAWN", "w.three=WITHDRAWN",
                "w.four=ENROLLED", "w.two=WAITLISTED");
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
            Session s = fleetManager.getSession(fr.interieur.neogend.training.v1.GetSessionRequest.newBuilder()
                    .setId(id).build()).getSession();
            assertThat(statuses(s)).as("round " + round).containsExactly("r.seated=WITHDRAWN", "r.second=ENROLLED",
                    "r.third=WAITLISTED", "r.first=WAITLISTED");
        }
    }

    @Test
    void aPassCertifiesForTheModelFamilyUntilItExpires() {
        String id = session(3).getId();
        enrol(id, "t.pass");
        enrol(id, "t.fail");
        fleetManager.recordResult(RecordResultRequest.newBuilder().setSessionId(id).setTechnician("t.pass")
                .setAttended(true).setPassed(true).build());
        Session s = fleetManager.recordResult(RecordResultRequest.newBuilder().setSessionId(id).setTechnician("t.fail")
                .setAttended(true).setPassed(false).build()).getSession();
        assertThat(statuses(s)).containsExactly("t.pass=PASSED", "t.fail=FAILED");

        var check = fleetManager.checkCertification(CheckCertificationRequest.newBuilder().setTechnician("t.pass")
                .setModel("Rugged X5").build());
        assertThat(check.getCertified()).isTrue();
        assertThat(check.getValidUntil()).isEqualTo(LocalDate.now().plusDays(11).plusMonths(24).toString());
        assertThat(fleetManager.checkCertification(CheckCertificationRequest.newBuilder().setTechnician("t.pass")
                .setModel("Field Tab 10").build()).getReason()).isEqualTo("t.pass holds no certification for Field Tab 10");
        assertThat(fleetManager.checkCertification(CheckCertificationRequest.newBuilder().setTechnician("t.fail")
                .setModel("Rugged X5").build()).getCertified()).isFalse();

        // an expired certification is refused, with the date; one expiring soon is listed ahead of time
        jdbc.sql("""
                insert into certification (technician, course_code, model_families, issued_on, valid_until, session_id)
                values ('t.old', 'MAINT-SMARTPHONE-N1', '{"Rugged X"}', '2024-01-10', current_date - 1, ?),
                       ('t.soon', 'MAINT-SMARTPHONE-N1', '{"Rugged X"}', '2024-12-10', current_date + 30, ?)""")
                .params(id, id).update();
        var old = fleetManager.checkCertification(CheckCertificationRequest.newBuilder().setTechnician("t.old")
                .setModel("Rugged X5").build());
        assertThat(old.getCertified()).isFalse();
        assertThat(old.getReason()).contains("expired on " + LocalDate.now().minusDays(1));
        assertThat(GrpcTestClients.withToken(TrainingServiceGrpc.newBlockingStub(channel), TestTokens.auditor())
                .listExpiringCertifications(ListExpiringCertificationsRequest.newBuilder().setWithinDays(60).build())
                .getCertificationsList()).extracting(c -> c.getTechnician()).containsExactly("t.soon");
        assertThat(GrpcAssertions.failure(() -> fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(id).setTechnician("t.pass").setAttended(true).setPassed(true).build())).getStatus()
                .getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
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
        Session s = fleetManager.getSession(fr.interieur.neogend.training.v1.GetSessionRequest.newBuilder().setId(id)
                .build()).getSession();
        assertThat(s.getEnrolmentsList().stream().filter(e -> e.getStatus().equals("ENROLLED"))).hasSize(3);
        assertThat(s.getEnrolmentsList().stream().map(Enrolment::getStatus).filter("WAITLISTED"::equals)).hasSize(7);
    }

    @Test
    void aBilledCourseNamesATrainingDayLineOfAnExistingAgreement() {
        Course.Builder course = Course.newBuilder().setCode("MAINT-TABLET-N1").setTitle("Tablets").setDurationDays(1)
                .addModelFamilies("Field Tab");
        GrpcAssertions.assertStatus(() -> fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(
                        course.clone().setAgreementItemCode(OrderStandIn.TRAINING_DAY)).build()),
                Status.Code.INVALID_ARGUMENT, "course.agreement_id");
        GrpcAssertions.assertStatus(() -> fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(
                        course.clone().setAgreementItemCode(OrderStandIn.TRAINING_DAY).setAgreementId("AC-NOPE")).build()),
                Status.Code.INVALID_ARGUMENT, "agreement AC-NOPE does not exist");
        GrpcAssertions.assertStatus(() -> fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(
                        course.clone().setAgreementItemCode(OrderStandIn.PACK_LINE).setAgreementId(OrderStandIn.AGREEMENT))
                        .build()), Status.Code.INVALID_ARGUMENT, "is not a training-day line");
        GrpcAssertions.assertStatus(() -> fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(
                        course.clone().setAgreementItemCode("NO-SUCH-LINE").setAgreementId(OrderStandIn.AGREEMENT))
                        .build()), Status.Code.INVALID_ARGUMENT, "has no price line NO-SUCH-LINE");
        fleetManager.createCourse(CreateCourseRequest.newBuilder().setCourse(course.clone()
                .setAgreementItemCode(OrderStandIn.TRAINING_DAY).setAgreementId(OrderStandIn.SUCCESSOR)).build());
        assertThat(fleetManager.listCourses(ListCoursesRequest.getDefaultInstance()).getItemsList())
                .filteredOn(c -> c.getCode().equals("MAINT-TABLET-N1")).extracting(Course::getAgreementId)
                .containsExactly(OrderStandIn.SUCCESSOR);
    }
}
