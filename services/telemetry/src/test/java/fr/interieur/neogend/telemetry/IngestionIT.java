package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.ingestion.ReadingPartitions;
import fr.interieur.neogend.telemetry.v1.CommandKind;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.StreamReadingsRequest;
import fr.interieur.neogend.telemetry.v1.StreamReadingsResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.telemetry.v1.UploadReadingsResponse;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static fr.interieur.neogend.testkit.ProtoEnums.shortName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Enrolment, ingestion (exactly once, per-reading refusals, out of order), revocation and commands,
 * retention — on real PostgreSQL, with inventory stood in for by a gRPC server on a real port.
 */
@ServiceIT
class IngestionIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String KNOWN = imei(1);
    static final String OTHER = imei(2);

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ReadingPartitions partitions;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    FakeInventory inventory;
    TelemetryServiceBlockingStub fleetManager;

    static String imei(int n) {
        String body = String.format("35777701%06d", n);
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
                "position_access")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        inventory.add(KNOWN, "Rugged X5", "GN-RBRE-GGD35");
        inventory.add(OTHER, "Field Tab 10", "GN-RBRE-GGD35-CIE1");
    }

    @AfterEach
    void disconnect() {
        inventory.close();
    }

    /** A revoked device acknowledges every command it was handed: nothing is owed to it, its credential is dead. */
    static void acknowledgeAllThenFindItCutOff(TelemetryServiceBlockingStub device, UploadReadingsResponse handed) {
        var acknowledged = UploadReadingsRequest.newBuilder();
        handed.getCommandsList().forEach(c -> acknowledged.addAcknowledgedCommandIds(c.getId()));
        device.uploadReadings(acknowledged.build());
        assertThat(GrpcAssertions.failure(() -> device.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    TelemetryServiceBlockingStub device(String credential) {
        return TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential));
    }

    String enrol(String imei) {
        return fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(imei).build())
                .getCredential();
    }

    static Reading.Builder reading(long seq, Instant at) {
        return Reading.newBuilder()
                .setSequence(seq)
                .setRecordedAt(
                        Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setBatteryPercent(80)
                .setCharging(false)
                .setLatitude(48.11)
                .setLongitude(-1.68)
                .setAccuracyM(12)
                .setNetwork(NetworkType.NETWORK_TYPE_4G)
                .setSecurityPatchLevel("2026-11-05")
                .setRomBuild("neogend/aosp14/2026.11")
                .setKernelVersion("5.15.148")
                .setFreeStorageMb(20_000)
                .setAgentVersion("1.4.2");
    }

    long stored(String imei) {
        return jdbc.sql("select count(*) from reading where imei = ?")
                .param(imei)
                .query(Long.class)
                .single();
    }

    @Test
    void enrolmentIssuesOneCredentialPerDeviceStoredAsAHash() {
        String credential = enrol(KNOWN);
        assertThat(credential).matches("[0-9a-f]{24}\\.[A-Za-z0-9_-]{43}");
        assertThat(jdbc.sql("select count(*) from device_credential where secret_hash = convert_to(?, 'UTF8')")
                        .param(credential.substring(25))
                        .query(Long.class)
                        .single())
                .isZero();
        String again = enrol(KNOWN);
        assertThat(GrpcAssertions.failure(
                                () -> device(credential).uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(device(again)
                        .uploadReadings(UploadReadingsRequest.getDefaultInstance())
                        .getStored())
                .isZero();
        assertThat(GrpcAssertions.failure(() -> enrol(imei(99))).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(GrpcAssertions.failure(() -> clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub)
                                .enrollDevice(EnrollDeviceRequest.newBuilder()
                                        .setImei(KNOWN)
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        // a credential is for uploads only, and people cannot upload
        assertThat(GrpcAssertions.failure(() -> device(again)
                                .enrollDevice(EnrollDeviceRequest.newBuilder()
                                        .setImei(OTHER)
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> fleetManager.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(
                                () -> device("0123456789abcdef01234567.not-the-secret-at-all-not-the-secret-at-a")
                                        .uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aBatchIsStoredOnceBadReadingsAreRefusedOneByOneAndOrderDoesNotMatter() {
        var stub = device(enrol(KNOWN));
        Instant now = Instant.now();
        var batch = UploadReadingsRequest.newBuilder()
                .addReadings(reading(10, now.minusSeconds(90)))
                .addReadings(reading(11, now.minusSeconds(60)).setLatitude(95))
                .addReadings(reading(12, now.minusSeconds(30)))
                .addReadings(reading(13, now.plus(Duration.ofHours(2))))
                .addReadings(reading(14, now.minus(Duration.ofDays(31))))
                .addReadings(reading(15, now.minusSeconds(10)).clearLongitude())
                .addReadings(reading(16, now.minusSeconds(5)))
                .build();
        UploadReadingsResponse first = stub.uploadReadings(batch);
        assertThat(first.getStored()).isEqualTo(3);
        assertThat(first.getRejectedList())
                .extracting(r -> r.getIndex() + ":" + r.getReason().split(":")[0])
                .containsExactly("1:latitude", "3:recorded_at", "4:recorded_at", "5:latitude, longitude");
        UploadReadingsResponse again = stub.uploadReadings(batch);
        assertThat(again.getStored()).isZero();
        assertThat(again.getDuplicates()).isEqualTo(3);
        assertThat(stored(KNOWN)).isEqualTo(3);

        // an older batch arriving late is stored, the latest state stays the newest reading
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(5, now.minusSeconds(600)).setBatteryPercent(99))
                .build());
        assertThat(stored(KNOWN)).isEqualTo(4);
        assertThat(jdbc.sql("select sequence from device_state where imei = ?")
                        .param(KNOWN)
                        .query(Long.class)
                        .single())
                .isEqualTo(16);
        assertThat(jdbc.sql("select battery_percent from device_state where imei = ?")
                        .param(KNOWN)
                        .query(Integer.class)
                        .single())
                .isEqualTo(80);
    }

    @Test
    void aStolenDeviceGetsItsLockAndWipeOnItsNextUploadThenIsRefused() {
        String credential = enrol(KNOWN);
        var stub = device(credential);
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now()))
                .build());
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(UUID.randomUUID().toString())
                                .setKind(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN)
                                .setImei(KNOWN)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());

        UploadReadingsResponse next = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(2, Instant.now()))
                .build());
        assertThat(next.getStored()).isZero();
        assertThat(next.getRejected(0).getReason()).contains("revoked");
        assertThat(next.getCommandsList())
                .extracting(c -> shortName(c.getCommand()) + "/" + shortName(c.getStatus()))
                .containsExactly("LOCK/DELIVERED", "WIPE/DELIVERED");
        List<String> ids = next.getCommandsList().stream().map(c -> c.getId()).toList();
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(ids.get(0))
                .build());
        UploadReadingsResponse last = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(ids.get(1))
                .build());
        assertThat(last.getCommandsList()).isEmpty();
        assertThat(jdbc.sql("select count(*) from device_command where imei = ? and status = 'ACKNOWLEDGED'")
                        .param(KNOWN)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        // everything acknowledged: the revoked device is refused from now on, and cannot be enrolled again
        assertThat(GrpcAssertions.failure(() -> stub.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(GrpcAssertions.failure(() -> enrol(KNOWN)).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(stored(KNOWN)).isEqualTo(1);
    }

    void inventoryEvent(InventoryEventKind kind, String imei) {
        clients.as(TestTokens.service("inventory"), TelemetryServiceGrpc::newBlockingStub)
                .recordInventoryEvent(RecordInventoryEventRequest.newBuilder()
                        .setEvent(InventoryEvent.newBuilder()
                                .setEventId(UUID.randomUUID().toString())
                                .setKind(kind)
                                .setImei(imei)
                                .setTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond())))
                        .build());
    }

    Status.Code queue(String imei, String command) {
        try {
            fleetManager.queueDeviceCommand(fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                    .setImei(imei)
                    .setCommand(CommandKind.valueOf("COMMAND_KIND_" + command))
                    .build());
            return Status.Code.OK;
        } catch (io.grpc.StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription())
                    .as(command + " refused with a reason")
                    .isNotBlank();
            return e.getStatus().getCode();
        }
    }

    @Test
    void aReturnedOrExchangedDeviceNeverComesBackWhateverIsQueuedForIt() {
        for (var kind : List.of(
                InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED,
                InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED)) {
            String imei = kind == InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED ? KNOWN : OTHER;
            var stub = device(enrol(imei));
            assertThat(queue(imei, "LOCATE")).isEqualTo(Status.Code.OK); // queued while still in the field
            inventoryEvent(kind, imei);
            assertThat(GrpcAssertions.failure(() -> stub.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                            .getStatus()
                            .getCode())
                    .as(kind.name())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            for (String command : List.of("LOCK", "WIPE", "LOCATE")) {
                assertThat(queue(imei, command)).as(kind + " " + command).isEqualTo(Status.Code.FAILED_PRECONDITION);
            }
            // even a command that reached the table some other way opens nothing
            jdbc.sql("insert into device_command (imei, command, queued_at) values (?, 'LOCK', now())")
                    .param(imei)
                    .update();
            assertThat(GrpcAssertions.failure(() -> stub.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                            .getStatus()
                            .getCode())
                    .as(kind + " with a LOCK queued")
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void aLostDeviceFetchesItsLockAndNothingElseAndOnceStolenItsWipe() {
        var stub = device(enrol(KNOWN));
        assertThat(queue(KNOWN, "LOCATE")).isEqualTo(Status.Code.OK);
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST, KNOWN);
        assertThat(queue(KNOWN, "LOCATE")).isEqualTo(Status.Code.FAILED_PRECONDITION);
        UploadReadingsResponse lost = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now()))
                .build());
        assertThat(lost.getStored()).isZero();
        assertThat(lost.getCommandsList())
                .extracting(c -> shortName(c.getCommand()))
                .containsExactly("LOCK");
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(lost.getCommands(0).getId())
                .build());
        assertThat(GrpcAssertions.failure(() -> stub.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);

        // exchanged while lost: still out there, still lost; then found out stolen: the WIPE is queued
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED, KNOWN);
        assertThat(jdbc.sql("select reason from device_revocation where imei = ?")
                        .param(KNOWN)
                        .query(String.class)
                        .single())
                .isEqualTo("DEVICE_LOST");
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN, KNOWN);
        List<String> pending =
                stub.uploadReadings(UploadReadingsRequest.getDefaultInstance()).getCommandsList().stream()
                        .map(c -> shortName(c.getCommand()))
                        .toList();
        assertThat(pending).contains("WIPE").doesNotContain("LOCATE");
        assertThat(queue(KNOWN, "WIPE")).isEqualTo(Status.Code.OK); // a second wipe may be asked for

        // returned (or written off) while stolen: the wipes owed to it still reach it, then nothing does
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, KNOWN);
        UploadReadingsResponse owed = stub.uploadReadings(UploadReadingsRequest.getDefaultInstance());
        assertThat(owed.getCommandsList())
                .extracting(c -> shortName(c.getCommand()))
                .contains("WIPE")
                .doesNotContain("LOCATE");
        assertThat(queue(KNOWN, "LOCATE")).isEqualTo(Status.Code.FAILED_PRECONDITION);
        acknowledgeAllThenFindItCutOff(stub, owed);
    }

    @Test
    void aStolenDeviceWrittenOffBeforeItsNextContactIsStillLockedAndWiped() {
        var stub = device(enrol(KNOWN));
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN, KNOWN);
        // the manager writes it off at once (its pack stops being billed): the phone is still in a thief's hands
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, KNOWN);
        UploadReadingsResponse contact = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now()))
                .build());
        assertThat(contact.getStored()).isZero();
        assertThat(contact.getCommandsList())
                .extracting(c -> shortName(c.getCommand()))
                .containsExactlyInAnyOrder("LOCK", "WIPE");
        acknowledgeAllThenFindItCutOff(stub, contact);

        // a device returned from the field (never lost) keeps nothing: its credential is dead at once
        var other = device(enrol(OTHER));
        assertThat(queue(OTHER, "LOCK")).isEqualTo(Status.Code.OK);
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, OTHER);
        assertThat(GrpcAssertions.failure(() -> other.uploadReadings(UploadReadingsRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(queue(OTHER, "LOCK")).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    @Test
    void everyProblemOfAReadingIsNamedAndOnlyThatReadingIsRefused() {
        var stub = device(enrol(KNOWN));
        Instant now = Instant.now();
        UploadReadingsResponse answer = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, now.minusSeconds(30)))
                .addReadings(reading(2, now.minusSeconds(20))
                        .setSecurityPatchLevel("2026-02-30")
                        .setBatteryPercent(150)
                        .setRomBuild("rom\u0000build"))
                .addReadings(reading(3, now.minusSeconds(10)))
                .build());
        assertThat(answer.getStored()).isEqualTo(2);
        assertThat(answer.getRejectedCount()).isEqualTo(1);
        assertThat(answer.getRejected(0).getIndex()).isEqualTo(1);
        assertThat(answer.getRejected(0).getReason())
                .contains("security_patch_level")
                .contains("battery_percent")
                .contains("rom_build")
                .hasSizeLessThanOrEqualTo(500);
    }

    @Test
    void aReadingsTimeIsKeptToTheMicrosecondAsADriverTimestampWouldBeAndItsPatchLevelAsTheDay() {
        var stub = device(enrol(KNOWN));
        Instant second = Instant.now().minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // nanoseconds below, at and above half a microsecond, and one rounding into the next second
        List<Instant> times = List.of(
                second.plusNanos(123_456_499),
                second.plusNanos(123_457_500),
                second.plusNanos(5_000_001),
                second.minusSeconds(1).plusNanos(999_999_700));
        var batch = UploadReadingsRequest.newBuilder();
        for (int i = 0; i < times.size(); i++) {
            batch.addReadings(reading(100 + i, times.get(i)).setSecurityPatchLevel("2024-02-29"));
        }
        assertThat(stub.uploadReadings(batch.build()).getStored()).isEqualTo(4);
        for (int i = 0; i < times.size(); i++) {
            assertThat(jdbc.sql("select count(*) from reading where imei = ? and sequence = ? and recorded_at = ? "
                                    + "and patch_level = date '2024-02-29'")
                            .params(KNOWN, 100 + i, java.sql.Timestamp.from(times.get(i)))
                            .query(Long.class)
                            .single())
                    .as("reading %d at %s", i, times.get(i))
                    .isEqualTo(1);
        }
        assertThat(stub.uploadReadings(batch.build()).getDuplicates()).isEqualTo(4);
    }

    @Test
    void aDatabaseFailureIsUnavailableAndTheSameBatchSentAgainIsStored() {
        var stub = device(enrol(KNOWN));
        var batch = UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now().minusSeconds(5)))
                .build();
        jdbc.sql("alter table reading rename to reading_away").update();
        try {
            var failure =
                    GrpcAssertions.failure(() -> stub.uploadReadings(batch)).getStatus();
            assertThat(failure.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(failure.getDescription()).contains("again");
        } finally {
            jdbc.sql("alter table reading_away rename to reading").update();
        }
        assertThat(stub.uploadReadings(batch).getStored()).isEqualTo(1);
        assertThat(stored(KNOWN)).isEqualTo(1);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    org.springframework.core.env.Environment environment;

    /**
     * Group commit (issue 16): 24 devices upload at once from 16 callers, every batch twice, one device lost
     * among them. Each device has its own readings exactly once and the state of its own newest reading;
     * the lost one, written in the same statements as the others, stores nothing and gets its LOCK.
     */
    @Test
    void devicesUploadingAtOnceAreWrittenTogetherEachExactlyOnceWithItsOwnStateAndALostOneStoresNothing()
            throws Exception {
        int devices = 24;
        List<String> imeis = new ArrayList<>();
        List<TelemetryServiceBlockingStub> stubs = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String imei = imei(100 + d);
            inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35");
            imeis.add(imei);
            stubs.add(device(enrol(imei)));
        }
        String lost = imeis.get(7);
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST, lost);
        var groups = meters.get("neogend.telemetry.upload.group").summary();
        double groupsBefore = groups.count();
        Instant base =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(3600);
        List<Runnable> uploads = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            var stub = stubs.get(d);
            for (int b = 0; b < 6; b++) { // 6 batches of 15 readings per device, each batch sent twice
                var batch = UploadReadingsRequest.newBuilder();
                for (int i = 0; i < 15; i++) {
                    int seq = b * 15 + i;
                    batch.addReadings(reading(seq, base.plusSeconds(seq * 10L))
                            .setBatteryPercent((d + seq) % 100)
                            .setLatitude(40 + d / 100.0));
                }
                var request = batch.build();
                uploads.add(() -> stub.uploadReadings(request));
                uploads.add(() -> stub.uploadReadings(request));
            }
        }
        java.util.Collections.shuffle(uploads, new java.util.Random(21));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (Runnable u : uploads) {
                done.add(pool.submit(u));
            }
            for (var f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        for (int d = 0; d < devices; d++) {
            String imei = imeis.get(d);
            if (imei.equals(lost)) {
                assertThat(stored(imei)).as("the lost device").isZero();
                assertThat(jdbc.sql("select count(*) from device_state where imei = ?")
                                .param(imei)
                                .query(Long.class)
                                .single())
                        .isZero();
                continue;
            }
            assertThat(stored(imei)).as(imei).isEqualTo(90);
            var state = state(imei);
            assertThat(state.getReading().getSequence()).as(imei).isEqualTo(89);
            assertThat(state.getReading().getBatteryPercent()).isEqualTo((d + 89) % 100);
            assertThat(state.getReading().getLatitude()).isEqualTo(40 + d / 100.0);
        }
        assertThat(stubs.get(7)
                        .uploadReadings(UploadReadingsRequest.getDefaultInstance())
                        .getCommandsList())
                .extracting(c -> shortName(c.getCommand()))
                .containsExactly("LOCK");
        // the uploads were really written in groups: fewer statements than uploads, one of several devices
        // (IngestionTextArraysIT runs this test with each upload in its own transaction: no groups there)
        if (!"one".equals(environment.getProperty("neogend.telemetry.upload-transaction"))) {
            assertThat(groups.count() - groupsBefore).isLessThan(uploads.size());
            assertThat(groups.max()).isGreaterThan(1);
        }
    }

    /**
     * The credentials of devices calling at once are checked by one query (ADR 0022): each still gets its
     * own answer — a returned device and a wrong secret refused, a lost device with its LOCK let in.
     */
    @Test
    void credentialsCheckedTogetherAnswerEachDeviceByItsOwnCredential() throws Exception {
        int devices = 16;
        List<String> imeis = new ArrayList<>();
        List<String> credentials = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String imei = imei(300 + d);
            inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35");
            imeis.add(imei);
            credentials.add(enrol(imei));
        }
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED, imeis.get(3));
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST, imeis.get(4)); // its LOCK queued
        String good5 = credentials.get(5);
        credentials.set(5, good5.substring(0, good5.length() - 1) + (good5.endsWith("A") ? "B" : "A"));
        credentials.set(6, enrol(imeis.get(6)).replaceAll("\\..*", "") + "." + good5.replaceAll(".*\\.", ""));
        var groups = meters.get("neogend.telemetry.credential.group").summary();
        for (int round = 0; round < 5; round++) {
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(devices)) {
                List<java.util.concurrent.Future<Status.Code>> codes = new ArrayList<>();
                for (int d = 0; d < devices; d++) {
                    var stub = device(credentials.get(d));
                    codes.add(pool.submit(() -> {
                        try {
                            stub.uploadReadings(UploadReadingsRequest.getDefaultInstance());
                            return Status.Code.OK;
                        } catch (io.grpc.StatusRuntimeException e) {
                            return e.getStatus().getCode();
                        }
                    }));
                }
                for (int d = 0; d < devices; d++) {
                    assertThat(codes.get(d).get(30, TimeUnit.SECONDS))
                            .as("device %d, round %d", d, round)
                            .isEqualTo(d == 3 || d == 5 || d == 6 ? Status.Code.UNAUTHENTICATED : Status.Code.OK);
                }
            }
        }
        if (!"one".equals(environment.getProperty("neogend.telemetry.upload-transaction"))) {
            assertThat(groups.max())
                    .as("several credentials checked by one query")
                    .isGreaterThan(1);
        }
    }

    @Test
    void aFailedGroupStatementIsUnavailableForEveryDeviceInItAndEachResendIsStored() throws Exception {
        List<TelemetryServiceBlockingStub> stubs = new ArrayList<>();
        List<String> imeis = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            String imei = imei(200 + d);
            inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35");
            imeis.add(imei);
            stubs.add(device(enrol(imei)));
        }
        var batch = UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now().minusSeconds(5)))
                .addReadings(reading(2, Instant.now().minusSeconds(4)))
                .build();
        jdbc.sql("alter table reading rename to reading_away").update();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<Status.Code>> codes = new ArrayList<>();
            for (var stub : stubs) {
                codes.add(pool.submit(() -> GrpcAssertions.failure(() -> stub.uploadReadings(batch))
                        .getStatus()
                        .getCode()));
            }
            for (var c : codes) {
                assertThat(c.get(30, TimeUnit.SECONDS)).isEqualTo(Status.Code.UNAVAILABLE);
            }
        } finally {
            jdbc.sql("alter table reading_away rename to reading").update();
        }
        for (int d = 0; d < 8; d++) {
            assertThat(stored(imeis.get(d))).isZero();
            assertThat(stubs.get(d).uploadReadings(batch).getStored()).isEqualTo(2);
            assertThat(stored(imeis.get(d))).isEqualTo(2);
        }
    }

    fr.interieur.neogend.telemetry.v1.DeviceState state(String imei) {
        return fleetManager
                .getDeviceState(fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest.newBuilder()
                        .setImei(imei)
                        .build())
                .getState();
    }

    List<String> near(int maxAgeMinutes) {
        return fleetManager
                .findDevicesNear(fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                        .setLatitude(48.11)
                        .setLongitude(-1.68)
                        .setRadiusM(1000)
                        .setMaxAgeMinutes(maxAgeMinutes)
                        .build())
                .getStatesList()
                .stream()
                .map(st -> st.getImei())
                .toList();
    }

    @Test
    void anOldPositionIsNeverShownAsCurrentAndABatchEqualsTheSameReadingsOneByOne() {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // stored to the microsecond
        Reading fix = reading(1, now.minus(Duration.ofHours(3))).build();
        Reading noFix = reading(2, now.minusSeconds(60))
                .clearLatitude()
                .clearLongitude()
                .clearAccuracyM()
                .setSecurityPatchLevel("")
                .setRomBuild("")
                .setBatteryPercent(41)
                .build();
        Reading lateSoftware = reading(0, now.minus(Duration.ofHours(5)))
                .setSecurityPatchLevel("2025-01-05")
                .build();
        // one device sends the three in one batch, the other one by one, newest first
        device(enrol(KNOWN))
                .uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(noFix)
                        .addReadings(fix)
                        .addReadings(lateSoftware)
                        .build());
        var other = device(enrol(OTHER));
        for (Reading r : List.of(noFix, fix, lateSoftware)) {
            other.uploadReadings(
                    UploadReadingsRequest.newBuilder().addReadings(r).build());
        }
        var batch = state(KNOWN);
        var oneByOne = state(OTHER);
        assertThat(batch.getReading().getRecordedAt()).isEqualTo(noFix.getRecordedAt());
        assertThat(batch.getReading().getBatteryPercent()).isEqualTo(41);
        assertThat(batch.getReading().getLatitude()).isEqualTo(48.11);
        assertThat(batch.getPositionTime()).as("the position's own time").isEqualTo(fix.getRecordedAt());
        assertThat(batch.getSoftwareTime()).isEqualTo(fix.getRecordedAt());
        assertThat(batch.getReading().getSecurityPatchLevel()).isEqualTo("2026-11-05"); // not the older 2025 one
        assertThat(oneByOne.toBuilder().setImei(KNOWN).clearReceiveTime().build())
                .isEqualTo(batch.toBuilder().clearReceiveTime().build());
        // an hour's age filter does not show a three-hour-old fix; four hours do
        assertThat(near(60)).isEmpty();
        assertThat(near(240)).containsExactlyInAnyOrder(KNOWN, OTHER);
    }

    @Test
    void concurrentBatchesOfOneDeviceInAnyOrderLeaveTheStateOfTheNewestOfEachPart() throws Exception {
        Instant base =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(3600);
        List<Reading> all = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            var r = reading(i, base.plusSeconds(i * 10L)).setBatteryPercent(i % 100);
            if (i % 3 != 0) { // a third with a fix
                r.clearLatitude().clearLongitude().clearAccuracyM();
            } else {
                r.setLatitude(48 + i / 1000.0);
            }
            if (i % 5 != 0) { // a fifth tells its software
                r.setSecurityPatchLevel("").setRomBuild("").setKernelVersion("").setAgentVersion("");
            } else {
                r.setSecurityPatchLevel(String.format("2026-%02d-05", 1 + i / 10))
                        .setRomBuild("build-" + i);
            }
            all.add(r.build());
        }
        List<Reading> shuffled = new ArrayList<>(all);
        java.util.Collections.shuffle(shuffled, new java.util.Random(16));
        var stub = device(enrol(KNOWN));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int b = 0; b < 12; b++) { // 12 batches of 10, sent by 8 callers at once, each twice
                var batch = UploadReadingsRequest.newBuilder()
                        .addAllReadings(shuffled.subList(b * 10, b * 10 + 10))
                        .build();
                done.add(pool.submit(() -> stub.uploadReadings(batch)));
                done.add(pool.submit(() -> stub.uploadReadings(batch)));
            }
            for (var f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(stored(KNOWN)).isEqualTo(120);
        var state = state(KNOWN);
        Reading newest = all.get(119);
        Reading newestFix = all.get(117); // 117 is the last multiple of 3
        Reading newestSoftware = all.get(115); // 115 the last multiple of 5
        assertThat(state.getReading().getRecordedAt()).isEqualTo(newest.getRecordedAt());
        assertThat(state.getReading().getBatteryPercent()).isEqualTo(newest.getBatteryPercent());
        assertThat(state.getPositionTime()).isEqualTo(newestFix.getRecordedAt());
        assertThat(state.getReading().getLatitude()).isEqualTo(newestFix.getLatitude());
        assertThat(state.getSoftwareTime()).isEqualTo(newestSoftware.getRecordedAt());
        assertThat(state.getReading().getRomBuild()).isEqualTo("build-115");
        assertThat(state.getReading().getSecurityPatchLevel()).isEqualTo(newestSoftware.getSecurityPatchLevel());
    }

    @Test
    void positionsOlderThanTheRetentionDisappearFromTheLatestStateToo() {
        var stub = device(enrol(KNOWN));
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now().minusSeconds(30)))
                .build());
        jdbc.sql("update device_state set position_recorded_at = now() - interval '31 days' where imei = ?")
                .param(KNOWN)
                .update();
        assertThat(state(KNOWN).getReading().hasLatitude())
                .as("hidden before the clean-up runs")
                .isFalse();
        partitions.maintain();
        assertThat(jdbc.sql("select count(*) from device_state where latitude is not null or position_recorded_at "
                                + "is not null")
                        .query(Long.class)
                        .single())
                .isZero();
        var after = state(KNOWN);
        assertThat(after.hasPositionTime()).isFalse();
        assertThat(after.getReading().getBatteryPercent()).isEqualTo(80); // the rest of the state stays
    }

    @Test
    void theAuditNamesTheDevicesEachReadReturnedAndPagesAndFiltersByWhoWhatWhereAndWhen() {
        stateAt(KNOWN, 48.1100, -1.6800, Duration.ofMinutes(2));
        stateAt(OTHER, 48.1173, -1.6778, Duration.ofMinutes(5));
        Instant before = Instant.now().minusSeconds(1);
        fleetManager.findDevicesNear(fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                .setLatitude(48.11)
                .setLongitude(-1.68)
                .setRadiusM(2000)
                .build());
        state(KNOWN);
        clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub)
                .listUnitPositions(fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                        .setUnitCode("GN-RBRE")
                        .build());
        var auditor = clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub);
        java.util.function.Function<
                        fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest.Builder,
                        List<fr.interieur.neogend.telemetry.v1.PositionAccess>>
                audit = r -> auditor.listPositionAccesses(r.build()).getAccessesList();
        var request = fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest.newBuilder();

        var all = audit.apply(request.clone());
        assertThat(all)
                .extracting(a -> shortName(a.getKind()) + " " + a.getDeviceImeisList())
                .containsExactly(
                        "UNIT_MAP " + List.of(KNOWN, OTHER),
                        "DEVICE_STATE " + List.of(KNOWN),
                        "RADIUS " + List.of(KNOWN, OTHER));
        assertThat(all.get(0).getUnitCode()).isEqualTo("GN-RBRE");
        // who read OTHER's position: the radius search and the unit map, not the state of KNOWN
        assertThat(audit.apply(request.clone().setImei(OTHER)))
                .extracting(a -> shortName(a.getKind()))
                .containsExactly("UNIT_MAP", "RADIUS");
        assertThat(audit.apply(request.clone().setActor(all.get(0).getActor())))
                .extracting(a -> shortName(a.getKind()))
                .containsExactly("UNIT_MAP");
        assertThat(audit.apply(request.clone().setUnitCode("GN-RBRE"))).hasSize(1);
        assertThat(audit.apply(request.clone().setUnitCode("GN-RIDF"))).isEmpty();
        var later = Instant.now().plusSeconds(60);
        assertThat(audit.apply(
                        request.clone().setFromTime(Timestamp.newBuilder().setSeconds(later.getEpochSecond()))))
                .isEmpty();
        assertThat(audit.apply(request.clone()
                        .setFromTime(Timestamp.newBuilder().setSeconds(before.getEpochSecond()))
                        .setToTime(Timestamp.newBuilder().setSeconds(later.getEpochSecond()))))
                .hasSize(3);

        // one entry a page, newest first, nothing twice; a token is for its own filters only
        List<String> ids = new ArrayList<>();
        String token = "";
        do {
            var page = auditor.listPositionAccesses(
                    request.clone().setPageSize(1).setPageToken(token).build());
            page.getAccessesList().forEach(a -> ids.add(a.getId()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(ids)
                .containsExactlyElementsOf(all.stream().map(a -> a.getId()).toList());
        String first = auditor.listPositionAccesses(
                        request.clone().setPageSize(1).build())
                .getNextPageToken();
        assertThat(GrpcAssertions.failure(() -> auditor.listPositionAccesses(request.clone()
                                .setImei(KNOWN)
                                .setPageToken(first)
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcAssertions.failure(() -> auditor.listPositionAccesses(
                                request.clone().setImei("123").build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcAssertions.failure(() -> auditor.listPositionAccesses(request.clone()
                                .setFromTime(Timestamp.newBuilder().setSeconds(later.getEpochSecond()))
                                .setToTime(Timestamp.newBuilder().setSeconds(before.getEpochSecond()))
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        // reading the audit is no position read: it adds nothing to itself
        assertThat(audit.apply(request.clone())).hasSize(3);
    }

    /**
     * An auditor who is also a unit manager reads the audit as any of its reads: within its unit subtree (API
     * rules: "limited to its unit subtree for everything, reads included") — the reads of devices elsewhere, the
     * searches that found none of its devices and the maps of other units are not its to read.
     */
    @Test
    void anAuditorWhoIsAlsoAUnitManagerReadsTheAuditOfItsSubtreeOnly() {
        String paris = imei(3);
        inventory.add(paris, "Rugged X5", "GN-RIDF-GGD75");
        stateAt(KNOWN, 48.1100, -1.6800, Duration.ofMinutes(2));
        stateAt(paris, 48.8566, 2.3522, Duration.ofMinutes(2));
        state(KNOWN);
        state(paris);
        fleetManager.findDevicesNear(fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                .setLatitude(48.8566)
                .setLongitude(2.3522)
                .setRadiusM(1000)
                .build());
        fleetManager.listUnitPositions(fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                .setUnitCode("GN-RIDF")
                .build());
        fleetManager.listUnitPositions(fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                .setUnitCode("GN-RBRE-GGD35")
                .build());
        var request = fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest.newBuilder();
        assertThat(clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub)
                        .listPositionAccesses(request.build())
                        .getAccessesList())
                .as("a fleet-wide auditor reads every entry")
                .hasSize(5);

        var rennes = clients.as(
                TestTokens.userWithRoles("audit-rbre", List.of("auditor", "unit-manager"), "GN-RBRE"),
                TelemetryServiceGrpc::newBlockingStub);
        assertThat(rennes.listPositionAccesses(request.build()).getAccessesList())
                .extracting(a ->
                        shortName(a.getKind()) + " " + a.getUnitCode() + a.getImei() + " " + a.getDeviceImeisList())
                .containsExactly(
                        "UNIT_MAP GN-RBRE-GGD35 " + List.of(KNOWN), "DEVICE_STATE " + KNOWN + " " + List.of(KNOWN));
        assertThat(rennes.listPositionAccesses(request.clone().setImei(paris).build())
                        .getAccessesList())
                .as("who read a device outside its subtree")
                .isEmpty();
    }

    @Test
    void theAuditPagesAHundredEntriesByDefaultAsItsRequestAndTheApiDocSay() {
        stateAt(KNOWN, 48.1100, -1.6800, Duration.ofMinutes(2));
        for (int i = 0; i < 101; i++) {
            state(KNOWN);
        }
        var auditor = clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub);
        var request = fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest.newBuilder();
        var first = auditor.listPositionAccesses(request.build());
        assertThat(first.getAccessesCount()).as("page_size unset: 100").isEqualTo(100);
        assertThat(first.getNextPageToken()).isNotEmpty();
        var second = auditor.listPositionAccesses(
                request.clone().setPageToken(first.getNextPageToken()).build());
        assertThat(second.getAccessesCount()).isEqualTo(1);
        assertThat(second.getNextPageToken()).isEmpty();
        assertThat(auditor.listPositionAccesses(request.clone().setPageSize(0).build())
                        .getAccessesCount())
                .as("page_size 0: the default")
                .isEqualTo(100);
        assertThat(auditor.listPositionAccesses(request.clone().setPageSize(50).build())
                        .getAccessesCount())
                .isEqualTo(50);
    }

    /** A device's readings stream; answers, the error or "done" arrive in {@code answers}. */
    StreamObserver<StreamReadingsRequest> stream(String credential, LinkedBlockingQueue<Object> answers) {
        return TelemetryServiceGrpc.newStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential))
                .streamReadings(new StreamObserver<>() {
                    @Override
                    public void onNext(StreamReadingsResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answers.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        answers.add("done");
                    }
                });
    }

    @Test
    void theStreamAnswersEveryBatchInOrder() throws Exception {
        String credential = enrol(OTHER);
        var answers = new LinkedBlockingQueue<Object>();
        var requests = stream(credential, answers);
        Instant base = Instant.now().minusSeconds(3600);
        List<Integer> storedPerBatch = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            var batch = StreamReadingsRequest.newBuilder();
            for (int i = 0; i < 40; i++) {
                batch.addReadings(reading(b * 40L + i, base.plusSeconds(b * 40L + i)));
            }
            requests.onNext(batch.build());
            requests.onNext(batch.build()); // each batch twice: the second stores nothing
        }
        requests.onCompleted();
        for (int i = 0; i < 10; i++) {
            Object answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).isInstanceOf(StreamReadingsResponse.class);
            storedPerBatch.add(((StreamReadingsResponse) answer).getStored());
        }
        assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(storedPerBatch).containsExactly(40, 0, 40, 0, 40, 0, 40, 0, 40, 0);
        assertThat(stored(OTHER)).isEqualTo(200);
    }

    @Test
    void aBatchRefusedWholeOnTheStreamIsInvalidArgumentNamingTheField() throws Exception {
        String credential = enrol(OTHER);
        var answers = new LinkedBlockingQueue<Object>();
        var requests = stream(credential, answers);
        var tooMany = StreamReadingsRequest.newBuilder();
        Instant base = Instant.now().minusSeconds(7200);
        for (int i = 0; i < 1001; i++) {
            tooMany.addReadings(reading(i, base.plusSeconds(i)));
        }
        requests.onNext(tooMany.build());
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        assertThat(answer).isInstanceOf(io.grpc.StatusRuntimeException.class);
        Status status = ((io.grpc.StatusRuntimeException) answer).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("readings").contains("1000");
        assertThat(stored(OTHER)).isZero();
    }

    void stateAt(String imei, double lat, double lon, Duration silentFor) {
        jdbc.sql("""
                insert into device_state (imei, recorded_at, sequence, received_at, battery_percent, charging, latitude,
                                          longitude, network, position_recorded_at, position_sequence)
                values (?, now() - ?::interval, 1, now() - ?::interval, 60, false, ?, ?, '4G', now() - ?::interval, 1)""")
                .params(
                        imei,
                        silentFor.toSeconds() + " seconds",
                        silentFor.toSeconds() + " seconds",
                        lat,
                        lon,
                        silentFor.toSeconds() + " seconds")
                .update();
    }

    @Test
    void positionsAreForAuthorisedRolesAndEveryReadIsAudited() {
        stateAt(KNOWN, 48.1100, -1.6800, Duration.ofMinutes(2)); // Rennes, place de la Mairie
        stateAt(OTHER, 48.1173, -1.6778, Duration.ofMinutes(5)); // 830 m north
        stateAt(imei(3), 48.3904, -1.4500, Duration.ofMinutes(1)); // 35 km away
        stateAt(imei(4), 48.1105, -1.6790, Duration.ofHours(30)); // nearby but silent for 30 h

        var near = fleetManager
                .findDevicesNear(fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                        .setLatitude(48.1100)
                        .setLongitude(-1.6800)
                        .setRadiusM(2000)
                        .build())
                .getStatesList();
        assertThat(near).extracting(st -> st.getImei()).containsExactly(KNOWN, OTHER);
        var state = fleetManager
                .getDeviceState(fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest.newBuilder()
                        .setImei(KNOWN)
                        .build())
                .getState();
        assertThat(state.getReading().getLatitude()).isEqualTo(48.11);
        // a device inventory does not show a unit manager: not found, and nothing read
        var unitManager = clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        assertThat(GrpcAssertions.failure(() -> unitManager.getDeviceState(
                                fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest.newBuilder()
                                        .setImei(imei(3))
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);

        for (String token :
                List.of(TestTokens.technician("GN"), TestTokens.auditor(), TestTokens.supplier("SUP-DEMO"))) {
            var other = clients.as(token, TelemetryServiceGrpc::newBlockingStub);
            assertThat(GrpcAssertions.failure(() -> other.findDevicesNear(
                                    fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                                            .setLatitude(48.11)
                                            .setLongitude(-1.68)
                                            .setRadiusM(500)
                                            .build()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(GrpcAssertions.failure(() -> other.getDeviceState(
                                    fr.interieur.neogend.telemetry.v1.GetDeviceStateRequest.newBuilder()
                                            .setImei(KNOWN)
                                            .build()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        assertThat(GrpcAssertions.failure(() -> fleetManager.findDevicesNear(
                                fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                                        .setLatitude(95)
                                        .setLongitude(0)
                                        .setRadiusM(10)
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        var audit = clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub)
                .listPositionAccesses(
                        fr.interieur.neogend.telemetry.v1.ListPositionAccessesRequest.getDefaultInstance())
                .getAccessesList();
        assertThat(audit)
                .extracting(a -> a.getActor() + " " + shortName(a.getKind()) + " " + a.getResultCount())
                .containsExactly("fleet.manager DEVICE_STATE 1", "fleet.manager RADIUS 2");
        assertThat(audit.get(1).getRadiusM()).isEqualTo(2000);
        assertThat(audit.get(1).getLatitude()).isEqualTo(48.11);
    }

    @Test
    void peopleQueueCommandsTheDeviceReceivesAndAcknowledges() {
        var stub = device(enrol(KNOWN));
        var unitManager = clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        var locate = unitManager
                .queueDeviceCommand(fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                        .setImei(KNOWN)
                        .setCommand(CommandKind.COMMAND_KIND_LOCATE)
                        .build())
                .getCommand();
        assertThat(shortName(locate.getStatus())).isEqualTo("QUEUED");
        assertThat(GrpcAssertions.failure(() -> unitManager.queueDeviceCommand(
                                fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                                        .setImei(KNOWN)
                                        .setCommand(CommandKind.COMMAND_KIND_WIPE)
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> fleetManager.queueDeviceCommand(
                                fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                                        .setImei(KNOWN)
                                        .setCommand(CommandKind.COMMAND_KIND_UNSPECIFIED)
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        var delivered = stub.uploadReadings(UploadReadingsRequest.newBuilder()
                        .addReadings(reading(1, Instant.now()))
                        .build())
                .getCommandsList();
        assertThat(delivered)
                .extracting(c -> c.getId() + shortName(c.getCommand()))
                .containsExactly(locate.getId() + "LOCATE");
        // not acknowledged: handed again with the next batch of readings (asked for only when some wait)
        assertThat(stub.uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(reading(2, Instant.now()))
                                .build())
                        .getCommandsList())
                .extracting(c -> c.getId() + shortName(c.getStatus()))
                .containsExactly(locate.getId() + "DELIVERED");
        stub.uploadReadings(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(locate.getId())
                .build());
        assertThat(stub.uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(reading(3, Instant.now()))
                                .build())
                        .getCommandsList())
                .isEmpty();
        assertThat(fleetManager
                        .listDeviceCommands(fr.interieur.neogend.telemetry.v1.ListDeviceCommandsRequest.newBuilder()
                                .setImei(KNOWN)
                                .build())
                        .getCommandsList())
                .extracting(c -> shortName(c.getStatus()))
                .containsExactly("ACKNOWLEDGED");
    }

    /**
     * Rule 21: a command is acknowledged by its own device, once. Another device naming its id — in its
     * acknowledgements or its results — changes nothing: the LOCK is still handed to its device; acknowledged
     * twice, it keeps its first acknowledgement's time; an id of no command is ignored, never an error.
     */
    @Test
    void aCommandIsAcknowledgedByItsOwnDeviceOnlyAndOnlyOnce() {
        var a = device(enrol(KNOWN));
        var b = device(enrol(OTHER));
        var lock = fleetManager
                .queueDeviceCommand(fr.interieur.neogend.telemetry.v1.QueueDeviceCommandRequest.newBuilder()
                        .setImei(KNOWN)
                        .setCommand(CommandKind.COMMAND_KIND_LOCK)
                        .build())
                .getCommand();
        var toB = b.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, Instant.now()))
                .addAcknowledgedCommandIds(lock.getId())
                .addCommandResults(fr.interieur.neogend.telemetry.v1.CommandResult.newBuilder()
                        .setCommandId(lock.getId())
                        .setOutcome(fr.interieur.neogend.telemetry.v1.CommandOutcome.COMMAND_OUTCOME_FAILED)
                        .setReason("not mine"))
                .build());
        assertThat(toB.getCommandsList()).isEmpty();
        assertThat(commandStatuses(KNOWN)).containsExactly("QUEUED");
        assertThat(a.uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(reading(1, Instant.now()))
                                .build())
                        .getCommandsList())
                .extracting(c -> c.getId() + shortName(c.getCommand()))
                .containsExactly(lock.getId() + "LOCK");
        a.uploadReadings(UploadReadingsRequest.newBuilder()
                .addAcknowledgedCommandIds(lock.getId())
                .addAcknowledgedCommandIds("987654321")
                .build());
        java.sql.Timestamp first = jdbc.sql("select acknowledged_at from device_command where id = ?")
                .param(Long.parseLong(lock.getId()))
                .query(java.sql.Timestamp.class)
                .single();
        assertThat(first).isNotNull();
        a.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(2, Instant.now()))
                .addAcknowledgedCommandIds(lock.getId())
                .build());
        assertThat(commandStatuses(KNOWN)).containsExactly("ACKNOWLEDGED");
        assertThat(jdbc.sql("select acknowledged_at from device_command where id = ?")
                        .param(Long.parseLong(lock.getId()))
                        .query(java.sql.Timestamp.class)
                        .single())
                .isEqualTo(first);
        assertThat(commandStatuses(OTHER)).isEmpty();
    }

    List<String> commandStatuses(String imei) {
        return fleetManager
                .listDeviceCommands(fr.interieur.neogend.telemetry.v1.ListDeviceCommandsRequest.newBuilder()
                        .setImei(imei)
                        .build())
                .getCommandsList()
                .stream()
                .map(c -> shortName(c.getStatus()))
                .toList();
    }

    @Test
    void batteryHealthCountsBandsAndListsLowDevicesNotCharging() {
        stateAt(KNOWN, 48.1, -1.6, Duration.ofMinutes(1));
        jdbc.sql("update device_state set battery_percent = 9 where imei = ?")
                .param(KNOWN)
                .update();
        stateAt(OTHER, 48.1, -1.6, Duration.ofMinutes(1));
        stateAt(imei(5), 48.1, -1.6, Duration.ofMinutes(1));
        stateAt(imei(6), 48.1, -1.6, Duration.ofMinutes(1)); // not in inventory (returned): not counted
        inventory.add(imei(5), "Rugged X5", "GN-RIDF-GGD75");
        jdbc.sql("update device_state set battery_percent = 5, charging = true where imei = ?")
                .param(imei(5))
                .update();
        var health = clients.as(TestTokens.auditor(), TelemetryServiceGrpc::newBlockingStub)
                .getBatteryHealth(fr.interieur.neogend.telemetry.v1.GetBatteryHealthRequest.getDefaultInstance());
        assertThat(health.getBandsList())
                .extracting(b -> b.getBand() + "=" + b.getCount())
                .containsExactly("0-19=2", "20-39=0", "40-59=0", "60-79=1", "80-100=0");
        assertThat(health.getLowImeisList()).containsExactly(KNOWN);
        assertThat(health.getLowTotal()).isEqualTo(1);
    }

    @Test
    void aUnitMapAndUnitComplianceComeFromTheSubtreeInventoryGives() {
        stateAt(KNOWN, 48.11, -1.68, Duration.ofMinutes(3));
        stateAt(OTHER, 48.12, -1.69, Duration.ofMinutes(4));
        jdbc.sql("update device_state set patch_level = '2026-09-05' where imei = ?")
                .param(KNOWN)
                .update();
        jdbc.sql("delete from rom_release").update();
        jdbc.sql("""
                insert into rom_release (id, supplier_id, model, build_fingerprint, patch_level, kernel_source_sha256,
                                         kernel_config, bulletin_date, published_at, approved_at, approved_by)
                values ('ROM-900001', 'SUP-DEMO', 'Rugged X5', 'neogend/x5/2026.11', '2026-11-05', ?, 'CONFIG_X=y',
                        '2026-11-01', now(), now(), 'fleet.manager')""").param("b".repeat(64)).update();
        var manager = clients.as(TestTokens.unitManager("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        var map = manager.listUnitPositions(fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                .setUnitCode("GN-RBRE")
                .build());
        assertThat(map.getDevicesInUnit()).isEqualTo(2);
        assertThat(map.getStatesList()).extracting(st -> st.getImei()).containsExactly(KNOWN, OTHER);
        assertThat(GrpcAssertions.failure(() -> manager.listUnitPositions(
                                fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                                        .setUnitCode("GN-RIDF")
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> clients.as(
                                        TestTokens.technician("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub)
                                .listUnitPositions(
                                        fr.interieur.neogend.telemetry.v1.ListUnitPositionsRequest.newBuilder()
                                                .setUnitCode("GN-RBRE")
                                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(jdbc.sql("select kind || ' ' || unit_code || ' ' || result_count from position_access")
                        .query(String.class)
                        .list())
                .containsExactly("UNIT_MAP GN-RBRE 2");

        var compliance = manager.getUnitCompliance(
                        fr.interieur.neogend.telemetry.v1.GetUnitComplianceRequest.newBuilder()
                                .setUnitCode("GN-RBRE")
                                .build())
                .getLinesList();
        assertThat(compliance)
                .extracting(l -> l.getUnitCode() + " " + l.getModel() + " " + l.getDevices() + "/"
                        + l.getReporting() + "/" + l.getNonCompliant() + " gap " + l.getMaxGapDays() + " "
                        + l.getApprovedPatchLevel())
                .containsExactly(
                        "GN-RBRE-GGD35 Rugged X5 1/1/1 gap 61 2026-11-05",
                        "GN-RBRE-GGD35-CIE1 Field Tab 10 1/1/0 gap 0 ");
        assertThat(compliance.get(0).getNonCompliantImeisList()).containsExactly(KNOWN);
        assertThat(compliance.get(1).getNonCompliantImeisList()).isEmpty();
    }

    @Test
    void retentionDeletesExactlyWhatIsOlderThanThePeriod() {
        partitions.maintain();
        Instant now = Instant.now();
        for (Duration age : List.of(
                Duration.ofDays(29),
                Duration.ofDays(30).minusMinutes(5),
                Duration.ofDays(30).plusMinutes(5),
                Duration.ofDays(31),
                Duration.ofDays(45))) {
            jdbc.sql("""
                    insert into reading (imei, recorded_at, sequence, received_at, battery_percent, charging, network)
                    values (?, ?, ?, now(), 50, false, '4G')""")
                    .params(KNOWN, java.sql.Timestamp.from(now.minus(age)), age.toMinutes())
                    .update();
        }
        List<String> dropped = partitions.maintain();
        assertThat(jdbc.sql("select sequence from reading where imei = ? order by sequence")
                        .param(KNOWN)
                        .query(Long.class)
                        .list())
                .containsExactly(
                        Duration.ofDays(29).toMinutes(),
                        Duration.ofDays(30).minusMinutes(5).toMinutes());
        assertThat(dropped).isEmpty(); // the old days had no partition of their own: the default one was trimmed
    }

    /**
     * A reading is its device, time and sequence: sent again with other values it is a duplicate, and the
     * copy must move nothing — not the history (the first one is kept) and not the latest state either,
     * whose position and software would otherwise come from a reading that was never stored.
     */
    @Test
    void aReadingSentAgainWithOtherValuesChangesNeitherItsHistoryNorTheLatestState() {
        Instant at =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(600);
        Reading first = reading(7, at)
                .clearLatitude()
                .clearLongitude()
                .clearAccuracyM()
                .setSecurityPatchLevel("")
                .setRomBuild("")
                .setKernelVersion("")
                .setAgentVersion("")
                .setBatteryPercent(50)
                .build();
        // the same reading (same time, same sequence) with a fix far away and software it never told
        Reading copy = reading(7, at)
                .setLatitude(43.60)
                .setLongitude(1.44)
                .setSecurityPatchLevel("2024-01-05")
                .setRomBuild("forged/build")
                .setBatteryPercent(5)
                .build();
        // a new, older reading with a fix, sent in the same batch as the copy
        Reading olderFix =
                reading(6, at.minusSeconds(300)).setBatteryPercent(60).build();
        var twice = device(enrol(KNOWN));
        assertThat(twice.uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(first)
                                .build())
                        .getStored())
                .isEqualTo(1);
        var again = twice.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(copy)
                .addReadings(olderFix)
                .build());
        assertThat(again.getStored()).isEqualTo(1);
        assertThat(again.getDuplicates()).isEqualTo(1);
        // the other device is sent the same readings, but the copy never
        var once = device(enrol(OTHER));
        once.uploadReadings(
                UploadReadingsRequest.newBuilder().addReadings(first).build());
        once.uploadReadings(
                UploadReadingsRequest.newBuilder().addReadings(olderFix).build());

        var history = fleetManager
                .listDeviceReadings(fr.interieur.neogend.telemetry.v1.ListDeviceReadingsRequest.newBuilder()
                        .setImei(KNOWN)
                        .setSince(Timestamp.newBuilder().setSeconds(at.getEpochSecond() - 3600))
                        .build())
                .getReadingsList();
        assertThat(history).extracting(Reading::getSequence).containsExactly(7L, 6L);
        assertThat(history.get(0).hasLatitude())
                .as("the first copy is the one kept")
                .isFalse();
        assertThat(history.get(0).getBatteryPercent()).isEqualTo(50);

        var state = state(KNOWN);
        assertThat(state.getReading().getLatitude())
                .as("the position of a reading stored, not of the copy refused as a duplicate")
                .isEqualTo(olderFix.getLatitude());
        assertThat(state.getPositionTime()).isEqualTo(olderFix.getRecordedAt());
        assertThat(state.getReading().getRomBuild()).isNotEqualTo("forged/build");
        assertThat(state.toBuilder().setImei(OTHER).clearReceiveTime().build())
                .as("the state of a device sent the reading once")
                .isEqualTo(state(OTHER).toBuilder().clearReceiveTime().build());
        assertThat(fleetManager
                        .findDevicesNear(fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest.newBuilder()
                                .setLatitude(43.60)
                                .setLongitude(1.44)
                                .setRadiusM(1000)
                                .setMaxAgeMinutes(60)
                                .build())
                        .getStatesList())
                .as("nobody is where only the refused copy said")
                .isEmpty();
        // a batch of duplicates only moves nothing either, but the device was heard of
        var heard = twice.uploadReadings(
                UploadReadingsRequest.newBuilder().addReadings(copy).build());
        assertThat(heard.getDuplicates()).isEqualTo(1);
        var after = state(KNOWN);
        assertThat(com.google.protobuf.util.Timestamps.compare(after.getReceiveTime(), state.getReceiveTime()))
                .as("received later")
                .isPositive();
        assertThat(after.toBuilder().clearReceiveTime().build())
                .isEqualTo(state.toBuilder().clearReceiveTime().build());
    }

    /**
     * Inventory's word on a device is checked at enrolment (rule 11): one it has declared lost or stolen, or
     * returned, is not handed a credential — also while the event that tells telemetry so is still on its way
     * (inventory's outbox waits while telemetry is unreachable, and parks an event refused for good).
     */
    @Test
    void aDeviceInventoryHasDeclaredLostStolenOrReturnedIsNotEnrolledBeforeItsEventArrives() {
        for (String state : List.of("LOST", "STOLEN", "RETURNED")) {
            String imei = imei(state.length() * 10);
            inventory.add(imei, "Rugged X5", "GN-RBRE-GGD35", state);
            var refused = GrpcAssertions.failure(() -> enrol(imei)).getStatus();
            assertThat(refused.getCode()).as(state).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(refused.getDescription()).as(state).contains(imei);
            assertThat(jdbc.sql("select count(*) from device_credential where imei = ?")
                            .param(imei)
                            .query(Long.class)
                            .single())
                    .as(state + ": no credential issued")
                    .isZero();
        }
        // in service, the same model in the same unit: enrolled
        inventory.add(imei(3), "Rugged X5", "GN-RBRE-GGD35", "IN_STOCK");
        assertThat(device(enrol(imei(3)))
                        .uploadReadings(UploadReadingsRequest.newBuilder()
                                .addReadings(reading(1, Instant.now()))
                                .build())
                        .getStored())
                .isEqualTo(1);
    }

    /**
     * A technician enrolling a device outside its reach learns nothing of it — not that it exists, nor that it was
     * declared stolen or returned: the same 404 as for a device inventory does not know (units and devices outside
     * the reach are 404, docs/api.md).
     */
    @Test
    void aTechnicianLearnsNothingOfADeviceOutsideItsReachByEnrollingIt() {
        String paris = imei(3);
        String stolen = imei(4);
        inventory.add(paris, "Rugged X5", "GN-RIDF-GGD75");
        inventory.add(stolen, "Rugged X5", "GN-RIDF-GGD75");
        inventoryEvent(InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN, stolen);
        var rennes = clients.as(TestTokens.technician("GN-RBRE"), TelemetryServiceGrpc::newBlockingStub);
        for (String imei : List.of(paris, stolen, imei(5))) { // in service elsewhere, stolen elsewhere, unknown
            var refused = GrpcAssertions.failure(() -> rennes.enrollDevice(
                            EnrollDeviceRequest.newBuilder().setImei(imei).build()))
                    .getStatus();
            assertThat(refused.getCode().name() + " " + refused.getDescription().replace(imei, "<imei>"))
                    .as(imei)
                    .isEqualTo("NOT_FOUND no device with IMEI <imei> in inventory");
        }
    }

    /**
     * A command is judged by inventory's word too: a device inventory has just declared lost is not queued a
     * LOCATE (it would be handed LOCK and WIPE only, so the LOCATE would wait for ever), nor is a returned one
     * queued anything — also while the event that tells telemetry so is still on its way.
     */
    @Test
    void aCommandIsRefusedByInventorysWordWhileTheDevicesEventIsOnItsWay() {
        enrol(KNOWN);
        enrol(OTHER);
        inventory.add(KNOWN, "Rugged X5", "GN-RBRE-GGD35", "LOST"); // declared lost: its event not yet here
        inventory.add(OTHER, "Field Tab 10", "GN-RBRE-GGD35-CIE1", "RETURNED");
        assertThat(queue(KNOWN, "LOCATE")).as("LOCATE to a lost device").isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(queue(KNOWN, "LOCK")).as("LOCK to a lost device").isEqualTo(Status.Code.OK);
        for (String command : List.of("LOCK", "WIPE", "LOCATE")) {
            assertThat(queue(OTHER, command))
                    .as(command + " to a returned device")
                    .isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
        assertThat(jdbc.sql("select command from device_command where imei in (?, ?) order by id")
                        .params(KNOWN, OTHER)
                        .query(String.class)
                        .list())
                .containsExactly("LOCK");
    }
}
