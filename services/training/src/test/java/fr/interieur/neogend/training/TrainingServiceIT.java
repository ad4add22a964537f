package fr.interieur.neogend.training;

import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListCoursesResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The training skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class TrainingServiceIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    @BeforeEach
    void connect() {
        TrainingTestData.reset(jdbc);
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into course (code, title, duration_days) values (?, ?, ?)")
                    .params("MAINT-SMARTPHONE-N1" + "-" + i, "Level-1 smartphone maintenance", 2)
                    .update();
        }
        var stub = clients.as(TestTokens.auditor(), TrainingServiceGrpc::newBlockingStub);
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListCoursesResponse page = stub.listCourses(ListCoursesRequest.newBuilder()
                    .setPageSize(2)
                    .setPageToken(token)
                    .build());
            page.getItemsList().forEach(item -> keys.add(item.getCode()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        GrpcAssertions.assertRefusesStrangers(token -> () -> {
            var stub = TrainingServiceGrpc.newBlockingStub(clients.channel());
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .listCourses(ListCoursesRequest.getDefaultInstance());
        });
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(clients.channel());
    }
}
