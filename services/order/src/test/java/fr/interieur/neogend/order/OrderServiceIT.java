package fr.interieur.neogend.order;

import fr.interieur.neogend.order.v1.ListPurchaseOrdersRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersResponse;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
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

/** The order skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class OrderServiceIT {

    @LocalGrpcServerPort
    int grpcPort;
    @Autowired
    JdbcClient jdbc;
    ManagedChannel channel;

    @BeforeEach
    void connect() {
        jdbc.sql("delete from purchase_order").update();
        channel = GrpcTestClients.channel(grpcPort);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into purchase_order (number, state, pack_count) values (?, ?, ?)")
                    .params("BC-2026-0001" + "-" + i, "DRAFT", 120)
                    .update();
        }
        var stub = GrpcTestClients.withToken(OrderServiceGrpc.newBlockingStub(channel), TestTokens.auditor());
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListPurchaseOrdersResponse page = stub.listPurchaseOrders(ListPurchaseOrdersRequest.newBuilder().setPageSize(2)
                    .setPageToken(token).build());
            page.getItemsList().forEach(item -> keys.add(item.getNumber()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        GrpcAssertions.assertRefusesStrangers(token -> () -> {
            var stub = OrderServiceGrpc.newBlockingStub(channel);
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance());
        });
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(channel);
    }
}
