package fr.interieur.neogend.training;

import com.github.tomakehurst.wiremock.client.WireMock;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.Course;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.EnrollTechnicianRequest;
import fr.interieur.neogend.training.v1.GetSessionRequest;
import fr.interieur.neogend.training.v1.RecordPastResultRequest;
import fr.interieur.neogend.training.v1.RecordResultRequest;
import fr.interieur.neogend.training.v1.Session;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc.TrainingServiceBlockingStub;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Enrolments, results and certifications name real people (issue 17): users of the realm holding the
 * technician role, read from Keycloak's admin API (here {@link KeycloakStandIn}) with the service's
 * own account; a made-up name, a user without the role or a disabled one is refused (400), Keycloak
 * unreachable is UNAVAILABLE and records nothing.
 */
@ServiceIT
class TechniciansIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    TrainingServiceBlockingStub fleetManager;
    String session;

    @BeforeEach
    void connect() {
        TrainingTestData.reset(jdbc);
        fleetManager = clients.as(TestTokens.fleetManager(), TrainingServiceGrpc::newBlockingStub);
        fleetManager.createCourse(CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("MAINT-N1")
                        .setTitle("Maintenance")
                        .setDurationDays(1)
                        .addModelFamilies("Rugged X"))
                .build());
        session = newSession(today().plusDays(1)); // enrolment closes on a session's first day
    }

    static LocalDate today() {
        return LocalDate.now(ZoneId.of("Europe/Paris"));
    }

    String newSession(LocalDate day) {
        return fleetManager
                .createSession(CreateSessionRequest.newBuilder()
                        .setSession(Session.newBuilder()
                                .setCourseCode("MAINT-N1")
                                .setStartDate(day(day))
                                .setEndDate(day(day))
                                .setPlace("Rennes")
                                .setCapacity(5)
                                .setTrainer("Demo Mobility SAS"))
                        .build())
                .getSession()
                .getId();
    }

    Session enrol(String id, String technician) {
        return fleetManager
                .enrollTechnician(EnrollTechnicianRequest.newBuilder()
                        .setSessionId(id)
                        .setTechnician(technician)
                        .build())
                .getSession();
    }

    List<String> enrolled() {
        return enrolled(session);
    }

    /** A session's seats and places as "technician=STATUS", in order of arrival. */
    List<String> enrolled(String id) {
        return fleetManager
                .getSession(GetSessionRequest.newBuilder().setId(id).build())
                .getSession()
                .getEnrolmentsList()
                .stream()
                .map(e -> e.getTechnician() + "=" + SessionsIT.status(e))
                .toList();
    }

    static int lookups(String username) {
        return KeycloakStandIn.server()
                .countRequestsMatching(getRequestedFor(urlPathEqualTo("/admin/realms/neogend/users"))
                        .withQueryParam("username", WireMock.equalTo(username))
                        .build())
                .getCount();
    }

    @Test
    void onlyEnabledUsersOfTheRealmWithTheTechnicianRoleAreEnrolled() {
        GrpcAssertions.assertStatus(
                () -> enrol(session, "jean.inventé"), Status.Code.INVALID_ARGUMENT, "is not a user name");
        GrpcAssertions.assertStatus(
                () -> enrol(session, "nobody.here"), Status.Code.INVALID_ARGUMENT, "no user nobody.here in the realm");
        GrpcAssertions.assertStatus(
                () -> enrol(session, "fleet.manager"),
                Status.Code.INVALID_ARGUMENT,
                "fleet.manager does not hold the technician role in the realm");
        GrpcAssertions.assertStatus(
                () -> enrol(session, "t.disabled"),
                Status.Code.INVALID_ARGUMENT,
                "the account of t.disabled is disabled");
        // the very name: t.upper exists, "T.Upper" is nobody (it would be a second enrolment of t.upper)
        GrpcAssertions.assertStatus(
                () -> enrol(session, "T.Upper"), Status.Code.INVALID_ARGUMENT, "no user T.Upper in the realm");
        // hostile names never reach Keycloak's API
        for (String hostile : List.of("../../users", "a b", "x?exact=false&username=", "t.one%2F..", "")) {
            GrpcAssertions.assertCode(Status.Code.INVALID_ARGUMENT, () -> enrol(session, hostile));
        }
        assertThat(KeycloakStandIn.server()
                        .countRequestsMatching(getRequestedFor(urlPathEqualTo("/admin/realms/neogend/users"))
                                .withQueryParam("username", WireMock.matching(".*[/ ?&%].*"))
                                .build())
                        .getCount())
                .isZero();
        assertThat(enrolled()).isEmpty();

        assertThat(enrol(session, "t.real").getEnrolmentsList())
                .extracting(e -> e.getTechnician() + "=" + SessionsIT.status(e))
                .containsExactly("t.real=ENROLLED");
        // a technician enrolling itself is one already (its token says so): Keycloak is not asked
        int before = lookups("technician");
        clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub)
                .enrollTechnician(EnrollTechnicianRequest.newBuilder()
                        .setSessionId(session)
                        .build());
        assertThat(lookups("technician")).isEqualTo(before);
        assertThat(enrolled()).containsExactly("t.real=ENROLLED", "technician=ENROLLED");
    }

    @Test
    void resultsNameRealTechniciansToo() {
        // an enrolment of a made-up name from before the rule: its result (and so a certification) is refused
        String session = newSession(today());
        jdbc.sql("insert into enrolment (session_id, technician, status, updated_at) values (?, 'ghost.writer', "
                        + "'ENROLLED', now())")
                .param(session)
                .update();
        GrpcAssertions.assertStatus(
                () -> fleetManager.recordResult(RecordResultRequest.newBuilder()
                        .setSessionId(session)
                        .setTechnician("ghost.writer")
                        .setAttended(true)
                        .setPassed(true)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "no user ghost.writer in the realm");
        String past = newSession(today().minusDays(10));
        for (String who : List.of("nobody.here", "fleet.manager", "t.disabled")) {
            GrpcAssertions.assertCode(
                    Status.Code.INVALID_ARGUMENT,
                    () -> fleetManager.recordPastResult(RecordPastResultRequest.newBuilder()
                            .setSessionId(past)
                            .setTechnician(who)
                            .setAttended(true)
                            .setPassed(true)
                            .setReason("feuille papier")
                            .build()));
        }
        assertThat(jdbc.sql("select count(*) from certification")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select status from enrolment where technician = 'ghost.writer'")
                        .query(String.class)
                        .single())
                .isEqualTo("ENROLLED");
    }

    /**
     * A technician enrolled, then disabled in the realm before the session's results (gone, moved on): the seat
     * is still recorded absent or failed — it stayed ENROLLED for good, and a session of such seats alone was
     * never billed (its days are delivered once a result is recorded) — but never passed: no certification for
     * an account that is disabled. Keycloak is not asked for a result that certifies nothing.
     */
    @Test
    void aTechnicianDisabledAfterEnrollingIsRecordedAbsentOrFailedButNeverPassed() {
        String held = newSession(today());
        for (String who : List.of("t.disabled", "ghost.writer")) { // seats taken before the account was disabled
            jdbc.sql(
                            "insert into enrolment (session_id, technician, status, updated_at) values (?, ?, 'ENROLLED', now())")
                    .params(held, who)
                    .update();
        }
        GrpcAssertions.assertStatus(
                () -> fleetManager.recordResult(RecordResultRequest.newBuilder()
                        .setSessionId(held)
                        .setTechnician("t.disabled")
                        .setAttended(true)
                        .setPassed(true)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "the account of t.disabled is disabled");
        int before = lookups("t.disabled");
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(held)
                .setTechnician("t.disabled")
                .setAttended(true)
                .setPassed(false)
                .build());
        fleetManager.recordResult(RecordResultRequest.newBuilder()
                .setSessionId(held)
                .setTechnician("ghost.writer")
                .setAttended(false)
                .build());
        assertThat(lookups("t.disabled")).isEqualTo(before);
        assertThat(enrolled(held)).containsExactlyInAnyOrder("t.disabled=FAILED", "ghost.writer=ABSENT");
        assertThat(jdbc.sql("select count(*) from certification")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /**
     * A pass recorded while Keycloak fails half-way: the user is found, the roles' answer never comes in time. The
     * fleet manager's client gives up and sends the result again while the first call is still waiting on
     * Keycloak; the repeat finds Keycloak answering again. One result, one certification, whatever answers which.
     */
    @Test
    void aPassRepeatedWhileTheFirstWaitsOnAKeycloakThatTimesOutIsRecordedOnceWithOneCertification() throws Exception {
        String held = newSession(today());
        jdbc.sql("insert into enrolment (session_id, technician, status, updated_at) values (?, 't.halfway', "
                        + "'ENROLLED', now())")
                .param(held)
                .update();
        // the user lookup answers; the first roles' answer comes after the service's time limit, later ones at once
        KeycloakStandIn.server()
                .stubFor(WireMock.get(urlPathEqualTo(
                                "/admin/realms/neogend/users/id-t.halfway/role-mappings/realm/composite"))
                        .inScenario("t.halfway roles")
                        .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                        .willSetStateTo("answering")
                        .atPriority(1)
                        .willReturn(
                                WireMock.okJson("[{\"name\":\"technician\"}]").withFixedDelay(8_000)));
        KeycloakStandIn.server()
                .stubFor(WireMock.get(urlPathEqualTo(
                                "/admin/realms/neogend/users/id-t.halfway/role-mappings/realm/composite"))
                        .inScenario("t.halfway roles")
                        .whenScenarioStateIs("answering")
                        .atPriority(1)
                        .willReturn(WireMock.okJson("[{\"name\":\"technician\"}]")));
        var pass = RecordResultRequest.newBuilder()
                .setSessionId(held)
                .setTechnician("t.halfway")
                .setAttended(true)
                .setPassed(true)
                .build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<String> first = pool.submit(() -> {
                try {
                    fleetManager.recordResult(pass);
                    return "OK";
                } catch (io.grpc.StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            });
            // the first call has reached the roles and waits there; the client gives up and repeats
            while (KeycloakStandIn.server()
                            .countRequestsMatching(getRequestedFor(urlPathEqualTo(
                                            "/admin/realms/neogend/users/id-t.halfway/role-mappings/realm/composite"))
                                    .build())
                            .getCount()
                    == 0) {
                assertThat(first.isDone())
                        .as("the first call ended before reaching Keycloak's roles")
                        .isFalse();
                Thread.sleep(20);
            }
            String repeat;
            try {
                fleetManager.recordResult(pass);
                repeat = "OK";
            } catch (io.grpc.StatusRuntimeException e) {
                repeat = e.getStatus().getCode() + " " + e.getStatus().getDescription();
            }
            String firstAnswer = first.get(1, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(firstAnswer)
                    .as("the first call, its roles' answer too late")
                    .isEqualTo("UNAVAILABLE");
            assertThat(repeat).isEqualTo("OK");
        } finally {
            pool.shutdownNow();
        }
        assertThat(enrolled(held)).containsExactly("t.halfway=PASSED");
        assertThat(jdbc.sql("select count(*) from certification where technician = 't.halfway'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        // a third call, once both are over, changes nothing
        GrpcAssertions.assertCode(Status.Code.FAILED_PRECONDITION, () -> fleetManager.recordResult(pass));
        assertThat(jdbc.sql("select count(*) from certification where technician = 't.halfway'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void keycloakUnreachableIsUnavailableNeverUnknownAndRecordsNothing() {
        GrpcAssertions.assertStatus(() -> enrol(session, "t.offline"), Status.Code.UNAVAILABLE, "cannot be read now");
        GrpcAssertions.assertStatus(() -> enrol(session, "t.failing"), Status.Code.UNAVAILABLE, "try again later");
        GrpcAssertions.assertCode(
                Status.Code.UNAVAILABLE,
                () -> fleetManager.recordPastResult(RecordPastResultRequest.newBuilder()
                        .setSessionId(newSession(today().minusDays(3)))
                        .setTechnician("t.offline")
                        .setAttended(true)
                        .setPassed(true)
                        .setReason("feuille papier")
                        .build()));
        assertThat(enrolled()).isEmpty();
        // a failure is not kept: the next call asks again
        int before = lookups("t.failing");
        GrpcAssertions.assertCode(Status.Code.UNAVAILABLE, () -> enrol(session, "t.failing"));
        assertThat(lookups("t.failing")).isEqualTo(before + 1);
    }

    @Test
    void theRealmsAnswerIsKeptForAWhile() {
        String other = newSession(today().plusDays(3));
        int before = lookups("t.cached");
        enrol(session, "t.cached");
        enrol(other, "t.cached");
        GrpcAssertions.assertCode(Status.Code.ALREADY_EXISTS, () -> enrol(other, "t.cached"));
        assertThat(lookups("t.cached")).isEqualTo(before + 1);
    }
}
