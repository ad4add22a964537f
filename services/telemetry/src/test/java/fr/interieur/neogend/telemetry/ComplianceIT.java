package fr.interieur.neogend.telemetry;

import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.GetComplianceRequest;
import fr.interieur.neogend.telemetry.v1.ListRomReleasesRequest;
import fr.interieur.neogend.telemetry.v1.ModelCompliance;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

/** ROM releases, approval per model and patch compliance (rule 19) on real PostgreSQL. */
@ServiceIT
class ComplianceIT {

    static final int INVENTORY_PORT = fr.interieur.neogend.testkit.TestPorts.free();

    @org.springframework.test.context.DynamicPropertySource
    static void inventory(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
    }

    FakeInventory inventory;

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    TelemetryServiceBlockingStub supplier;
    TelemetryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() throws java.io.IOException {
        inventory = new FakeInventory(INVENTORY_PORT);
        jdbc.sql("delete from device_state").update();
        jdbc.sql("delete from device_revocation").update();
        jdbc.sql("delete from rom_release").update();
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), TelemetryServiceGrpc::newBlockingStub);
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
    }

    @AfterEach
    void disconnect() {
        inventory.close();
    }

    RomRelease publish(String model, String build, String patch, String bulletin) {
        return supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                        .setRelease(RomRelease.newBuilder()
                                .setModel(model)
                                .setBuildFingerprint(build)
                                .setSecurityPatchLevel(patch)
                                .setBulletinDate(day(bulletin))
                                .setKernelSourceSha256("a".repeat(64))
                                .setKernelConfig("CONFIG_SECURITY_SELINUX=y\n"))
                        .build())
                .getRelease();
    }

    void device(String imei, String build, String patch) {
        inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35"); // inventory's model, whatever the build says
        jdbc.sql("""
                insert into device_state (imei, recorded_at, sequence, received_at, battery_percent, charging, network,
                                          rom_build, patch_level)
                values (?, now(), 1, now(), 50, false, '4G', ?, ?::date)""").params(imei, build, patch).update();
    }

    @Test
    void devicesBelowTheApprovedPatchLevelOfTheirModelAreListedWithTheGap() {
        RomRelease old = publish("Rugged X5", "neogend/x5/2026.09", "2026-09-05", "2026-09-01");
        RomRelease current = publish("Rugged X5", "neogend/x5/2026.11", "2026-11-05", "2026-11-03");
        publish("Field Tab 10", "neogend/tab10/2026.10", "2026-10-05", "2026-10-06");
        device("352990110000011", "neogend/x5/2026.11", "2026-11-05");
        device("352990110000029", "neogend/x5/2026.09", "2026-09-05");
        device("352990110000037", "neogend/x5/2026.09", "2026-09-05");
        device("352990110000045", "neogend/x5/2026.11", "2026-10-05");
        device("352990110000052", "custom/unknown-build", "2026-01-05");

        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(old.getId()).build());
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(current.getId()).build());
        assertThat(fleetManager
                        .listRomReleases(ListRomReleasesRequest.newBuilder()
                                .setModel("Rugged X5")
                                .build())
                        .getReleasesList())
                .extracting(r -> r.getBuildFingerprint() + "=" + r.getApproved())
                .containsExactly("neogend/x5/2026.11=true", "neogend/x5/2026.09=false");

        var compliance = clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub)
                .getCompliance(GetComplianceRequest.getDefaultInstance());
        assertThat(compliance.getModelsList()).hasSize(1);
        ModelCompliance x5 = compliance.getModels(0);
        assertThat(x5.getModel()).isEqualTo("Rugged X5");
        assertThat(x5.getApprovedPatchLevel()).isEqualTo("2026-11-05");
        assertThat(x5.getDevices()).isEqualTo(5);
        assertThat(x5.getReporting()).isEqualTo(5);
        assertThat(x5.getNonCompliant()).isEqualTo(4); // the unknown build is late too, and counted
        assertThat(x5.getMaxGapDays()).isEqualTo(304); // 2026-01-05 -> 2026-11-05
        assertThat(x5.getAverageGapDays()).isEqualTo(114); // (61 + 61 + 31 + 304) / 4
        assertThat(x5.getSupplierDelayDays()).isGreaterThanOrEqualTo(0);
        assertThat(compliance.getUnknownBuildDevices()).isEqualTo(1);
    }

    @Test
    void aReleaseAnswersTheBulletinOfItsPatchLevelsMonthAndCannotClaimALaterOne() {
        // the patch SLA counts from the bulletin's date: a September patch level claiming today's bulletin would
        // owe no late day whatever its delay
        for (String claimed : new String[] {"2026-12-03", "2026-10-01", "2026-08-31"}) {
            assertThat(GrpcAssertions.failure(
                                    () -> publish("Rugged X5", "neogend/x5/2026.09-late", "2026-09-05", claimed))
                            .getStatus())
                    .as(claimed)
                    .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .satisfies(s -> assertThat(s.getDescription())
                            .contains("release.bulletin_date")
                            .contains("2026-09-01")
                            .contains("2026-09-30"));
        }
        assertThat(supplier.listRomReleases(ListRomReleasesRequest.getDefaultInstance())
                        .getReleasesList())
                .extracting(RomRelease::getBuildFingerprint)
                .doesNotContain("neogend/x5/2026.09-late");
        // the bulletin may come out after the day of the patch level it defines (first Monday of the month)
        assertThat(publish("Rugged X5", "neogend/x5/2026.09-late", "2026-09-05", "2026-09-07")
                        .getBulletinDate()
                        .getDay())
                .isEqualTo(7);
    }

    /**
     * Rule 19 counts a device against the approved release of its model as inventory writes it. A release
     * published for a look-alike of the model — a no-break or zero-width space, two spaces in a row, an accent
     * written E + U+0301 — shows as the model when the fleet manager approves it, and is the approved release of
     * no device: the model's devices far below it were all counted compliant.
     */
    @Test
    void aReleaseForALookAlikeOfTheModelIsRefusedSoItsApprovalCannotLeaveTheModelsDevicesCompliant() {
        device("352990110000011", "neogend/x5/2026.01", "2026-01-05");
        String[] lookAlikes = {"Rugged\u00a0X5", "Rugged X5\u200b", "Rugged  X5", "\ufeffRugged X5"};
        for (int i = 0; i < lookAlikes.length; i++) {
            String model = lookAlikes[i];
            String build = "neogend/x5/2026.11-" + i;
            var refused = GrpcAssertions.failure(() -> {
                RomRelease r = publish(model, build, "2026-11-05", "2026-11-03");
                fleetManager.approveRomRelease(
                        ApproveRomReleaseRequest.newBuilder().setId(r.getId()).build());
                var x5 = fleetManager
                        .getCompliance(GetComplianceRequest.getDefaultInstance())
                        .getModels(0);
                throw new AssertionError("release for "
                        + model.codePoints().mapToObj(Integer::toHexString).toList()
                        + " approved; the Rugged X5 below it: approved level '" + x5.getApprovedPatchLevel()
                        + "', non-compliant " + x5.getNonCompliant());
            });
            assertThat(refused.getStatus().getCode()).as(model).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).as(model).contains("release.model");
        }
        assertThat(jdbc.sql("select count(*) from rom_release")
                        .query(Long.class)
                        .single())
                .isZero();
        // the model as inventory writes it: the device is below it
        RomRelease r = publish("Rugged X5", "neogend/x5/2026.11", "2026-11-05", "2026-11-03");
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(r.getId()).build());
        ModelCompliance x5 = fleetManager
                .getCompliance(GetComplianceRequest.getDefaultInstance())
                .getModels(0);
        assertThat(x5.getApprovedPatchLevel()).isEqualTo("2026-11-05");
        assertThat(x5.getNonCompliant()).isEqualTo(1);
    }

    /**
     * A model written in another case is the model (rule 7): a release for "RUGGED X5" approved while "Rugged X5" has
     * one would leave the model's devices judged against the older approval (or none), the newer approval ending
     * nothing. The service knows the model from the releases published for it.
     */
    @Test
    void aReleaseForTheModelWrittenInAnotherCaseIsRefusedSoItsApprovalCannotLeaveTheModelOnAnOlderLevel() {
        device("352990110000011", "neogend/x5/2026.09", "2026-09-05");
        RomRelease september = publish("Rugged X5", "neogend/x5/2026.09", "2026-09-05", "2026-09-01");
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(september.getId()).build());
        String[] otherCases = {"RUGGED X5", "rugged x5"};
        // accented letters have a case too, whatever the database's locale
        publish("Robuste Été X5", "neogend/rx5/2026.09", "2026-09-05", "2026-09-01");
        assertThat(GrpcAssertions.failure(
                                () -> publish("ROBUSTE ÉTÉ X5", "neogend/rx5/2026.11", "2026-11-05", "2026-11-03"))
                        .getStatus()
                        .getDescription())
                .contains("release.model")
                .contains("\"Robuste Été X5\"");
        for (int i = 0; i < otherCases.length; i++) {
            String model = otherCases[i];
            String build = "neogend/x5/2026.11-" + i;
            var refused = GrpcAssertions.failure(() -> {
                RomRelease r = publish(model, build, "2026-11-05", "2026-11-03");
                fleetManager.approveRomRelease(
                        ApproveRomReleaseRequest.newBuilder().setId(r.getId()).build());
                var x5 = fleetManager
                        .getCompliance(GetComplianceRequest.getDefaultInstance())
                        .getModels(0);
                throw new AssertionError("release for " + model + " approved; the " + x5.getModel()
                        + " on 2026-09-05 below it: approved level '" + x5.getApprovedPatchLevel()
                        + "', non-compliant " + x5.getNonCompliant());
            });
            assertThat(refused.getStatus().getCode()).as(model).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription())
                    .as(model)
                    .contains("release.model")
                    .contains("\"Rugged X5\"");
        }
        assertThat(jdbc.sql("select count(*) from rom_release where model not in ('Rugged X5', 'Robuste Été X5')")
                        .query(Long.class)
                        .single())
                .isZero();
        // the model as written before: the device is below it
        RomRelease r = publish("Rugged X5", "neogend/x5/2026.11", "2026-11-05", "2026-11-03");
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(r.getId()).build());
        ModelCompliance x5 = fleetManager
                .getCompliance(GetComplianceRequest.getDefaultInstance())
                .getModels(0);
        assertThat(x5.getApprovedPatchLevel()).isEqualTo("2026-11-05");
        assertThat(x5.getNonCompliant()).isEqualTo(1);
    }

    @Test
    void onlySuppliersPublishAndOnlyFleetManagersApprove() {
        RomRelease r = publish("Rugged X5", "neogend/x5/2026.12", "2026-12-05", "2026-12-01");
        assertThat(GrpcAssertions.failure(() -> publish("Rugged X5", "neogend/x5/2026.12", "2026-12-05", "2026-12-01"))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.ALREADY_EXISTS);
        // the proto's rules first (a patch level that is no date), then the service's, together
        assertThat(GrpcAssertions.failure(() -> supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                                .setRelease(RomRelease.newBuilder()
                                        .setModel("X")
                                        .setBuildFingerprint("b")
                                        .setSecurityPatchLevel("soon")
                                        .setBulletinDate(day("2026-12-01"))
                                        .setKernelSourceSha256("xyz"))
                                .build()))
                        .getStatus()
                        .getDescription())
                .contains("release.security_patch_level");
        assertThat(GrpcAssertions.failure(() -> supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                                .setRelease(RomRelease.newBuilder()
                                        .setModel("X")
                                        .setBuildFingerprint("b")
                                        .setSecurityPatchLevel("2026-02-30")
                                        .setBulletinDate(day("2026-12-01"))
                                        .setKernelSourceSha256("xyz"))
                                .build()))
                        .getStatus()
                        .getDescription())
                .contains("release.security_patch_level")
                .contains("February".toUpperCase());
        assertThat(GrpcAssertions.failure(() -> supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                                .setRelease(RomRelease.newBuilder()
                                        .setModel("X")
                                        .setBuildFingerprint("b")
                                        .setSecurityPatchLevel("2026-12-05")
                                        .setBulletinDate(day("2026-12-01"))
                                        .setKernelSourceSha256("xyz"))
                                .build()))
                        .getStatus()
                        .getDescription())
                .contains("release.kernel_source_sha256")
                .contains("release.kernel_config");
        assertThat(GrpcAssertions.failure(() -> supplier.approveRomRelease(ApproveRomReleaseRequest.newBuilder()
                                .setId(r.getId())
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(
                                () -> fleetManager.publishRomRelease(PublishRomReleaseRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(clients.as(TestTokens.supplier("SUP-X"), TelemetryServiceGrpc::newBlockingStub)
                        .listRomReleases(ListRomReleasesRequest.getDefaultInstance())
                        .getReleasesCount())
                .isZero();
    }
}
