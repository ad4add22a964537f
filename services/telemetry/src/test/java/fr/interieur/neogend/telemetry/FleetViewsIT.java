package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.GetBatteryHealthRequest;
import fr.interieur.neogend.telemetry.v1.GetComplianceRequest;
import fr.interieur.neogend.telemetry.v1.GetUnitComplianceRequest;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.telemetry.v1.ListSilentDevicesRequest;
import fr.interieur.neogend.telemetry.v1.ListSilentDevicesResponse;
import fr.interieur.neogend.telemetry.v1.ModelCompliance;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UnitModelCompliance;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet views (DOMAIN rule 19) tried as a fleet manager signing them off and as a technician of one
 * region: compliance counts devices by inventory's model whatever build they report, the fleet view is
 * the sum of the unit views, every view answers within the caller's reach, and silence counts enrolled
 * devices in service only — from their enrolment when they never reported.
 */
@ServiceIT
class FleetViewsIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String X5 = "Rugged X5";
    static final String TAB = "Field Tab 10";

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

    static String imei(int n) {
        String body = String.format("35888801%06d", n);
        return body + Imei.checkDigit(body);
    }

    @BeforeEach
    void connect() throws IOException {
        for (String table : List.of(
                "device_command",
                "device_revocation",
                "inventory_event",
                "device_credential",
                "device_state",
                "reading",
                "position_access",
                "rom_release")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = as(TestTokens.fleetManager());
        inventory = new FakeInventory(INVENTORY_PORT);
    }

    @AfterEach
    void disconnect() {
        inventory.close();
    }

    TelemetryServiceBlockingStub as(String token) {
        return clients.as(token, TelemetryServiceGrpc::newBlockingStub);
    }

    void state(String imei, String build, String patch, int battery, String receivedAgo) {
        jdbc.sql("""
                insert into device_state (imei, recorded_at, sequence, received_at, battery_percent, charging, network,
                                          rom_build, patch_level, software_recorded_at, software_sequence)
                values (?, now() - ?::interval, 1, now() - ?::interval, ?, false, '4G', ?, ?::date, now(), 1)""")
                .params(imei, receivedAgo, receivedAgo, battery, build, patch)
                .update();
    }

    void event(InventoryEventKind kind, String imei) {
        as(TestTokens.service("inventory"))
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(UUID.randomUUID().toString())
                                .setKind(kind)
                                .setImei(imei)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
    }

    void approve(String model, String build, String patch) {
        RomRelease r = as(TestTokens.supplier("SUP-DEMO"))
                .publishRomRelease(PublishRomReleaseRequest.newBuilder()
                        .setRelease(RomRelease.newBuilder()
                                .setModel(model)
                                .setBuildFingerprint(build)
                                .setSecurityPatchLevel(patch)
                                .setBulletinDate(day(patch))
                                .setKernelSourceSha256("c".repeat(64))
                                .setKernelConfig("CONFIG_X=y\n"))
                        .build())
                .getRelease();
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(r.getId()).build());
    }

    /** Two regions; late devices reporting builds no release names, a wrong model's build, no level. */
    void aFleetOfTwoRegions() {
        approve(X5, "neogend/x5/2026.11", "2026-11-05");
        approve(TAB, "neogend/tab10/2026.10", "2026-10-05");
        inventory.add(imei(1), X5, "GN-RBRE-GGD35");
        state(imei(1), "custom/unknown-build", "2026-09-05", 80, "5 minutes"); // late, unknown build
        inventory.add(imei(2), X5, "GN-RBRE-GGD35-CIE1");
        state(imei(2), "neogend/x5/2026.11", "2026-11-05", 10, "5 minutes"); // compliant, low battery
        inventory.add(imei(3), X5, "GN-RIDF-GGD75");
        state(imei(3), "neogend/tab10/2026.10", "2026-10-05", 50, "5 minutes"); // a tablet's build: still an X5
        inventory.add(imei(4), TAB, "GN-RBRE-GGD35");
        state(imei(4), "neogend/tab10/2026.10", null, 90, "5 minutes"); // never told its level
        inventory.add(imei(5), X5, "GN-RIDF-GGD75"); // not reporting
        inventory.add(imei(6), X5, "GN-RBRE-GGD35", "LOST"); // out of service
        state(imei(6), "neogend/x5/2026.11", "2025-01-05", 5, "5 minutes");
        inventory.add(imei(7), X5, "GN-RBRE-GGD35"); // exchanged: revoked here
        state(imei(7), "neogend/x5/2026.11", "2025-01-05", 5, "5 minutes");
        event(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED, imei(7));
        inventory.add(imei(8), X5, "GN-RBRE-GGD35", "RETURNED"); // gone
        state(imei(8), "neogend/x5/2026.11", "2025-01-05", 5, "5 minutes");
    }

    static String line(ModelCompliance m) {
        return m.getModel() + " " + m.getDevices() + "/" + m.getReporting() + "/" + m.getNonCompliant() + " max "
                + m.getMaxGapDays() + " avg " + m.getAverageGapDays() + " " + m.getApprovedPatchLevel();
    }

    @Test
    void theFleetViewCountsTheLateDevicesItExistsToCatchAndEqualsTheSumOfTheUnitViews() {
        aFleetOfTwoRegions();
        var fleet = as(TestTokens.auditor()).getCompliance(GetComplianceRequest.getDefaultInstance());
        assertThat(fleet.getModelsList())
                .extracting(FleetViewsIT::line)
                .containsExactly(
                        "Field Tab 10 1/1/1 max 0 avg 0 2026-10-05",
                        "Rugged X5 4/3/2 max 61 avg 46 2026-11-05"); // 61 days (imei 1) and 31 (imei 3)
        assertThat(fleet.getUnknownBuildDevices()).isEqualTo(1);

        // the same figures, summed over the unit views of the two regions
        Map<String, long[]> summed = unitViewsOfTheTwoRegions();
        for (ModelCompliance m : fleet.getModelsList()) {
            assertThat(summed.get(m.getModel()))
                    .as(m.getModel())
                    .containsExactly(m.getDevices(), m.getReporting(), m.getNonCompliant(), m.getMaxGapDays());
        }
    }

    /**
     * Devices no unit holds (central stock) are in the fleet view — a late phone in stock is handed out late —
     * but in no unit view: the fleet view shows them apart too, so its lines are the unit views plus those.
     */
    @Test
    void devicesInCentralStockAreInTheFleetViewAndItsCentralStockLinesSoTheUnitViewsStillAddUpToIt() {
        aFleetOfTwoRegions();
        inventory.add(imei(20), X5, ""); // in stock, late by 92 days
        state(imei(20), "neogend/x5/2026.11", "2026-08-05", 100, "5 minutes");
        inventory.add(imei(21), TAB, ""); // in stock, never reported
        var fleet = as(TestTokens.auditor()).getCompliance(GetComplianceRequest.getDefaultInstance());
        assertThat(fleet.getModelsList())
                .extracting(FleetViewsIT::line)
                .containsExactly(
                        "Field Tab 10 2/1/1 max 0 avg 0 2026-10-05", "Rugged X5 5/4/3 max 92 avg 61 2026-11-05");
        assertThat(fleet.getCentralStockList())
                .extracting(FleetViewsIT::line)
                .containsExactly(
                        "Field Tab 10 1/0/0 max 0 avg 0 2026-10-05", "Rugged X5 1/1/1 max 92 avg 92 2026-11-05");

        // every model's line = the unit views of the two regions + its central stock line
        Map<String, long[]> summed = unitViewsOfTheTwoRegions();
        for (ModelCompliance stock : fleet.getCentralStockList()) {
            add(
                    summed,
                    stock.getModel(),
                    stock.getDevices(),
                    stock.getReporting(),
                    stock.getNonCompliant(),
                    stock.getMaxGapDays());
        }
        for (ModelCompliance m : fleet.getModelsList()) {
            assertThat(summed.get(m.getModel()))
                    .as(m.getModel())
                    .containsExactly(m.getDevices(), m.getReporting(), m.getNonCompliant(), m.getMaxGapDays());
        }
        // a technician limited to a region reaches no stock
        assertThat(as(TestTokens.technician("GN-RBRE"))
                        .getCompliance(GetComplianceRequest.getDefaultInstance())
                        .getCentralStockList())
                .isEmpty();
    }

    /** Per model: devices, reporting, non-compliant, max gap — summed over GN-RBRE's and GN-RIDF's unit views. */
    Map<String, long[]> unitViewsOfTheTwoRegions() {
        Map<String, long[]> summed = new HashMap<>();
        for (String region : List.of("GN-RBRE", "GN-RIDF")) {
            for (UnitModelCompliance l : fleetManager
                    .getUnitCompliance(GetUnitComplianceRequest.newBuilder()
                            .setUnitCode(region)
                            .build())
                    .getLinesList()) {
                add(summed, l.getModel(), l.getDevices(), l.getReporting(), l.getNonCompliant(), l.getMaxGapDays());
            }
        }
        return summed;
    }

    static void add(Map<String, long[]> summed, String model, long devices, long reporting, long late, long maxGap) {
        long[] sum = summed.computeIfAbsent(model, k -> new long[4]);
        sum[0] += devices;
        sum[1] += reporting;
        sum[2] += late;
        sum[3] = Math.max(sum[3], maxGap);
    }

    @Test
    void aTechnicianSeesItsRegionOnlyInEveryView() {
        aFleetOfTwoRegions();
        var rennes = as(TestTokens.technician("GN-RBRE"));
        assertThat(rennes.getCompliance(GetComplianceRequest.getDefaultInstance())
                        .getModelsList())
                .extracting(FleetViewsIT::line)
                .containsExactly(
                        "Field Tab 10 1/1/1 max 0 avg 0 2026-10-05", "Rugged X5 2/2/1 max 61 avg 61 2026-11-05");
        var battery = rennes.getBatteryHealth(GetBatteryHealthRequest.getDefaultInstance());
        assertThat(battery.getBandsList())
                .extracting(b -> b.getBand() + "=" + b.getCount())
                .containsExactly("0-19=1", "20-39=0", "40-59=0", "60-79=0", "80-100=2");
        assertThat(battery.getLowImeisList()).containsExactly(imei(2)); // not the lost, exchanged or returned ones
        var paris = as(TestTokens.technician("GN-RIDF")).getBatteryHealth(GetBatteryHealthRequest.getDefaultInstance());
        assertThat(paris.getBandsList()).extracting(b -> b.getCount()).containsExactly(0L, 0L, 1L, 0L, 0L);
        assertThat(GrpcAssertions.failure(() -> rennes.getUnitCompliance(GetUnitComplianceRequest.newBuilder()
                                .setUnitCode("GN-RIDF")
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> rennes.listSilentDevices(ListSilentDevicesRequest.newBuilder()
                                .setUnitCode("GN-RIDF-GGD75")
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    String enrol(String imei, String ago) {
        String credential = fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(imei).build())
                .getCredential();
        jdbc.sql("update device_credential set created_at = now() - ?::interval where imei = ?")
                .params(ago, imei)
                .update();
        return credential;
    }

    @Test
    void silenceCountsEnrolledDevicesInServiceFromTheirEnrolmentWhenTheyNeverReported() {
        inventory.add(imei(11), X5, "GN-RBRE-GGD35");
        enrol(imei(11), "30 hours"); // never reported: silent since enrolment
        inventory.add(imei(12), X5, "GN-RBRE-GGD35-CIE1");
        enrol(imei(12), "10 days");
        state(imei(12), "b", "2026-11-05", 50, "35 hours"); // last heard 35 h ago
        inventory.add(imei(13), X5, "GN-RBRE-GGD35");
        enrol(imei(13), "10 days");
        state(imei(13), "b", "2026-11-05", 50, "1 hour"); // heard lately
        inventory.add(imei(14), X5, "GN-RBRE-GGD35");
        enrol(imei(14), "1 hour"); // enrolled lately
        inventory.add(imei(15), X5, "GN-RBRE-GGD35");
        enrol(imei(15), "30 hours");
        event(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, imei(15)); // returned: not listed
        inventory.add(imei(15), X5, "GN-RBRE-GGD35", "RETURNED");
        inventory.add(imei(16), X5, "GN-RBRE-GGD35");
        enrol(imei(16), "30 hours");
        inventory.add(imei(16), X5, "GN-RBRE-GGD35", "STOLEN"); // written off the fleet since: not listed
        inventory.add(imei(17), TAB, "GN-RIDF-GGD75");
        enrol(imei(17), "40 hours"); // another region
        inventory.add(imei(18), TAB, "GN-RIDF-GGD75"); // never enrolled: nothing to hear from

        ListSilentDevicesResponse all = fleetManager.listSilentDevices(
                ListSilentDevicesRequest.newBuilder().setHours(24).build());
        assertThat(all.getDevicesList())
                .extracting(d -> d.getImei() + " " + d.getUnitCode() + " " + d.getNeverReported())
                .containsExactly(
                        imei(17) + " GN-RIDF-GGD75 true",
                        imei(12) + " GN-RBRE-GGD35-CIE1 false",
                        imei(11) + " GN-RBRE-GGD35 true");
        assertThat(all.getTotal()).isEqualTo(3);
        assertThat(all.getByUnitList())
                .extracting(u -> u.getUnitCode() + "=" + u.getCount())
                .containsExactly("GN-RBRE-GGD35=1", "GN-RBRE-GGD35-CIE1=1", "GN-RIDF-GGD75=1");
        assertThat(all.getDevices(1).hasLastReceiveTime()).isTrue();
        assertThat(all.getDevices(0).hasLastReceiveTime()).isFalse();

        var rennes = as(TestTokens.technician("GN-RBRE"))
                .listSilentDevices(
                        ListSilentDevicesRequest.newBuilder().setHours(24).build());
        assertThat(rennes.getDevicesList()).extracting(d -> d.getImei()).containsExactly(imei(12), imei(11));
        assertThat(rennes.getTotal()).isEqualTo(2);
        var oneUnit = fleetManager.listSilentDevices(ListSilentDevicesRequest.newBuilder()
                .setHours(24)
                .setUnitCode("GN-RBRE-GGD35-CIE1")
                .setPageSize(1)
                .build());
        assertThat(oneUnit.getDevicesList()).extracting(d -> d.getImei()).containsExactly(imei(12));
        assertThat(oneUnit.getTotal()).isEqualTo(1);
    }
}
