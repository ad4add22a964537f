package fr.interieur.neogend.training;

import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.Course;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kit's audit trail, in one service: every write call is recorded with who, when, what and how
 * it ended, reads are not, and the trail cannot be changed — not even by the service's own SQL.
 */
@ServiceIT
class AuditTrailIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    @BeforeEach
    void connect() {
        TrainingTestData.reset(jdbc);
    }

    List<Map<String, Object>> events(long after) {
        return jdbc.sql("select actor, roles, method, status, request, at from audit_event where id > ? order by id")
                .param(after)
                .query()
                .listOfRows();
    }

    @Test
    void everyWriteIsRecordedWithWhoWhenWhatAndHowItEndedAndTheTrailCannotBeChanged() {
        long last = jdbc.sql("select coalesce(max(id), 0) from audit_event")
                .query(Long.class)
                .single();
        var fleetManager = clients.as(TestTokens.fleetManager(), TrainingServiceGrpc::newBlockingStub);
        var technician = clients.as(TestTokens.technician("GN"), TrainingServiceGrpc::newBlockingStub);
        var create = CreateCourseRequest.newBuilder()
                .setCourse(Course.newBuilder()
                        .setCode("AUDIT-N1")
                        .setTitle("Audited course")
                        .setDurationDays(1)
                        .addModelFamilies("Rugged X"))
                .build();
        fleetManager.createCourse(create);
        GrpcAssertions.assertCode(Status.Code.ALREADY_EXISTS, () -> fleetManager.createCourse(create));
        GrpcAssertions.assertCode(Status.Code.PERMISSION_DENIED, () -> technician.createCourse(create));
        fleetManager.listCourses(ListCoursesRequest.getDefaultInstance()); // a read: not audited

        List<Map<String, Object>> events = events(last);
        assertThat(events)
                .extracting(e -> e.get("actor") + " " + e.get("method") + " " + e.get("status"))
                .containsExactly(
                        "fleet.manager neogend.training.v1.TrainingService/CreateCourse OK",
                        "fleet.manager neogend.training.v1.TrainingService/CreateCourse ALREADY_EXISTS");
        assertThat(events.getFirst().get("roles")).isEqualTo("fleet-manager");
        assertThat((String) events.getFirst().get("request")).contains("code: \"AUDIT-N1\"");
        assertThat(events.getFirst().get("at")).isNotNull();

        // append-only, whoever asks: the database refuses changes and deletions
        assertThatThrownBy(() -> jdbc.sql("update audit_event set actor = 'someone.else'")
                        .update())
                .rootCause()
                .hasMessageContaining("the audit trail is append-only: UPDATE refused");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_event").update())
                .rootCause()
                .hasMessageContaining("append-only: DELETE refused");
        assertThatThrownBy(() -> jdbc.sql("truncate audit_event").update())
                .rootCause()
                .hasMessageContaining("append-only: TRUNCATE refused");
        assertThat(events(last)).hasSize(2);
    }
}
