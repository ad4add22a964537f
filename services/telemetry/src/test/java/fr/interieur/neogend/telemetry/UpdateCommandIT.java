package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.v1.ApproveRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.CommandKind;
import fr.interieur.neogend.telemetry.v1.CommandOutcome;
import fr.interieur.neogend.telemetry.v1.CommandResult;
import fr.interieur.neogend.telemetry.v1.DeviceCommand;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.telemetry.v1.ListDeviceCommandsRequest;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest;
import fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RomRelease;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static fr.interieur.neogend.testkit.Days.day;
import static fr.interieur.neogend.testkit.ProtoEnums.shortName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * UPDATE commands (issue 20, part 1) through gRPC on real PostgreSQL, devices played by the test through
 * the real device API: an approved release with its OTA package is sent to a device on its next contact,
 * the device says how it went, and only its readings confirm it. Each test tries to break one promise.
 */
@ServiceIT
class UpdateCommandIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String OLD_BUILD = "neogend/x5/2026.09";
    static final String NEW_BUILD = "neogend/x5/2026.11";

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
    TelemetryServiceBlockingStub supplier;
    String release;
    String device;
    TelemetryServiceBlockingStub agent;
    long sequence;

    static String imei(int n) {
        String body = String.format("35777702%06d", n);
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
                "rom_release")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        device = imei(1);
        inventory.add(device, "Rugged X5", "GN-RBRE-GGD35");
        inventory.add(imei(2), "Field Tab 10", "GN-RBRE-GGD35");
        release = publish("Rugged X5", NEW_BUILD, "2026-11-05", true).getId();
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(release).build());
        agent = device(enrol(device));
        upload(UploadReadingsRequest.newBuilder().addReadings(reading(Instant.now(), OLD_BUILD, "2026-09-05")));
    }

    @AfterEach
    void disconnect() {
        inventory.close();
    }

    RomRelease publish(String model, String build, String patch, boolean withPackage) {
        RomRelease.Builder r = RomRelease.newBuilder()
                .setModel(model)
                .setBuildFingerprint(build)
                .setSecurityPatchLevel(patch)
                .setBulletinDate(day(patch.substring(0, 8) + "02")) // the bulletin of the patch level's month
                .setKernelSourceSha256("a".repeat(64))
                .setKernelConfig("CONFIG_SECURITY_SELINUX=y\n");
        if (withPackage) {
            r.setOtaUrl("https://ota.supplier.example/x5/" + build.replace('/', '-') + ".zip")
                    .setOtaSha256("c".repeat(64));
        }
        return supplier.publishRomRelease(
                        PublishRomReleaseRequest.newBuilder().setRelease(r).build())
                .getRelease();
    }

    String enrol(String imei) {
        return fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(imei).build())
                .getCredential();
    }

    TelemetryServiceBlockingStub device(String credential) {
        return TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential));
    }

    Reading reading(Instant at, String build, String patch) {
        return Reading.newBuilder()
                .setSequence(++sequence)
                .setRecordedAt(
                        Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setBatteryPercent(70)
                .setNetwork(NetworkType.NETWORK_TYPE_4G)
                .setSecurityPatchLevel(patch)
                .setRomBuild(build)
                .setKernelVersion("5.15.148")
                .setAgentVersion("1.5.0")
                .build();
    }

    List<DeviceCommand> upload(UploadReadingsRequest.Builder request) {
        return agent.uploadReadings(request.build()).getCommandsList();
    }

    DeviceCommand queueUpdate(String imei, String releaseId) {
        return fleetManager
                .queueDeviceCommand(QueueDeviceCommandRequest.newBuilder()
                        .setImei(imei)
                        .setCommand(CommandKind.COMMAND_KIND_UPDATE)
                        .setReleaseId(releaseId)
                        .build())
                .getCommand();
    }

    DeviceCommand command(String id) {
        return fleetManager
                .listDeviceCommands(
                        ListDeviceCommandsRequest.newBuilder().setImei(device).build())
                .getCommandsList()
                .stream()
                .filter(c -> c.getId().equals(id))
                .findFirst()
                .orElseThrow();
    }

    static CommandResult result(String id, CommandOutcome outcome, String reason) {
        return CommandResult.newBuilder()
                .setCommandId(id)
                .setOutcome(outcome)
                .setReason(reason)
                .build();
    }

    @Test
    void theDeviceIsHandedTheReleaseWithItsPackageOnItsNextContact() {
        DeviceCommand queued = queueUpdate(device, release);
        assertThat(shortName(queued.getStatus())).isEqualTo("QUEUED");
        List<DeviceCommand> handed =
                upload(UploadReadingsRequest.newBuilder().addReadings(reading(Instant.now(), OLD_BUILD, "2026-09-05")));
        assertThat(handed).singleElement().satisfies(c -> {
            assertThat(c.getId()).isEqualTo(queued.getId());
            assertThat(shortName(c.getCommand())).isEqualTo("UPDATE");
            assertThat(c.getUpdate().getReleaseId()).isEqualTo(release);
            assertThat(c.getUpdate().getBuildFingerprint()).isEqualTo(NEW_BUILD);
            assertThat(c.getUpdate().getSecurityPatchLevel()).isEqualTo("2026-11-05");
            assertThat(c.getUpdate().getOtaUrl()).isEqualTo("https://ota.supplier.example/x5/neogend-x5-2026.11.zip");
            assertThat(c.getUpdate().getOtaSha256()).isEqualTo("c".repeat(64));
        });
    }

    /** The device installs the update by its word, with a reading taken before the reboot. */
    DeviceCommand installedByItsWord() {
        DeviceCommand queued = queueUpdate(device, release);
        upload(UploadReadingsRequest.newBuilder());
        assertThat(upload(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(Instant.now(), OLD_BUILD, "2026-09-05"))
                        .addCommandResults(result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_INSTALLED, ""))))
                .as("installed: not handed again")
                .isEmpty();
        return queued;
    }

    @Test
    void neitherTheDevicesWordNorItsBuildAtALowerPatchLevelConfirmsAnUpdate() {
        DeviceCommand installed = installedByItsWord();
        assertThat(shortName(command(installed.getId()).getStatus())).isEqualTo("INSTALLED");
        upload(UploadReadingsRequest.newBuilder().addReadings(reading(Instant.now(), NEW_BUILD, "2026-10-05")));
        assertThat(shortName(command(installed.getId()).getStatus())).isEqualTo("INSTALLED");
    }

    @Test
    void readingsOfTheReleaseConfirmAnUpdateAndTheReleaseCannotBeSentAgain() {
        DeviceCommand installed = installedByItsWord();
        upload(UploadReadingsRequest.newBuilder().addReadings(reading(Instant.now(), NEW_BUILD, "2026-11-05")));
        DeviceCommand confirmed = command(installed.getId());
        assertThat(shortName(confirmed.getStatus())).isEqualTo("CONFIRMED");
        assertThat(confirmed.hasConfirmTime()).isTrue();
        GrpcAssertions.assertStatus(
                () -> queueUpdate(device, release), Status.Code.FAILED_PRECONDITION, "reports build " + NEW_BUILD);
    }

    @Test
    void aPostponedUpdateIsHandedAgainAndAFailureIsKeptWithItsReason() {
        DeviceCommand queued = queueUpdate(device, release);
        upload(UploadReadingsRequest.newBuilder());
        List<DeviceCommand> again = upload(UploadReadingsRequest.newBuilder()
                .addCommandResults(result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_POSTPONED, "user on patrol")));
        assertThat(again).singleElement().satisfies(c -> {
            assertThat(shortName(c.getStatus())).isEqualTo("DELIVERED");
            assertThat(c.getPostponements()).isEqualTo(1);
            assertThat(c.getOutcomeReason()).isEqualTo("user on patrol");
        });
        // a reason with a control character is refused by the contract, naming it; nothing changes
        GrpcAssertions.assertStatus(
                () -> upload(UploadReadingsRequest.newBuilder()
                        .addCommandResults(
                                result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_FAILED, "checksum\u0000"))),
                Status.Code.INVALID_ARGUMENT,
                "command_results[0].reason");
        assertThat(shortName(command(queued.getId()).getStatus())).isEqualTo("DELIVERED");
        assertThat(upload(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(Instant.now(), OLD_BUILD, "2026-09-05"))
                        .addCommandResults(
                                result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_FAILED, "  checksum mismatch "))))
                .isEmpty();
        DeviceCommand failed = command(queued.getId());
        assertThat(shortName(failed.getStatus())).isEqualTo("FAILED");
        assertThat(failed.getOutcomeReason()).isEqualTo("checksum mismatch");
        assertThat(failed.getPostponements()).isEqualTo(1);
        // a failure closes the update: a new one may be sent
        assertThat(shortName(queueUpdate(device, release).getStatus())).isEqualTo("QUEUED");
    }

    /**
     * A device acknowledging every command it was handed and telling how its UPDATE went in the same upload: the
     * result decides — a failure is a failure and a postponement hands it again, never an installation by the
     * acknowledgement alone ("an UPDATE acknowledged without a result counts as installed").
     */
    @Test
    void anUpdateAcknowledgedWithItsResultInTheSameUploadIsWhatTheResultSays() {
        DeviceCommand queued = queueUpdate(device, release);
        upload(UploadReadingsRequest.newBuilder());
        List<DeviceCommand> again = upload(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(queued.getId())
                .addCommandResults(result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_POSTPONED, "user on patrol")));
        assertThat(again)
                .as("postponed: handed again")
                .extracting(c -> c.getId() + " " + shortName(c.getStatus()) + " " + c.getPostponements())
                .containsExactly(queued.getId() + " DELIVERED 1");
        upload(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(queued.getId())
                .addCommandResults(result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_FAILED, "checksum mismatch")));
        DeviceCommand failed = command(queued.getId());
        assertThat(shortName(failed.getStatus()) + " " + failed.getOutcomeReason())
                .isEqualTo("FAILED checksum mismatch");
    }

    @Test
    void readingsConfirmAnUpdateWhoseAcknowledgementWasLostButNotAReadingTakenBeforeItWasQueued() {
        DeviceCommand queued = queueUpdate(device, release);
        upload(UploadReadingsRequest.newBuilder());
        // a late reading taken an hour before the command was queued proves nothing about the command
        upload(UploadReadingsRequest.newBuilder()
                .addReadings(reading(Instant.now().minus(Duration.ofHours(1)), NEW_BUILD, "2026-11-05")));
        assertThat(shortName(command(queued.getId()).getStatus())).isEqualTo("DELIVERED");
        // never acknowledged (the answer was lost), but the device now runs the release
        assertThat(upload(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(Instant.now(), NEW_BUILD, "2026-11-05"))))
                .isEmpty();
        assertThat(shortName(command(queued.getId()).getStatus())).isEqualTo("CONFIRMED");
    }

    @Test
    void onlyTheApprovedReleaseOfTheDevicesModelWithItsPackageIsSentAndByAFleetManager() {
        String unapproved = publish("Rugged X5", "neogend/x5/2026.12-rc", "2026-12-05", true)
                .getId();
        String noPackage = publish("Field Tab 10", "neogend/tab10/2026.11", "2026-11-05", false)
                .getId();
        fleetManager.approveRomRelease(
                ApproveRomReleaseRequest.newBuilder().setId(noPackage).build());
        GrpcAssertions.assertStatus(
                () -> queueUpdate(device, unapproved), Status.Code.FAILED_PRECONDITION, "not the approved release");
        GrpcAssertions.assertStatus(() -> queueUpdate(device, noPackage), Status.Code.FAILED_PRECONDITION, "is for");
        GrpcAssertions.assertStatus(
                () -> queueUpdate(imei(2), noPackage), Status.Code.FAILED_PRECONDITION, "no OTA package");
        GrpcAssertions.assertStatus(() -> queueUpdate(device, ""), Status.Code.INVALID_ARGUMENT, "release_id");
        GrpcAssertions.assertStatus(
                () -> queueUpdate(device, "ROM-999999"), Status.Code.INVALID_ARGUMENT, "names no ROM release");
        var unitManager = clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> unitManager.queueDeviceCommand(QueueDeviceCommandRequest.newBuilder()
                        .setImei(device)
                        .setCommand(CommandKind.COMMAND_KIND_UPDATE)
                        .setReleaseId(release)
                        .build()));
        // a package is published whole and over HTTPS
        GrpcAssertions.assertStatus(
                () -> supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                        .setRelease(publishable("neogend/x5/a").setOtaUrl("http://ota.example/a.zip"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "release.ota");
        GrpcAssertions.assertStatus(
                () -> supplier.publishRomRelease(PublishRomReleaseRequest.newBuilder()
                        .setRelease(publishable("neogend/x5/b")
                                .setOtaUrl("https://ota.example/b.zip")
                                .setOtaSha256("C".repeat(64)))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "release.ota_sha256");
        assertThat(jdbc.sql("select count(*) from device_command")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    RomRelease.Builder publishable(String build) {
        return RomRelease.newBuilder()
                .setModel("Rugged X5")
                .setBuildFingerprint(build)
                .setSecurityPatchLevel("2026-11-05")
                .setBulletinDate(day("2026-11-02"))
                .setKernelSourceSha256("a".repeat(64))
                .setKernelConfig("CONFIG_X=y\n");
    }

    @Test
    void fleetManagersSendingAtOnceQueueOneUpdate() throws Exception {
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Status.Code>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                Callable<Status.Code> call = () -> {
                    start.await();
                    try {
                        queueUpdate(device, release);
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                };
                outcomes.add(pool.submit(call));
            }
            start.countDown();
            List<Status.Code> codes = new ArrayList<>();
            for (Future<Status.Code> f : outcomes) {
                codes.add(f.get());
            }
            assertThat(codes).filteredOn(c -> c == Status.Code.OK).hasSize(1);
            assertThat(codes).filteredOn(c -> c != Status.Code.OK).containsOnly(Status.Code.FAILED_PRECONDITION);
        }
        assertThat(jdbc.sql("select count(*) from device_command where command = 'UPDATE'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    /** Inventory tells telemetry what became of the device (its outbox's call). */
    void declared(InventoryEventKind kind) {
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(UUID.randomUUID().toString())
                                .setKind(kind)
                                .setImei(device)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
    }

    @Test
    void aDeviceDeclaredLostIsHandedItsLockAndItsUpdateIsWithdrawn() {
        DeviceCommand queued = queueUpdate(device, release);
        declared(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        assertThat(upload(UploadReadingsRequest.newBuilder()))
                .extracting(c -> shortName(c.getCommand()))
                .containsExactly("LOCK");
        // withdrawn: its readings are refused from now on, so it could never be confirmed
        assertThat(shortName(command(queued.getId()).getStatus())).isEqualTo("WITHDRAWN");
    }

    /**
     * Rule 21 (and 11): a stolen device's LOCK or WIPE is done only when the device says so. One it reports
     * failed is shown FAILED with its reason — never ACKNOWLEDGED, which the fleet manager reads as done — and a
     * new one may be queued; one it reports postponed (a device's user cannot put off a wipe) is handed again.
     */
    @Test
    void aLockOrWipeTheDeviceSaysFailedOrPutOffIsNeverShownDone() {
        declared(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
        List<DeviceCommand> handed = upload(UploadReadingsRequest.newBuilder());
        assertThat(handed).extracting(c -> shortName(c.getCommand())).containsExactly("LOCK", "WIPE");
        String lock = handed.get(0).getId();
        String wipe = handed.get(1).getId();
        List<DeviceCommand> again = upload(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(lock)
                .addCommandResults(result(lock, CommandOutcome.COMMAND_OUTCOME_FAILED, "device admin disabled"))
                .addCommandResults(result(wipe, CommandOutcome.COMMAND_OUTCOME_POSTPONED, "user on a call")));
        assertThat(again)
                .as("the wipe put off is handed again; the failed lock is not")
                .extracting(c -> shortName(c.getCommand()) + " " + shortName(c.getStatus()))
                .containsExactly("WIPE DELIVERED");
        DeviceCommand failed = command(lock);
        assertThat(shortName(failed.getStatus()) + " " + failed.getOutcomeReason())
                .isEqualTo("FAILED device admin disabled");
        assertThat(shortName(command(wipe).getStatus())).isEqualTo("DELIVERED");
        // the fleet manager, seeing the lock failed, queues another: the device is handed it with the wipe
        String relock = fleetManager
                .queueDeviceCommand(QueueDeviceCommandRequest.newBuilder()
                        .setImei(device)
                        .setCommand(CommandKind.COMMAND_KIND_LOCK)
                        .build())
                .getCommand()
                .getId();
        assertThat(upload(UploadReadingsRequest.newBuilder()))
                .extracting(DeviceCommand::getId)
                .containsExactly(wipe, relock);
        assertThat(upload(UploadReadingsRequest.newBuilder()
                        .addAcknowledgedCommandIds(wipe)
                        .addAcknowledgedCommandIds(relock)))
                .isEmpty();
        assertThat(List.of(command(wipe), command(relock)))
                .extracting(c -> shortName(c.getStatus()))
                .containsExactly("ACKNOWLEDGED", "ACKNOWLEDGED");
    }

    @Test
    void aResultWithoutAnOutcomeIsRefusedNamingItAndAnotherDevicesCommandIsLeftAlone() {
        DeviceCommand queued = queueUpdate(device, release);
        upload(UploadReadingsRequest.newBuilder());
        GrpcAssertions.assertStatus(
                () -> upload(UploadReadingsRequest.newBuilder()
                        .addCommandResults(CommandResult.newBuilder().setCommandId(queued.getId()))),
                Status.Code.INVALID_ARGUMENT,
                "command_results[0].outcome");
        GrpcAssertions.assertStatus(
                () -> upload(UploadReadingsRequest.newBuilder()
                        .addCommandResults(result("twelve", CommandOutcome.COMMAND_OUTCOME_INSTALLED, ""))),
                Status.Code.INVALID_ARGUMENT,
                "command_results[0].command_id");
        // another device cannot close this device's update
        inventory.add(imei(3), "Rugged X5", "GN-RBRE-GGD35");
        device(enrol(imei(3)))
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addCommandResults(result(queued.getId(), CommandOutcome.COMMAND_OUTCOME_FAILED, "not mine"))
                        .build());
        assertThat(shortName(command(queued.getId()).getStatus())).isEqualTo("DELIVERED");
    }
}
