package fr.interieur.neogend.telemetry;

import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesRequest;
import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
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

/** The telemetry skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class TelemetryServiceIT {

    @LocalGrpcServerPort
    int grpcPort;
    @Autowired
    JdbcClient jdbc;
    ManagedChannel channel;

    @BeforeEach
    void connect() {
        jdbc.sql("delete from device_status").update();
        channel = GrpcTestClients.channel(grpcPort);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void listsEveryRowPageByPage() {
        for (int i = 0; i < 5; i++) {
            jdbc.sql("insert into device_status (imei, battery_percent, security_patch_level) values (?, ?, ?)")
                    .params(String.format("35%013d", i), 87, "2026-11-05")
                    .update();
        }
        var stub = GrpcTestClients.withToken(TelemetryServiceGrpc.newBlockingStub(channel), TestTokens.auditor());
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListDeviceStatusesResponse page = stub.listDeviceStatuses(ListDeviceStatusesRequest.newBuilder().setPageSize(2)
                    .setPageToken(token).build());
            page.getItemsList().forEach(item -> keys.add(item.getImei()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        GrpcAssertions.assertRefusesStrangers(token -> () -> {
            var stub = TelemetryServiceGrpc.newBlockingStub(channel);
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .listDeviceStatuses(ListDeviceStatusesRequest.getDefaultInstance());
        });
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(channel);
    }
}
