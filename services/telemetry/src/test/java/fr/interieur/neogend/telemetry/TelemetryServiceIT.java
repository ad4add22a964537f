package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The telemetry skeleton: starts on real PostgreSQL (Flyway schema), serves its listing, checks tokens. */
@ServiceIT
class TelemetryServiceIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    @BeforeEach
    void connect() {
        jdbc.sql("delete from device_command").update();
        jdbc.sql("delete from device_revocation").update();
        jdbc.sql("delete from inventory_event").update();
    }

    @Test
    void refusesCallersWithoutAValidTokenOrRole() {
        GrpcAssertions.assertRefusesStrangers(token -> () -> {
            var stub = TelemetryServiceGrpc.newBlockingStub(clients.channel());
            (token == null ? stub : GrpcTestClients.withToken(stub, token))
                    .getCompliance(fr.interieur.neogend.telemetry.v1.GetComplianceRequest.getDefaultInstance());
        });
    }

    @Test
    void aStolenDeviceIsRevokedAndLockedAndWipedOnceHoweverOftenTheEventComes() {
        var inventory = clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub);
        String imei = "352990110000019";
        var event = RecordInventoryEventRequest.newBuilder()
                .setEvent(InventoryEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setKind(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN)
                        .setImei(imei)
                        .setTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond())))
                .build();
        assertThat(inventory.recordInventoryEvent(event).getAlreadyRecorded()).isFalse();
        assertThat(inventory.recordInventoryEvent(event).getAlreadyRecorded()).isTrue();
        assertThat(jdbc.sql("select command from device_command where imei = ? order by command")
                        .param(imei)
                        .query(String.class)
                        .list())
                .containsExactly("LOCK", "WIPE");
        assertThat(jdbc.sql("select reason from device_revocation where imei = ?")
                        .param(imei)
                        .query(String.class)
                        .single())
                .isEqualTo("DEVICE_STOLEN");

        // a later event about the same device keeps the first revocation and adds nothing to do
        var returned = event.toBuilder()
                .setEvent(event.getEvent().toBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setKind(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED))
                .build();
        assertThat(inventory.recordInventoryEvent(returned).getAlreadyRecorded())
                .isFalse();
        assertThat(jdbc.sql("select count(*) from device_command where imei = ?")
                        .param(imei)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);

        var bad = event.toBuilder()
                .setEvent(event.getEvent().toBuilder().setEventId("not-a-uuid"))
                .build();
        assertThat(GrpcAssertions.failure(() -> inventory.recordInventoryEvent(bad))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        // people, even fleet managers, cannot forge inventory events
        var fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        assertThat(GrpcAssertions.failure(() -> fleetManager.recordInventoryEvent(event))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(clients.channel());
    }
}
