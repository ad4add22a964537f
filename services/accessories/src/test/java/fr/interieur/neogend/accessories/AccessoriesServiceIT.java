package fr.interieur.neogend.accessories;

import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsResponse;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The accessories skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class AccessoriesServiceIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    @BeforeEach
    void connect() {
        AccessoriesTestData.reset(jdbc);
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into catalogue_item (code, label, category) values (?, ?, ?)")
                    .params("ACC-CASE-X5" + "-" + i, "Protective case, Rugged X5", "ACCESSORY")
                    .update();
        }
        var stub = clients.as(TestTokens.auditor(), AccessoriesServiceGrpc::newBlockingStub);
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListCatalogueItemsResponse page = stub.listCatalogueItems(ListCatalogueItemsRequest.newBuilder()
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
            var stub = AccessoriesServiceGrpc.newBlockingStub(clients.channel());
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .listCatalogueItems(ListCatalogueItemsRequest.getDefaultInstance());
        });
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(clients.channel());
    }
}
