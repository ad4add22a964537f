package fr.interieur.neogend.training;

import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListCoursesResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The training skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class TrainingServiceIT {

    @LocalGrpcServerPort
    int grpcPort;
    @Autowired
    JdbcClient jdbc;
    ManagedChannel channel;

    @BeforeEach
    void connect() {
        for (String t : List.of("certification", "enrolment", "training_session", "course")) {
            jdbc.sql("delete from " + t).update();
        }
        channel = GrpcTestClients.channel(grpcPort);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into course (code, title, duration_days) values (?, ?, ?)")
                    .params("MAINT-SMARTPHONE-N1" + "-" + i, "Level-1 smartphone maintenance", 2)
                    .update();
        }
        var stub = GrpcTestClients.withToken(TrainingServiceGrpc.newBlockingStub(channel), TestTokens.auditor());
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListCoursesResponse page = stub.listCourses(ListCoursesRequest.newBuilder().setPageSize(2)
                    .setPageToken(token).build());
            page.getItemsList().forEach(item -> keys.add(item.getCode()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        GrpcAssertions.assertRefusesStrangers(token -> () -> {
            var stub = TrainingServiceGrpc.newBlockingStub(channel);
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .listCourses(ListCoursesRequest.getDefaultInstance());
        });
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(channel);
    }
}
