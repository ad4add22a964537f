package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest;
import fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest;
import fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest;
import fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 20 with a retention shorter than the views' age filters (the week a map or a search near a point may
 * ask for): a position older than the retention is shown by no view, also between two hourly clean-ups.
 */
@ServiceIT
@TestPropertySource(properties = "neogend.telemetry.retention=2d")
class ShortRetentionIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String DEVICE = IngestionIT.imei(1);
    static final int WEEK_MINUTES = 7 * 24 * 60;

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    FakeInventory inventory;
    TelemetryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() throws IOException {
        for (String table : List.of("device_credential", "device_state", "reading", "position_access")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        inventory.add(DEVICE, "Rugged X5", "GN-RBRE-GGD35");
    }

    @AfterEach
    void disconnect() {
        inventory.close();
    }

    @Test
    void aPositionPastTheRetentionIsShownByNoViewBeforeTheCleanUpRuns() {
        String credential = fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(DEVICE).build())
                .getCredential();
        Instant at = Instant.now().minusSeconds(60);
        TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential))
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(Reading.newBuilder()
                                .setSequence(1)
                                .setRecordedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                                .setBatteryPercent(70)
                                .setLatitude(48.11)
                                .setLongitude(-1.68)
                                .setNetwork(NetworkType.NETWORK_TYPE_4G))
                        .build());
        assertThat(near()).as("a fresh fix is found").containsExactly(DEVICE);
        // two days and an hour later, the hourly clean-up not yet run: the fix is past the 2-day retention
        jdbc.sql("update device_state set position_recorded_at = now() - interval '2 days 1 hour' where imei = ?")
                .param(DEVICE)
                .update();
        assertThat(fleetManager
                        .getDeviceState(GetDeviceStateRequest.newBuilder()
                                .setImei(DEVICE)
                                .build())
                        .getState()
                        .getReading()
                        .hasLatitude())
                .as("the device's state hides it")
                .isFalse();
        assertThat(near()).as("a search near the point, a week's age asked").isEmpty();
        assertThat(fleetManager
                        .listUnitPositions(ListUnitPositionsRequest.newBuilder()
                                .setUnitCode("GN-RBRE-GGD35")
                                .setMaxAgeMinutes(WEEK_MINUTES)
                                .build())
                        .getStatesList())
                .as("the unit's map, a week's age asked")
                .isEmpty();
        // the audit names the device as returned by the first search only; the state read is its own entry
        assertThat(fleetManager
                        .listPositionAccesses(ListPositionAccessesRequest.newBuilder()
                                .setImei(DEVICE)
                                .build())
                        .getAccessesList())
                .extracting(a -> a.getKind().name() + " " + a.getResultCount() + " " + a.getDeviceImeisList())
                .containsExactly(
                        "POSITION_READ_KIND_DEVICE_STATE 0 []", "POSITION_READ_KIND_RADIUS 1 [" + DEVICE + "]");
    }

    List<String> near() {
        return fleetManager
                .findDevicesNear(FindDevicesNearRequest.newBuilder()
                        .setLatitude(48.11)
                        .setLongitude(-1.68)
                        .setRadiusM(1000)
                        .setMaxAgeMinutes(WEEK_MINUTES)
                        .build())
                .getStatesList()
                .stream()
                .map(s -> s.getImei())
                .toList();
    }
}
