package fr.interieur.neogend.accessories;

import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsResponse;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The accessories skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class AccessoriesServiceIT {

    @LocalGrpcServerPort
    int grpcPort;
    @Autowired
    JdbcClient jdbc;
    ManagedChannel channel;

    @BeforeEach
    void connect() {
        jdbc.sql("delete from catalogue_item").update();
        channel = GrpcTestClients.channel(grpcPort);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into catalogue_item (code, label, category) values (?, ?, ?)")
                    .params("ACC-CASE-X5" + "-" + i, "Protective case, Rugged X5", "ACCESSORY")
                    .update();
        }
        var stub = GrpcTestClients.withToken(AccessoriesServiceGrpc.newBlockingStub(channel), TestTokens.auditor());
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListCatalogueItemsResponse page = stub.listCatalogueItems(ListCatalogueItemsRequest.newBuilder().setPageSize(2)
                    .setPageToken(token).build());
            page.getItemsList().forEach(item -> keys.add(item.getCode()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        var request = ListCatalogueItemsRequest.getDefaultInstance();
        var anonymous = AccessoriesServiceGrpc.newBlockingStub(channel);
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> anonymous.listCatalogueItems(request))
                .getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        var expired = GrpcTestClients.withToken(anonymous, TestTokens.expired());
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> expired.listCatalogueItems(request))
                .getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        var supplier = GrpcTestClients.withToken(anonymous, TestTokens.supplier("SUP-DEMO"));
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> supplier.listCatalogueItems(request))
                .getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
}
