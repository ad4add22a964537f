package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.campaign.CampaignWaves;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.CampaignProgress;
import fr.interieur.neogend.telemetry.v1.CancelUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.CommandOutcome;
import fr.interieur.neogend.telemetry.v1.CommandResult;
import fr.interieur.neogend.telemetry.v1.CreateUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.DeviceCommand;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.GetUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.GetUpdateCampaignResponse;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesRequest;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesResponse;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.PauseUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.ResumeUpdateCampaignRequest;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UpdateCampaign;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static fr.interieur.neogend.testkit.Days.day;
import static fr.interieur.neogend.testkit.ProtoEnums.shortName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ROM update campaigns (issue 20, part 2) through gRPC on real PostgreSQL, the devices played by the test
 * through the real device API: waves, the halt rule, pause and resume, silence, cancellation, one active
 * campaign per device, and the per-wave and per-unit views agreeing. Waves move when the test runs a
 * pass of {@link CampaignWaves} (the service's own, every 30 s, is put to sleep), so nothing depends on timing.
 */
@ServiceIT
class CampaignIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String MODEL = "Rugged X5";
    static final String OLD_BUILD = "neogend/x5/2026.09";
    static final String NEW_BUILD = "neogend/x5/2026.11";
    static final String NEWER_BUILD = "neogend/x5/2026.12";
    static final String GGD35 = "GN-RBRE-GGD35";
    static final String GGD29 = "GN-RBRE-GGD29";

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        // the service's own pass (every 30 s) sleeps through the tests: waves move only when a test runs a pass,
        // never between two steps of a test (the wave it sets up to start at its own pass started before it)
        registry.add("neogend.campaigns.tick", () -> "365d");
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    CampaignWaves waves;

    @Autowired
    TestClock clock;

    /** The service's clock, moved forward by the test (maintenance windows); the system clock otherwise. */
    static final class TestClock extends java.time.Clock {
        volatile java.time.Duration ahead = java.time.Duration.ZERO;

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return java.time.Clock.offset(java.time.Clock.system(zone), ahead);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        /** Forward to the next time it is {@code time} in Paris (never backwards: readings stay in the past). */
        void parisTime(java.time.LocalTime time) {
            java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneId.of("Europe/Paris"));
            java.time.ZonedDateTime next = now.with(time);
            if (next.isBefore(now)) {
                next = next.plusDays(1);
            }
            ahead = java.time.Duration.between(now, next);
        }
    }

    @org.springframework.boot.test.context.TestConfiguration
    static class Clocks {
        @org.springframework.context.annotation.Bean
        TestClock testClock() {
            return new TestClock();
        }
    }

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    FakeInventory inventory;
    TelemetryServiceBlockingStub fleetManager;
    String release;
    /** The enrolled Rugged X5 devices in service (18), each with its agent. */
    final Map<String, TelemetryServiceBlockingStub> agents = new HashMap<>();

    final AtomicLong sequence = new AtomicLong();

    static String imei(int n) {
        String body = String.format("35777703%06d", n);
        return body + Imei.checkDigit(body);
    }

    @BeforeEach
    void fleet() throws IOException {
        for (String table : List.of(
                "campaign_window",
                "campaign_device",
                "update_campaign",
                "device_command",
                "device_revocation",
                "inventory_event",
                "device_credential",
                "device_state",
                "reading",
                "rom_release")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        // 20 Rugged X5, half in each groupement; one never enrolled, one lost: 18 can be sent an update
        for (int n = 1; n <= 20; n++) {
            inventory.add(imei(n), MODEL, n <= 10 ? GGD35 : GGD29);
        }
        inventory.add(imei(21), "Field Tab 10", GGD35);
        for (int n = 1; n <= 21; n++) {
            if (n == 19) {
                continue; // never enrolled
            }
            var agent = agentOf(n);
            agent.uploadReadings(UploadReadingsRequest.newBuilder()
                    .addReadings(reading(n == 21 ? "neogend/tab10/2026.10" : OLD_BUILD, "2026-09-05"))
                    .build());
            if (n <= 18) {
                agents.put(imei(n), agent);
            }
        }
        inventory.add(imei(20), MODEL, GGD29, "LOST"); // declared lost since its enrolment
        release = publishAndApprove(NEW_BUILD, true);
    }

    @AfterEach
    void disconnect() {
        inventory.close();
        clock.ahead = java.time.Duration.ZERO;
        // the other tests of this database delete commands and releases, which campaigns refer to
        for (String table : List.of("campaign_window", "campaign_device", "update_campaign")) {
            jdbc.sql("delete from " + table).update();
        }
    }

    String publishAndApprove(String build, boolean withPackage) {
        String id = publish(build, withPackage);
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(id).build());
        return id;
    }

    /** A release of {@link #MODEL} published by the supplier, not approved. */
    String publish(String build, boolean withPackage) {
        RomRelease.Builder r = RomRelease.newBuilder()
                .setModel(MODEL)
                .setBuildFingerprint(build)
                .setSecurityPatchLevel("2026-11-05")
                .setBulletinDate(day("2026-11-02"))
                .setKernelSourceSha256("a".repeat(64))
                .setKernelConfig("CONFIG_SECURITY_SELINUX=y\n");
        if (withPackage) {
            r.setOtaUrl("https://ota.supplier.example/" + build.replace('/', '-') + ".zip")
                    .setOtaSha256("e".repeat(64));
        }
        return clients.as(TestTokens.supplier("SUP-DEMO"), TelemetryServiceGrpc::newBlockingStub)
                .publishRomRelease(
                        PublishRomReleaseRequest.newBuilder().setRelease(r).build())
                .getRelease()
                .getId();
    }

    Reading reading(String build, String patch) {
        Instant at = Instant.now();
        return Reading.newBuilder()
                .setSequence(sequence.incrementAndGet())
                .setRecordedAt(
                        Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setBatteryPercent(70)
                .setNetwork(NetworkType.NETWORK_TYPE_4G)
                .setSecurityPatchLevel(patch)
                .setRomBuild(build)
                .build();
    }

    UpdateCampaign start(Integer... wavePercents) {
        return fleetManager
                .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(UpdateCampaign.newBuilder()
                                .setReleaseId(release)
                                .addAllWavePercents(List.of(wavePercents))
                                .setHaltFailurePercent(20))
                        .build())
                .getCampaign();
    }

    GetUpdateCampaignResponse view(TelemetryServiceBlockingStub as, String id) {
        return as.getUpdateCampaign(
                GetUpdateCampaignRequest.newBuilder().setId(id).build());
    }

    /** The device's next contact: the commands it is handed. */
    List<DeviceCommand> contact(String imei) {
        return agents.get(imei)
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(OLD_BUILD, "2026-09-05"))
                        .build())
                .getCommandsList();
    }

    /** The device installs what it was handed, reboots and reports the new build. */
    void installs(String imei) {
        installs(imei, NEW_BUILD);
    }

    /** The device installs what it was handed, reboots and reports {@code build}. */
    void installs(String imei, String build) {
        DeviceCommand update = contact(imei).getFirst();
        agents.get(imei)
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(build, "2026-11-05"))
                        .addCommandResults(CommandResult.newBuilder()
                                .setCommandId(update.getId())
                                .setOutcome(CommandOutcome.COMMAND_OUTCOME_INSTALLED))
                        .build());
    }

    /** The device's next contact, reporting {@code build}: the commands it is handed. */
    List<DeviceCommand> contactOn(String imei, String build) {
        return agents.get(imei)
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(build, "2026-11-05"))
                        .build())
                .getCommandsList();
    }

    /** A fleet manager sends a release to one device by hand, whatever its campaign. */
    void sendByHand(String imei, String releaseId) {
        fleetManager.queueDeviceCommand(fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                .setImei(imei)
                .setCommand(fr.interieur.neogend.telemetry.v1.CommandKind.COMMAND_KIND_UPDATE)
                .setReleaseId(releaseId)
                .build());
    }

    /** Inventory tells that the device was declared lost or stolen (its credential revoked, rule 11). */
    void declared(String imei, InventoryEventKind kind) {
        FakeInventory.Dev d = inventory.devices.get(imei);
        inventory.add(
                imei,
                d.model(),
                d.unitCode(),
                kind == InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN ? "STOLEN" : "LOST");
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(java.util.UUID.randomUUID().toString())
                                .setKind(kind)
                                .setImei(imei)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
    }

    /** The releases of the UPDATEs ever queued for the device, oldest first. */
    List<String> updates(String imei) {
        return jdbc.sql("select release_id from device_command where imei = ? and command = 'UPDATE' order by id")
                .param(imei)
                .query(String.class)
                .list();
    }

    UpdateCampaign resume(String id) {
        return fleetManager
                .resumeUpdateCampaign(
                        ResumeUpdateCampaignRequest.newBuilder().setId(id).build())
                .getCampaign();
    }

    void fails(String imei) {
        DeviceCommand update = contact(imei).getFirst();
        agents.get(imei)
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addCommandResults(CommandResult.newBuilder()
                                .setCommandId(update.getId())
                                .setOutcome(CommandOutcome.COMMAND_OUTCOME_FAILED)
                                .setReason("signature check failed"))
                        .build());
    }

    /** The devices whose UPDATE of this campaign is queued, by wave. */
    List<String> wave(String campaign, int wave) {
        return jdbc.sql("select imei from campaign_device where campaign_id = ? and wave = ? order by imei")
                .params(campaign, wave)
                .query(String.class)
                .list();
    }

    static CampaignProgress waveOf(GetUpdateCampaignResponse v, int wave) {
        return v.getWavesList().stream()
                .filter(w -> w.getWave() == wave)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aCanaryWaveGoesFirstAndTheNextStartsOnlyOnceItsDevicesAreConfirmedByTheirReadings() {
        UpdateCampaign c = start(10, 50, 100);
        assertThat(shortName(c.getState())).isEqualTo("RUNNING");
        assertThat(c.getModel()).isEqualTo(MODEL);
        assertThat(c.getTargeted()).isEqualTo(18);
        assertThat(c.getLeftOut()).isEqualTo(1); // never enrolled (the lost one is out of service)
        // 18 devices: 10 % is 2 (rounded up), 50 % is 9: waves of 2, 7 and 9
        assertThat(List.of(
                        wave(c.getId(), 1).size(),
                        wave(c.getId(), 2).size(),
                        wave(c.getId(), 3).size()))
                .containsExactly(2, 7, 9);
        List<String> canary = wave(c.getId(), 1);
        String later = wave(c.getId(), 3).getFirst();
        assertThat(contact(later)).isEmpty();

        installs(canary.get(0));
        waves.advanceAll();
        assertThat(view(fleetManager, c.getId()).getCampaign().getCurrentWave())
                .as("one canary device still to confirm")
                .isEqualTo(1);
        installs(canary.get(1));
        waves.advanceAll();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(2);
        assertThat(waveOf(v, 1).getConfirmed()).isEqualTo(2);
        assertThat(waveOf(v, 2).getSent()).isEqualTo(7);
        assertThat(waveOf(v, 3).getSent()).isZero();
        assertThat(contact(wave(c.getId(), 2).getFirst()))
                .extracting(d -> d.getUpdate().getReleaseId())
                .containsExactly(release);
        assertThat(contact(later)).isEmpty();
    }

    /** A campaign of waves 10 % then 100 % whose canary wave failed on one device of two, its wave judged. */
    UpdateCampaign haltedByItsCanary() {
        UpdateCampaign c = start(10, 100);
        List<String> canary = wave(c.getId(), 1);
        fails(canary.get(0));
        installs(canary.get(1));
        waves.advanceAll();
        return c;
    }

    @Test
    void aWaveFailingPastTheThresholdHaltsTheCampaignUntilAFleetManagerResumesIt() {
        UpdateCampaign c = haltedByItsCanary();
        UpdateCampaign halted = view(fleetManager, c.getId()).getCampaign();
        assertThat(shortName(halted.getState())).isEqualTo("HALTED");
        assertThat(halted.getHaltReason()).contains("wave 1: 1 of 2").contains("20 %");
        waves.advanceAll(); // a halted campaign does not move on its own
        assertThat(contact(wave(c.getId(), 2).getFirst())).isEmpty();

        UpdateCampaign resumed = fleetManager
                .resumeUpdateCampaign(ResumeUpdateCampaignRequest.newBuilder()
                        .setId(c.getId())
                        .build())
                .getCampaign();
        assertThat(shortName(resumed.getState())).isEqualTo("RUNNING");
        assertThat(resumed.getCurrentWave()).isEqualTo(2);
        assertThat(contact(wave(c.getId(), 2).getFirst())).hasSize(1);
    }

    @Test
    void aPausedCampaignStartsNoWaveUntilResumed() {
        UpdateCampaign c = start(10, 100);
        fleetManager.pauseUpdateCampaign(
                PauseUpdateCampaignRequest.newBuilder().setId(c.getId()).build());
        wave(c.getId(), 1).forEach(this::installs); // what was sent before the pause still goes
        waves.advanceAll();
        assertThat(view(fleetManager, c.getId()).getCampaign().getCurrentWave()).isEqualTo(1);
        GrpcAssertions.assertStatus(
                () -> fleetManager.pauseUpdateCampaign(
                        PauseUpdateCampaignRequest.newBuilder().setId(c.getId()).build()),
                Status.Code.FAILED_PRECONDITION,
                "only a running one pauses");
        assertThat(fleetManager
                        .resumeUpdateCampaign(ResumeUpdateCampaignRequest.newBuilder()
                                .setId(c.getId())
                                .build())
                        .getCampaign()
                        .getCurrentWave())
                .isEqualTo(2);
    }

    @Test
    void aSilentDeviceDoesNotHoldItsWaveAndTheUnitViewAddsUpToTheWaveView() {
        UpdateCampaign c = start(50, 100);
        List<String> first = wave(c.getId(), 1);
        String silent = first.getLast();
        first.subList(0, first.size() - 1).forEach(this::installs);
        waves.advanceAll();
        assertThat(view(fleetManager, c.getId()).getCampaign().getCurrentWave()).isEqualTo(1);
        // not heard of for two days (the silence period is a day)
        jdbc.sql("update device_state set received_at = now() - interval '2 days' where imei = ?")
                .param(silent)
                .update();
        jdbc.sql("update device_command set queued_at = now() - interval '2 days' where imei = ?")
                .param(silent)
                .update();
        waves.advanceAll();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(2);
        assertThat(waveOf(v, 1).getSilent()).isEqualTo(1);
        assertThat(waveOf(v, 1).getConfirmed()).isEqualTo(first.size() - 1);

        // two views of one campaign: the units' figures add up to the waves'
        assertThat(v.getUnitsList()).extracting(CampaignProgress::getUnitCode).containsExactly(GGD29, GGD35);
        for (var figure : List.<java.util.function.ToLongFunction<CampaignProgress>>of(
                CampaignProgress::getTargeted,
                CampaignProgress::getSent,
                CampaignProgress::getDelivered,
                CampaignProgress::getConfirmed,
                CampaignProgress::getSilent)) {
            assertThat(v.getUnitsList().stream().mapToLong(figure).sum())
                    .isEqualTo(v.getWavesList().stream().mapToLong(figure).sum());
        }
        // a unit manager of GGD35 sees its groupement's devices only
        var unitManager = clients.as(TestTokens.unitManager(GGD35), TelemetryServiceGrpc::newBlockingStub);
        GetUpdateCampaignResponse own = view(unitManager, c.getId());
        assertThat(own.getUnitsList()).extracting(CampaignProgress::getUnitCode).containsExactly(GGD35);
        assertThat(own.getWavesList().stream()
                        .mapToLong(CampaignProgress::getTargeted)
                        .sum())
                .isEqualTo(10); // devices 1 to 10; the unenrolled 19th and the lost 20th are GGD29's
    }

    @Test
    void twoCampaignsStartedAtOnceNeverShareADeviceAndCancellingWithdrawsWhatWasNotInstalled() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < 2; i++) {
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        return start(50, 100);
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            go.countDown();
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : outcomes) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(UpdateCampaign.class::isInstance).hasSize(1);
            assertThat(results).contains(Status.Code.FAILED_PRECONDITION);
        }
        assertThat(jdbc.sql("select count(*) from campaign_device where active")
                        .query(Long.class)
                        .single())
                .isEqualTo(18);
        String id =
                jdbc.sql("select id from update_campaign").query(String.class).single();
        List<String> first = wave(id, 1);
        installs(first.get(0)); // installed and confirmed: kept
        contact(first.get(1)); // delivered, not installed: withdrawn

        UpdateCampaign cancelled = fleetManager
                .cancelUpdateCampaign(
                        CancelUpdateCampaignRequest.newBuilder().setId(id).build())
                .getCampaign();
        assertThat(shortName(cancelled.getState())).isEqualTo("CANCELLED");
        assertThat(contact(first.get(1))).isEmpty();
        assertThat(contact(first.get(2))).isEmpty();
        GetUpdateCampaignResponse v = view(fleetManager, id);
        assertThat(waveOf(v, 1).getConfirmed()).isEqualTo(1);
        assertThat(waveOf(v, 1).getWithdrawn()).isEqualTo(first.size() - 1);
        GrpcAssertions.assertStatus(
                () -> fleetManager.resumeUpdateCampaign(
                        ResumeUpdateCampaignRequest.newBuilder().setId(id).build()),
                Status.Code.FAILED_PRECONDITION,
                "CANCELLED");
        // its devices are free again: a new campaign takes all but the one that runs the release now
        assertThat(start(100).getTargeted()).isEqualTo(17);
    }

    @Test
    void aDeviceExchangedMidCampaignLeavesItAndItsReplacementJoinsTheWaveBeingSent() {
        UpdateCampaign c = start(50, 100);
        String old = wave(c.getId(), 1).getFirst();
        contact(old); // handed its UPDATE, then exchanged before installing it
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(java.util.UUID.randomUUID().toString())
                                .setKind(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED)
                                .setImei(old)
                                .setReplacementImei(imei(30))
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(waveOf(v, 1).getWithdrawn()).isEqualTo(1);

        // the replacement, enrolled now, joins the wave being sent and is handed the release at once
        inventory.add(imei(30), MODEL, GGD35);
        var replacement = TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(fleetManager
                        .enrollDevice(EnrollDeviceRequest.newBuilder()
                                .setImei(imei(30))
                                .build())
                        .getCredential()));
        assertThat(replacement
                        .uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(reading(OLD_BUILD, "2026-09-05"))
                                .build())
                        .getCommandsList())
                .extracting(d -> d.getUpdate().getReleaseId())
                .containsExactly(release);
        v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getTargeted()).isEqualTo(19);
        assertThat(waveOf(v, 1).getTargeted()).isEqualTo(10);
        // another model's new device joins nothing
        inventory.add(imei(31), "Field Tab 10", GGD35);
        fleetManager.enrollDevice(
                EnrollDeviceRequest.newBuilder().setImei(imei(31)).build());
        assertThat(view(fleetManager, c.getId()).getCampaign().getTargeted()).isEqualTo(19);
    }

    @Test
    void aDeviceIsHandedItsUpdateOnlyWithinItsUnitsMaintenanceWindowParisTime() {
        // GGD35 from 22:00 to 05:00 (across midnight); GN-RBRE from 12:00 to 14:00 (GGD29 takes it: the deepest
        // unit with a window wins, and GGD35's own is deeper than GN-RBRE's)
        UpdateCampaign c = fleetManager
                .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(UpdateCampaign.newBuilder()
                                .setReleaseId(release)
                                .addWavePercents(100)
                                .addMaintenanceWindows(window(GGD35, 22, 0, 5, 0))
                                .addMaintenanceWindows(window("GN-RBRE", 12, 0, 14, 0)))
                        .build())
                .getCampaign();
        assertThat(c.getMaintenanceWindowsList()).hasSize(2);
        String ggd35 = imei(1);
        String ggd29 = imei(11);
        clock.parisTime(java.time.LocalTime.of(21, 59));
        assertThat(contact(ggd35)).isEmpty();
        assertThat(contact(ggd29)).isEmpty();
        clock.parisTime(java.time.LocalTime.of(4, 59));
        assertThat(contact(ggd35)).hasSize(1);
        assertThat(contact(ggd29)).isEmpty();
        clock.parisTime(java.time.LocalTime.of(5, 0));
        assertThat(contact(ggd35))
                .as("delivered, not acknowledged: outside the window it waits")
                .isEmpty();
        clock.parisTime(java.time.LocalTime.of(12, 0));
        assertThat(contact(ggd29)).hasSize(1);
        clock.parisTime(java.time.LocalTime.of(22, 0));
        assertThat(contact(ggd35)).hasSize(1);
        // a person still sees every command, whatever the time
        assertThat(fleetManager
                        .listDeviceCommands(fr.interieur.neogend.telemetry.v1.ListDeviceCommandsRequest.newBuilder()
                                .setImei(imei(2))
                                .build())
                        .getCommandsList())
                .extracting(d -> shortName(d.getStatus()))
                .containsExactly("QUEUED");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(UpdateCampaign.newBuilder()
                                .setReleaseId(release)
                                .addWavePercents(100)
                                .addMaintenanceWindows(window(GGD35, 24, 0, 5, 0)))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "campaign.maintenance_windows[0].start");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(UpdateCampaign.newBuilder()
                                .setReleaseId(release)
                                .addWavePercents(100)
                                .addMaintenanceWindows(window(GGD35, 5, 0, 5, 0)))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "campaign.maintenance_windows[0].end");
    }

    static fr.interieur.neogend.telemetry.v1.MaintenanceWindow window(String unit, int h1, int m1, int h2, int m2) {
        return fr.interieur.neogend.telemetry.v1.MaintenanceWindow.newBuilder()
                .setUnitCode(unit)
                .setStart(com.google.type.TimeOfDay.newBuilder().setHours(h1).setMinutes(m1))
                .setEnd(com.google.type.TimeOfDay.newBuilder().setHours(h2).setMinutes(m2))
                .build();
    }

    @Test
    void aCampaignIsRefusedWithAReasonForBadWavesAnUnsendableReleaseOrAnotherRole() {
        GrpcAssertions.assertStatus(() -> start(10, 5, 100), Status.Code.INVALID_ARGUMENT, "campaign.wave_percents");
        GrpcAssertions.assertStatus(() -> start(10, 50), Status.Code.INVALID_ARGUMENT, "campaign.wave_percents");
        String unapproved = release;
        publishAndApprove("neogend/x5/2026.12", false); // approving it ends the approval of `release`
        GrpcAssertions.assertStatus(() -> start(100), Status.Code.FAILED_PRECONDITION, "not the approved release");
        release = jdbc.sql("select id from rom_release where approved_at is not null")
                .query(String.class)
                .single();
        GrpcAssertions.assertStatus(() -> start(100), Status.Code.FAILED_PRECONDITION, "no OTA package");
        release = unapproved;
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> clients.as(TestTokens.unitManager(GGD35), TelemetryServiceGrpc::newBlockingStub)
                        .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                                .setCampaign(UpdateCampaign.newBuilder().setReleaseId(release))
                                .build()));
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> view(fleetManager, "UC-999999"));
        assertThat(jdbc.sql("select count(*) from update_campaign")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    ListPatchTimelinesResponse timelines(TelemetryServiceBlockingStub as, String supplier) {
        return as.listPatchTimelines(
                ListPatchTimelinesRequest.newBuilder().setSupplierId(supplier).build());
    }

    @Test
    void theFleetCountsAsUpdatedWhenNinetyFivePercentOfItsTargetedDevicesAreConfirmedByReadings() {
        UpdateCampaign c = start(100);
        List<String> targeted = wave(c.getId(), 1);
        // the first device fails, then its UPDATE is queued again by nobody: it never confirms
        fails(targeted.getFirst());
        for (String imei : targeted.subList(1, targeted.size())) {
            installs(imei);
        }
        var t = timelines(fleetManager, "SUP-DEMO").getTimelinesList().getFirst();
        assertThat(t.getReleaseId()).isEqualTo(release);
        assertThat(t.getTargeted()).isEqualTo(18);
        assertThat(t.getConfirmed()).isEqualTo(17);
        // independently: 95 % of 18 is 17.1 devices, so the 18th confirmation is needed; there are 17
        assertThat((int) Math.ceil(18 * 95 / 100.0)).isEqualTo(18);
        assertThat(t.hasFleetConfirmTime()).isFalse();
        assertThat(t.hasFirstApproveTime()).isTrue();
        assertThat(t.getBulletinDate()).isEqualTo(day("2026-11-02"));
    }

    @Test
    void theNinetyFifthPercentileConfirmationDatesTheFleetAndANewerApprovalKeepsTheFirstOnesTime() {
        UpdateCampaign c = start(100);
        for (String imei : wave(c.getId(), 1)) {
            installs(imei);
        }
        Instant last = jdbc.sql("select max(confirmed_at) from device_command where release_id = ?")
                .param(release)
                .query(java.sql.Timestamp.class)
                .single()
                .toInstant();
        var before = timelines(fleetManager, "").getTimelinesList().getFirst();
        assertThat(before.getConfirmed()).isEqualTo(18);
        assertThat(before.getFleetConfirmTime())
                .isEqualTo(Timestamp.newBuilder()
                        .setSeconds(last.getEpochSecond())
                        .setNanos(last.getNano())
                        .build());
        String newer = publishAndApprove("neogend/x5/2026.12", true);
        var after = timelines(fleetManager, "").getTimelinesList();
        assertThat(after).extracting(t -> t.getReleaseId()).containsExactly(release, newer);
        assertThat(after.getFirst().getFirstApproveTime()).isEqualTo(before.getFirstApproveTime());
        assertThat(after.get(1).getTargeted()).isZero();
        assertThat(after.get(1).hasFleetConfirmTime()).isFalse();
    }

    @Test
    void aSupplierReadsTheTimelinesOfItsOwnReleasesOnlyAndOtherRolesNone() {
        var own = clients.as(TestTokens.supplier("SUP-DEMO"), TelemetryServiceGrpc::newBlockingStub);
        var other = clients.as(TestTokens.supplier("SUP-OTHER"), TelemetryServiceGrpc::newBlockingStub);
        assertThat(timelines(own, "").getTimelinesCount()).isEqualTo(1);
        assertThat(timelines(other, "").getTimelinesList()).isEmpty();
        GrpcAssertions.assertStatus(() -> timelines(other, "SUP-DEMO"), Status.Code.PERMISSION_DENIED, "its own");
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> timelines(clients.as(TestTokens.unitManager(GGD35), TelemetryServiceGrpc::newBlockingStub), ""));
        GrpcAssertions.assertStatus(
                () -> fleetManager.listPatchTimelines(ListPatchTimelinesRequest.newBuilder()
                        .setPublishedFrom(day("2026-12-01"))
                        .setPublishedBefore(day("2026-11-01"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "published_before");
        // the publication day is Paris's: a window ending today leaves out what was published today
        String today =
                java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")).toString();
        assertThat(fleetManager
                        .listPatchTimelines(ListPatchTimelinesRequest.newBuilder()
                                .setPublishedBefore(day(today))
                                .build())
                        .getTimelinesList())
                .isEmpty();
        assertThat(fleetManager
                        .listPatchTimelines(ListPatchTimelinesRequest.newBuilder()
                                .setPublishedFrom(day(today))
                                .build())
                        .getTimelinesCount())
                .isEqualTo(1);
    }

    /** The campaign's CSV rows (wave, unit → the nine figures), parsed. */
    List<String[]> csv(TelemetryServiceBlockingStub as, String id) {
        var file = as.exportUpdateCampaign(fr.interieur.neogend.telemetry.v1.ExportUpdateCampaignRequest.newBuilder()
                        .setId(id)
                        .build())
                .getFile();
        assertThat(file.getContentType()).isEqualTo("text/csv; charset=utf-8");
        String[] lines = file.getData().toStringUtf8().split("\r\n");
        assertThat(lines[0])
                .isEqualTo("campaign_id,release_id,wave,unit_code,targeted,sent,delivered,installed,confirmed,"
                        + "failed,silent,withdrawn,skipped");
        return java.util.Arrays.stream(lines, 1, lines.length)
                .map(l -> l.split(","))
                .toList();
    }

    static final List<java.util.function.ToLongFunction<CampaignProgress>> FIGURES = List.of(
            CampaignProgress::getTargeted,
            CampaignProgress::getSent,
            CampaignProgress::getDelivered,
            CampaignProgress::getInstalled,
            CampaignProgress::getConfirmed,
            CampaignProgress::getFailed,
            CampaignProgress::getSilent,
            CampaignProgress::getWithdrawn,
            CampaignProgress::getSkipped);

    static final List<String> FIGURE_NAMES = List.of(
            "targeted", "sent", "delivered", "installed", "confirmed", "failed", "silent", "withdrawn", "skipped");

    /** Each view's line equals the CSV's rows summed by its key (column 2: wave, 3: unit), figure by figure. */
    static void agree(List<CampaignProgress> view, List<String[]> rows, int key) {
        assertThat(view).isNotEmpty();
        for (CampaignProgress line : view) {
            String k = key == 2 ? String.valueOf(line.getWave()) : "\"" + line.getUnitCode() + "\"";
            for (int f = 0; f < FIGURES.size(); f++) {
                int column = 4 + f;
                long sum = rows.stream()
                        .filter(r -> r[key].equals(k))
                        .mapToLong(r -> Long.parseLong(r[column]))
                        .sum();
                assertThat(sum)
                        .as("%s %s, column %d", key == 2 ? "wave" : "unit", k, column)
                        .isEqualTo(FIGURES.get(f).applyAsLong(line));
            }
        }
    }

    @Test
    void theCsvHasOneRowPerWaveAndUnitAndAddsUpToBothViewsForEachReader() {
        UpdateCampaign c = start(10, 50, 100);
        List<String> canary = wave(c.getId(), 1);
        installs(canary.get(0));
        fails(canary.get(1));
        waves.advanceAll(); // one failure in two judged devices of a small wave: halted
        contact(wave(c.getId(), 1).getFirst());
        List<String[]> rows = csv(fleetManager, c.getId());
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        // a row per wave and unit holding its devices: the canary's units, then waves 2 and 3 in both
        assertThat(rows).allSatisfy(r -> assertThat(r[0]).isEqualTo(c.getId()));
        assertThat(rows).allSatisfy(r -> assertThat(r[1]).isEqualTo(release));
        assertThat(rows.stream().map(r -> r[2]).distinct()).containsExactly("1", "2", "3");
        agree(v.getWavesList(), rows, 2);
        agree(v.getUnitsList(), rows, 3);
        assertThat(rows.stream().mapToLong(r -> Long.parseLong(r[8])).sum()).isEqualTo(1); // confirmed
        assertThat(rows.stream().mapToLong(r -> Long.parseLong(r[9])).sum()).isEqualTo(1); // failed

        var unitManager = clients.as(TestTokens.unitManager(GGD35), TelemetryServiceGrpc::newBlockingStub);
        List<String[]> own = csv(unitManager, c.getId());
        assertThat(own).isNotEmpty().allSatisfy(r -> assertThat(r[3]).isEqualTo("\"" + GGD35 + "\""));
        GetUpdateCampaignResponse ownView = view(unitManager, c.getId());
        agree(ownView.getWavesList(), own, 2);
        agree(ownView.getUnitsList(), own, 3);
        assertThat(csv(clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub), c.getId()))
                .hasSameSizeAs(rows);
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> csv(
                        clients.as(TestTokens.supplier("SUP-DEMO"), TelemetryServiceGrpc::newBlockingStub), c.getId()));
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> csv(fleetManager, "UC-999999"));
    }

    /** A Rugged X5 of GGD35 enrolled now, with its agent: the commands its first upload is handed. */
    List<DeviceCommand> newDevice(int n) {
        enrolled(n, GGD35);
        return contact(imei(n));
    }

    @Test
    void aDeviceJoiningAPausedCampaignIsSentItsUpdateAndOneJoiningAHaltedCampaignWaitsForItsResume() {
        UpdateCampaign c = start(10, 100);
        fleetManager.pauseUpdateCampaign(
                PauseUpdateCampaignRequest.newBuilder().setId(c.getId()).build());
        assertThat(newDevice(40)).extracting(d -> d.getUpdate().getReleaseId()).containsExactly(release);
        assertThat(waveOf(view(fleetManager, c.getId()), 1).getTargeted()).isEqualTo(3);
        fleetManager.resumeUpdateCampaign(
                ResumeUpdateCampaignRequest.newBuilder().setId(c.getId()).build());

        // the canary wave (its two devices and the joiner): one failure in three judged halts it
        List<String> canary = wave(c.getId(), 1);
        fails(canary.get(0));
        installs(canary.get(1));
        installs(canary.get(2));
        waves.advanceAll();
        assertThat(shortName(view(fleetManager, c.getId()).getCampaign().getState()))
                .isEqualTo("HALTED");
        assertThat(newDevice(41)).as("held while halted").isEmpty();
        GetUpdateCampaignResponse held = view(fleetManager, c.getId());
        assertThat(held.getCampaign().getTargeted()).isEqualTo(20);
        assertThat(waveOf(held, 1).getTargeted()).isEqualTo(4);
        assertThat(waveOf(held, 1).getSent()).isEqualTo(3);

        UpdateCampaign resumed = fleetManager
                .resumeUpdateCampaign(ResumeUpdateCampaignRequest.newBuilder()
                        .setId(c.getId())
                        .build())
                .getCampaign();
        assertThat(resumed.getCurrentWave())
                .as("the held device's UPDATE now holds the wave")
                .isEqualTo(1);
        installs(imei(41));
        waves.advanceAll();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(waveOf(v, 1).getConfirmed()).isEqualTo(3);
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(2);
    }

    @Test
    void wavesByUnitSendAGroupementFirstThenTheRestAndAnEmptyWaveIsDropped() {
        UpdateCampaign c = fleetManager
                .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(UpdateCampaign.newBuilder()
                                .setReleaseId(release)
                                .addUnitWaves(fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder()
                                        .addUnitCodes("GN-RIDF")) // no Rugged X5 there: dropped
                                .addUnitWaves(fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder()
                                        .addUnitCodes(GGD29)))
                        .build())
                .getCampaign();
        // GGD29 holds devices 11 to 18 (19 never enrolled, 20 lost): 8 first, then GGD35's 10
        assertThat(wave(c.getId(), 1))
                .hasSize(8)
                .allSatisfy(imei -> assertThat(imei)
                        .isIn(java.util.stream.IntStream.rangeClosed(11, 18)
                                .mapToObj(CampaignIT::imei)
                                .toList()));
        assertThat(wave(c.getId(), 2)).hasSize(10);
        assertThat(wave(c.getId(), 3)).isEmpty();
        assertThat(c.getWavePercentsList()).containsExactly(45, 100); // 8 of 18, rounded up
        assertThat(c.getUnitWavesList())
                .extracting(w -> List.copyOf(w.getUnitCodesList()))
                .containsExactly(List.of(GGD29));
        assertThat(contact(wave(c.getId(), 2).getFirst())).isEmpty();
        wave(c.getId(), 1).forEach(this::installs);
        waves.advanceAll();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(2);
        assertThat(contact(wave(c.getId(), 2).getFirst())).hasSize(1);
    }

    @Test
    void wavesByUnitAreRefusedWithPercentagesOrAUnitTwiceOrOutsideTheCampaignsUnit() {
        var byUnit = UpdateCampaign.newBuilder()
                .setReleaseId(release)
                .addUnitWaves(
                        fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder().addUnitCodes(GGD29));
        GrpcAssertions.assertStatus(
                () -> fleetManager.createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(byUnit.clone().addWavePercents(100))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "not both");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(byUnit.clone()
                                .addUnitWaves(fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder()
                                        .addUnitCodes(GGD29)))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "campaign.unit_waves[1].unit_codes[0]");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(byUnit.clone().setUnitCode(GGD35))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "is not under the campaign's unit");
        assertThat(jdbc.sql("select count(*) from update_campaign")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aCampaignWhoseReleaseIsNoLongerApprovedHaltsRatherThanSendItAndAWaveSkipsADeviceOnANewerBuild() {
        UpdateCampaign c = start(10, 50, 100);
        String ahead = wave(c.getId(), 3).getFirst();
        // a newer release is approved (ending the approval of the campaign's), sent by hand to a device of
        // wave 3, which runs it
        String newer = publishAndApprove(NEWER_BUILD, true);
        sendByHand(ahead, newer);
        installs(ahead, NEWER_BUILD);
        assertThat(updates(ahead)).containsExactly(newer);
        assertThat(newDevice(40))
                .as("a device enrolled now joins no campaign of a superseded release")
                .isEmpty();

        wave(c.getId(), 1).forEach(this::installs); // the UPDATEs already queued still go
        waves.advanceAll();
        GetUpdateCampaignResponse halted = view(fleetManager, c.getId());
        assertThat(shortName(halted.getCampaign().getState()))
                .as("wave 1 is over, but wave 2 would be sent a superseded release")
                .isEqualTo("HALTED");
        assertThat(halted.getCampaign().getCurrentWave()).isEqualTo(1);
        assertThat(halted.getCampaign().getHaltReason())
                .contains(release)
                .contains("no longer the approved release")
                .contains(newer);
        assertThat(waveOf(halted, 2).getSent()).isZero();
        assertThat(contact(wave(c.getId(), 2).getFirst())).isEmpty();
        GrpcAssertions.assertStatus(
                () -> resume(c.getId()), Status.Code.FAILED_PRECONDITION, "no longer the approved release");
        assertThat(shortName(view(fleetManager, c.getId()).getCampaign().getState()))
                .isEqualTo("HALTED");

        // the campaign's release approved again (the newer one withdrawn): it resumes, wave by wave
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(release).build());
        assertThat(resume(c.getId()).getCurrentWave()).isEqualTo(2);
        wave(c.getId(), 2).forEach(this::installs);
        waves.advanceAll();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(3);
        // the device on the newer build is not sent the older one: skipped, not a downgrade
        assertThat(waveOf(v, 3).getTargeted()).isEqualTo(9);
        assertThat(waveOf(v, 3).getSent()).isEqualTo(8);
        assertThat(waveOf(v, 3).getSkipped()).isEqualTo(1);
        assertThat(contactOn(ahead, NEWER_BUILD)).isEmpty();
        assertThat(updates(ahead)).containsExactly(newer);
    }

    @Test
    void aLaterWaveSendsNothingToADeviceDeclaredStolenMeanwhileNorToOneAlreadyOnTheRelease() {
        UpdateCampaign c = start(10, 100);
        List<String> second = wave(c.getId(), 2);
        assertThat(second).hasSize(16);
        String stolen = second.get(0);
        String byHand = second.get(1);
        // while wave 1 runs: one device of wave 2 is stolen, another is sent the release by hand and runs it
        declared(stolen, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
        sendByHand(byHand, release);
        installs(byHand);
        wave(c.getId(), 1).forEach(this::installs);
        waves.advanceAll();

        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getCurrentWave()).isEqualTo(2);
        CampaignProgress w2 = waveOf(v, 2);
        assertThat(w2.getSent())
                .as("neither the stolen device nor the one on the release is sent it")
                .isEqualTo(14);
        assertThat(w2.getWithdrawn()).as("the stolen one").isEqualTo(1);
        assertThat(w2.getSkipped()).as("the one on the release already").isEqualTo(1);
        assertThat(updates(stolen)).isEmpty();
        assertThat(updates(byHand)).containsExactly(release);
        assertThat(contactOn(byHand, NEW_BUILD)).isEmpty();
        for (var figure : FIGURES) {
            assertThat(v.getUnitsList().stream().mapToLong(figure).sum())
                    .isEqualTo(v.getWavesList().stream().mapToLong(figure).sum());
        }
        // neither holds the wave: once the 14 others are confirmed, the campaign is over
        second.subList(2, second.size()).forEach(this::installs);
        waves.advanceAll();
        assertThat(shortName(view(fleetManager, c.getId()).getCampaign().getState()))
                .isEqualTo("COMPLETED");
    }

    @Test
    void aDeviceHeldByAHaltedCampaignAndDeclaredLostMeanwhileIsNotSentItsUpdateOnResume() {
        UpdateCampaign c = haltedByItsCanary();
        assertThat(shortName(view(fleetManager, c.getId()).getCampaign().getState()))
                .isEqualTo("HALTED");
        assertThat(newDevice(41)).as("held while halted").isEmpty();
        declared(imei(41), InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);

        UpdateCampaign resumed = resume(c.getId());
        assertThat(updates(imei(41))).isEmpty();
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(waveOf(v, 1).getTargeted()).isEqualTo(3);
        assertThat(waveOf(v, 1).getSent()).isEqualTo(2);
        assertThat(waveOf(v, 1).getWithdrawn()).isEqualTo(1);
        assertThat(resumed.getCurrentWave())
                .as("the lost device holds nothing: the next wave starts")
                .isEqualTo(2);
    }

    @Test
    void theTwoViewsAgreeOnEveryReadWhileDevicesConfirmTheirUpdates() throws Exception {
        // 60 more Rugged X5, half in each groupement: 78 devices, each moving three times below
        for (int n = 100; n < 160; n++) {
            inventory.add(imei(n), MODEL, n % 2 == 0 ? GGD35 : GGD29);
            var agent = agentOf(n);
            agent.uploadReadings(UploadReadingsRequest.newBuilder()
                    .addReadings(reading(OLD_BUILD, "2026-09-05"))
                    .build());
            agents.put(imei(n), agent);
        }
        UpdateCampaign c = start(100);
        List<String> devices = wave(c.getId(), 1);
        assertThat(devices).hasSize(78);
        // a dashboard reads the campaign while its devices are handed their UPDATE, install it and confirm
        // it by their readings: in every answer the waves and the units describe the same devices
        List<String> disagreements = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> devicesMoving = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                List<String> mine = devices.subList(t * devices.size() / 2, (t + 1) * devices.size() / 2);
                devicesMoving.add(pool.submit(() -> {
                    for (String imei : mine) {
                        DeviceCommand update = contact(imei).getFirst(); // delivered
                        agents.get(imei)
                                .uploadReadings(UploadReadingsRequest.newBuilder()
                                        .addCommandResults(CommandResult.newBuilder()
                                                .setCommandId(update.getId())
                                                .setOutcome(CommandOutcome.COMMAND_OUTCOME_INSTALLED))
                                        .build()); // installed, by its word
                        agents.get(imei)
                                .uploadReadings(UploadReadingsRequest.newBuilder()
                                        .addReadings(reading(NEW_BUILD, "2026-11-05"))
                                        .build()); // confirmed, by its readings
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    while (moving.get() || reads.get() == 0) {
                        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
                        for (int f = 0; f < FIGURES.size(); f++) {
                            long byWave = v.getWavesList().stream()
                                    .mapToLong(FIGURES.get(f))
                                    .sum();
                            long byUnit = v.getUnitsList().stream()
                                    .mapToLong(FIGURES.get(f))
                                    .sum();
                            if (byWave != byUnit) {
                                disagreements.add(FIGURE_NAMES.get(f) + ": waves " + byWave + ", units " + byUnit);
                            }
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : devicesMoving) {
                    f.get();
                }
            } finally {
                moving.set(false);
            }
            for (Future<?> f : readers) {
                f.get();
            }
        }
        System.out.printf(
                "%d campaign reads while %d devices confirmed their updates: %d disagreements%n",
                reads.get(), devices.size(), disagreements.size());
        assertThat(disagreements).isEmpty();
        assertThat(waveOf(view(fleetManager, c.getId()), 1).getConfirmed()).isEqualTo(78);
    }

    // ---- units are a tree: a code is a name, not a path (docs/api.md); CIE-BREST is a company of GGD29

    static final String BREST = "CIE-BREST";

    /** A Rugged X5 of {@code unit} registered in inventory and enrolled now, with its agent. */
    void enrolled(int n, String unit) {
        inventory.add(imei(n), MODEL, unit);
        agents.put(imei(n), agentOf(n));
    }

    /** Device {@code n} enrolled now by the fleet manager: its agent, calling with the credential it was issued. */
    TelemetryServiceBlockingStub agentOf(int n) {
        return TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(fleetManager
                        .enrollDevice(EnrollDeviceRequest.newBuilder()
                                .setImei(imei(n))
                                .build())
                        .getCredential()));
    }

    /** CIE-BREST created under GGD29 (its code does not start with GGD29's), with devices 50 and 51. */
    void brest() {
        inventory.unit(BREST, GGD29);
        enrolled(50, BREST);
        enrolled(51, BREST);
    }

    UpdateCampaign create(UpdateCampaign.Builder campaign) {
        return fleetManager
                .createUpdateCampaign(CreateUpdateCampaignRequest.newBuilder()
                        .setCampaign(campaign.setReleaseId(release))
                        .build())
                .getCampaign();
    }

    @Test
    void aUnitWhoseCodeDoesNotStartWithItsParentsIsHandedItsUpdateWithinItsParentsMaintenanceWindow() {
        brest();
        UpdateCampaign c = create(UpdateCampaign.newBuilder()
                .setUnitCode(GGD29)
                .addWavePercents(100)
                .addMaintenanceWindows(window(GGD29, 22, 0, 5, 0))
                .addMaintenanceWindows(window("GN-RBRE", 12, 0, 14, 0)));
        assertThat(c.getTargeted()).as("GGD29's 8 and CIE-BREST's 2").isEqualTo(10);
        clock.parisTime(java.time.LocalTime.of(13, 0));
        assertThat(contact(imei(50)))
                .as("GGD29's window, deeper than GN-RBRE's, holds CIE-BREST's device at 13:00")
                .isEmpty();
        assertThat(contact(imei(11))).isEmpty();
        clock.parisTime(java.time.LocalTime.of(14, 0));
        assertThat(contact(imei(51))).isEmpty();
        clock.parisTime(java.time.LocalTime.of(22, 0));
        assertThat(contact(imei(50))).hasSize(1);
        assertThat(contact(imei(51))).hasSize(1);
        assertThat(contact(imei(11))).hasSize(1);
    }

    @Test
    void aUnitManagerSeesTheCampaignRowsOfEveryUnitUnderItsOwnWhateverTheirCodes() {
        brest();
        UpdateCampaign c = start(100);
        var ggd29 = clients.as(TestTokens.unitManager(GGD29), TelemetryServiceGrpc::newBlockingStub);
        GetUpdateCampaignResponse own = view(ggd29, c.getId());
        assertThat(own.getUnitsList()).extracting(CampaignProgress::getUnitCode).containsExactly(BREST, GGD29);
        assertThat(own.getWavesList().stream()
                        .mapToLong(CampaignProgress::getTargeted)
                        .sum())
                .isEqualTo(10);
        List<String[]> rows = csv(ggd29, c.getId());
        assertThat(rows).extracting(r -> r[3]).containsExactly("\"" + BREST + "\"", "\"" + GGD29 + "\"");
        agree(own.getUnitsList(), rows, 3);
        var ggd35 = clients.as(TestTokens.unitManager(GGD35), TelemetryServiceGrpc::newBlockingStub);
        assertThat(view(ggd35, c.getId()).getUnitsList())
                .extracting(CampaignProgress::getUnitCode)
                .containsExactly(GGD35);
    }

    @Test
    void aUnitWaveMayNameAUnitUnderTheCampaignsUnitWhateverItsCodeAndTakesItsDevicesFirst() {
        brest();
        UpdateCampaign c = create(UpdateCampaign.newBuilder()
                .setUnitCode(GGD29)
                .addUnitWaves(
                        fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder().addUnitCodes(BREST))
                .addMaintenanceWindows(window(GGD29, 22, 0, 5, 0)));
        assertThat(wave(c.getId(), 1)).containsExactly(imei(50), imei(51));
        assertThat(wave(c.getId(), 2)).hasSize(8);
        assertThat(c.getUnitWavesList())
                .extracting(w -> List.copyOf(w.getUnitCodesList()))
                .containsExactly(List.of(BREST));
        clock.parisTime(java.time.LocalTime.of(22, 0));
        installs(imei(50));
        installs(imei(51));
        int unitCalls = inventory.unitCalls.get();
        int placementCalls = inventory.placementCalls.get();
        waves.advanceAll();
        assertThat(view(fleetManager, c.getId()).getCampaign().getCurrentWave()).isEqualTo(2);
        assertThat(inventory.unitCalls.get() - unitCalls + inventory.placementCalls.get() - placementCalls)
                .as("a wave started by the service alone asks inventory nothing: the tree was read at the start")
                .isZero();
        String second = wave(c.getId(), 2).getFirst();
        clock.parisTime(java.time.LocalTime.of(13, 0));
        assertThat(contact(second)).as("GGD29's window").isEmpty();
        clock.parisTime(java.time.LocalTime.of(23, 0));
        assertThat(contact(second)).hasSize(1);
        // a unit beside the campaign's, or one inventory does not know, is still refused
        for (String unit : List.of(GGD35, "GN-RBRE-GGD29-X")) {
            GrpcAssertions.assertStatus(
                    () -> create(UpdateCampaign.newBuilder()
                            .setUnitCode(GGD29)
                            .addUnitWaves(fr.interieur.neogend.telemetry.v1.UnitWave.newBuilder()
                                    .addUnitCodes(unit))),
                    Status.Code.INVALID_ARGUMENT,
                    "campaign.unit_waves[0].unit_codes[0]");
        }
    }

    @Test
    void aDeviceEnrolledMidCampaignInAUnitUnderTheCampaignsJoinsWhateverItsUnitsCode() {
        brest();
        UpdateCampaign c = create(UpdateCampaign.newBuilder().setUnitCode(GGD29).addAllWavePercents(List.of(50, 100)));
        assertThat(c.getTargeted()).isEqualTo(10);
        enrolled(52, BREST);
        assertThat(contact(imei(52)))
                .extracting(d -> d.getUpdate().getReleaseId())
                .containsExactly(release);
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        assertThat(v.getCampaign().getTargeted()).isEqualTo(11);
        assertThat(v.getUnitsList())
                .filteredOn(u -> u.getUnitCode().equals(BREST))
                .singleElement()
                .extracting(CampaignProgress::getTargeted)
                .isEqualTo(3L);
        // one of GGD35, beside the campaign's unit, joins nothing
        enrolled(53, GGD35);
        assertThat(contact(imei(53))).isEmpty();
        assertThat(view(fleetManager, c.getId()).getCampaign().getTargeted()).isEqualTo(11);
    }

    @Test
    void aMovedUnitsFiguresFollowItToItsNewRegionsManagerAndLeaveTheOldOnes() {
        UpdateCampaign c = start(100);
        var rbre = clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        var ridf = clients.as(TestTokens.unitManager("GN-RIDF"), TelemetryServiceGrpc::newBlockingStub);
        assertThat(view(rbre, c.getId()).getUnitsList())
                .extracting(CampaignProgress::getUnitCode)
                .containsExactly(GGD29, GGD35);
        assertThat(view(ridf, c.getId()).getUnitsList()).isEmpty();

        inventory.move(GGD29, "GN-RIDF"); // its code still says GN-RBRE
        GetUpdateCampaignResponse old = view(rbre, c.getId());
        assertThat(old.getUnitsList()).extracting(CampaignProgress::getUnitCode).containsExactly(GGD35);
        assertThat(old.getWavesList().stream()
                        .mapToLong(CampaignProgress::getTargeted)
                        .sum())
                .isEqualTo(10);
        GetUpdateCampaignResponse now = view(ridf, c.getId());
        assertThat(now.getUnitsList()).extracting(CampaignProgress::getUnitCode).containsExactly(GGD29);
        assertThat(now.getWavesList().stream()
                        .mapToLong(CampaignProgress::getTargeted)
                        .sum())
                .isEqualTo(8);
        assertThat(csv(ridf, c.getId())).extracting(r -> r[3]).containsOnly("\"" + GGD29 + "\"");
        assertThat(csv(rbre, c.getId())).extracting(r -> r[3]).containsOnly("\"" + GGD35 + "\"");
    }

    @Autowired
    javax.sql.DataSource dataSource;

    /** Sessions of this database waiting for a lock. */
    long waitingForALock() {
        return jdbc.sql("select count(*) from pg_stat_activity where datname = current_database() "
                        + "and wait_event_type = 'Lock'")
                .query(Long.class)
                .single();
    }

    /** Waits until {@code waiting} sessions wait for a lock, or {@code call} is over (at most 30 s). */
    void awaitLockWaitersOrEnd(long waiting, java.util.concurrent.Future<?> call) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!call.isDone() && waitingForALock() < waiting) {
            assertThat(System.nanoTime()).as("neither waiting nor over").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * A newer release approved in the instant a pass starts the next wave: either the wave is sent while the
     * campaign's release is still the approved one (the approval waits for it), or the approval is seen and the
     * campaign halts — never a wave of a release whose approval has ended. The approval, through the API, is
     * held after it ended the old approval and before it commits (another session holds the newer release's
     * row), and the pass runs then.
     */
    @Test
    void aWaveStartingWhileANewerReleaseIsApprovedIsNotSentTheSupersededRelease() throws Exception {
        UpdateCampaign c = start(10, 100);
        String newer = publish(NEWER_BUILD, true);
        wave(c.getId(), 1).forEach(this::installs); // wave 1 is over: the next pass starts wave 2
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
                java.sql.Connection hold = dataSource.getConnection()) {
            hold.setAutoCommit(false);
            try (var st = hold.prepareStatement("select 1 from rom_release where id = ? for update")) {
                st.setString(1, newer);
                st.executeQuery().close();
            }
            var approval = pool.submit(() -> fleetManager.approveRomRelease(
                    ApproveRomReleaseRequest.newBuilder().setId(newer).build()));
            awaitLockWaitersOrEnd(1, approval);
            assertThat(approval.isDone())
                    .as("the approval waits before its commit")
                    .isFalse();
            var pass = pool.submit(() -> waves.advanceAll());
            awaitLockWaitersOrEnd(2, pass);
            hold.rollback();
            approval.get(30, java.util.concurrent.TimeUnit.SECONDS);
            pass.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        GetUpdateCampaignResponse v = view(fleetManager, c.getId());
        List<String> second = wave(c.getId(), 2);
        assertThat(second.stream().filter(d -> updates(d).contains(release)).toList())
                .as("wave 2 devices sent " + release + ", no longer approved once the pass committed")
                .isEmpty();
        assertThat(waveOf(v, 2).getSent()).isZero();
        assertThat(shortName(v.getCampaign().getState())).isEqualTo("HALTED");
        assertThat(v.getCampaign().getHaltReason())
                .contains("no longer the approved release")
                .contains(newer);
    }
}
