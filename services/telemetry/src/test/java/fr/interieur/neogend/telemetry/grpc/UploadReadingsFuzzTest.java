package fr.interieur.neogend.telemetry.grpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Timestamp;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.telemetry.ingestion.IngestionService;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile reading batches through what UploadReadings and StreamReadings run: the proto → domain
 * mapping ({@link TelemetryMessages#readings}) and {@link IngestionService#ingest}, over an
 * in-memory {@link ReadingStore} that records every write (the JDBC store is covered on PostgreSQL
 * by {@code IngestionIT}). A batch is either judged reading by reading — every reading stored,
 * counted as a duplicate or rejected with a reason, and only sound readings reach the store — or
 * refused as a whole with {@link InvalidArgumentException}, in which case nothing was written.
 * Never another exception. Regression mode replays {@code …/UploadReadingsFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class UploadReadingsFuzzTest {

    private static final Instant NOW = Instant.parse("2026-06-15T10:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);

    @FuzzTest(maxDuration = "60s")
    void anyBatchIsJudgedReadingByReadingOrRefusedWhole(FuzzedDataProvider data) {
        UploadReadingsRequest.Builder request = UploadReadingsRequest.newBuilder();
        int count = data.consumeBoolean() ? data.consumeInt(0, 12) : data.consumeInt(0, 1_005);
        for (int i = 0; i < count; i++) {
            request.addReadings(reading(data));
        }
        int acks = data.consumeInt(0, 3);
        for (int i = 0; i < acks; i++) {
            request.addAcknowledgedCommandIds(
                    data.consumeBoolean() ? Long.toString(data.consumeLong()) : data.consumeString(12));
        }
        RecordingStore store = new RecordingStore(data.consumeBoolean() && data.consumeBoolean());
        IngestionService ingestion = new IngestionService(
                store,
                Optional.of(Clock.fixed(NOW, ZoneOffset.UTC)),
                RETENTION,
                FUTURE_TOLERANCE,
                "per-statement",
                2,
                5000,
                null,
                credential -> Optional.empty(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                Optional.empty());
        UploadReadingsRequest batch = request.build();
        try {
            Upload upload = ingestion.ingest(
                    "490154203237518",
                    TelemetryMessages.readings(batch.getReadingsList()),
                    batch.getAcknowledgedCommandIdsList());
            assertThat(upload.stored() + upload.duplicates() + upload.rejected().size())
                    .isEqualTo(batch.getReadingsCount());
            assertThat(new HashSet<>(upload.rejected().stream()
                            .map(Upload.Rejected::index)
                            .toList()))
                    .hasSize(upload.rejected().size())
                    .allSatisfy(i -> assertThat(i).isBetween(0, batch.getReadingsCount() - 1));
            upload.rejected().forEach(r -> assertThat(r.reason()).isNotBlank());
            store.inserted.forEach(UploadReadingsFuzzTest::assertSound);
            if (store.revoked) {
                assertThat(store.inserted).isEmpty();
                assertThat(upload.rejected())
                        .as("every reading of a revoked device is refused")
                        .hasSize(batch.getReadingsCount())
                        .allSatisfy(r -> assertThat(r.reason()).contains("revoked"));
            }
        } catch (InvalidArgumentException e) {
            assertThat(e.violations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.field()).isIn("readings", "acknowledged_command_ids"));
            assertThat(store.writes)
                    .as("nothing is written for a refused batch")
                    .isZero();
        }
    }

    private static Reading reading(FuzzedDataProvider data) {
        Reading.Builder r =
                Reading.newBuilder().setSequence(data.consumeBoolean() ? data.consumeLong(0, 50) : data.consumeLong());
        if (data.consumeBoolean()) {
            r.setRecordedAt(
                    data.consumeBoolean()
                            ? Timestamp.newBuilder()
                                    .setSeconds(NOW.getEpochSecond() - data.consumeLong(-600, 3_000_000))
                                    .setNanos(data.consumeInt(0, 999_999_999))
                            : Timestamp.newBuilder()
                                    .setSeconds(data.consumeLong())
                                    .setNanos(data.consumeInt()));
        }
        r.setBatteryPercent(data.consumeBoolean() ? data.consumeInt(0, 100) : data.consumeInt())
                .setCharging(data.consumeBoolean())
                .setNetworkValue(data.consumeInt(-1, NetworkType.values().length + 1));
        if (data.consumeBoolean()) {
            r.setLatitude(data.consumeBoolean() ? data.consumeRegularDouble(-90, 90) : data.consumeDouble());
        }
        if (data.consumeBoolean()) {
            r.setLongitude(data.consumeBoolean() ? data.consumeRegularDouble(-180, 180) : data.consumeDouble());
        }
        if (data.consumeBoolean()) {
            r.setAccuracyM(data.consumeFloat());
        }
        return r.setSecurityPatchLevel(data.consumeBoolean() ? "2026-05-01" : data.consumeString(12))
                .setRomBuild(data.consumeString(30))
                .setKernelVersion(data.consumeString(30))
                .setAgentVersion(data.consumeString(45))
                .setFreeStorageMb(data.consumeBoolean() ? data.consumeLong(0, 64_000) : data.consumeLong())
                .build();
    }

    /** What the store may receive: a reading that passed every rule of DOMAIN rule 18. */
    private static void assertSound(ReadingIn r) {
        assertThat(r.sequence()).isNotNegative();
        assertThat(r.recordedAt()).isBetween(NOW.minus(RETENTION), NOW.plus(FUTURE_TOLERANCE));
        assertThat(r.batteryPercent()).isBetween(0, 100);
        assertThat(r.latitude().isPresent()).isEqualTo(r.longitude().isPresent());
        r.latitude().ifPresent(lat -> assertThat(lat).isBetween(-90.0, 90.0));
        r.longitude().ifPresent(lon -> assertThat(lon).isBetween(-180.0, 180.0));
        r.accuracyM()
                .ifPresent(a ->
                        assertThat(a >= 0 && a < 100_000).as("accuracy %s", a).isTrue());
        assertThat(r.freeStorageMb()).isNotNegative();
        assertThat(r.agentVersion().length()).isLessThanOrEqualTo(40);
    }

    /** Keeps what it was asked to write; every reading is new. */
    private static final class RecordingStore implements ReadingStore {
        final boolean revoked;
        final List<ReadingIn> inserted = new ArrayList<>();
        int writes;

        RecordingStore(boolean revoked) {
            this.revoked = revoked;
        }

        @Override
        public boolean revoked(String imei) {
            return revoked;
        }

        @Override
        public Stored store(
                String imei,
                List<ReadingIn> readings,
                ReadingIn newest,
                java.util.Optional<ReadingIn> newestPosition,
                java.util.Optional<ReadingIn> newestSoftware) {
            writes++;
            if (revoked) { // as the JDBC store: nothing written for a revoked device
                return new Stored(true, 0, true);
            }
            inserted.addAll(readings);
            return new Stored(false, readings.size(), true);
        }

        @Override
        public List<Stored> storeAll(List<Batch> batches) {
            return batches.stream()
                    .map(b -> store(b.imei(), b.readings(), b.newest(), b.newestPosition(), b.newestSoftware()))
                    .toList();
        }

        @Override
        public Status status(String imei) {
            throw new UnsupportedOperationException("the log is not part of this test (ingest: direct)");
        }

        @Override
        public long loggedOffset(String topic, int partition) {
            throw new UnsupportedOperationException("the log is not part of this test (ingest: direct)");
        }

        @Override
        public boolean storeLogged(String topic, int partition, long from, long to, List<List<Batch>> rounds) {
            throw new UnsupportedOperationException("the log is not part of this test (ingest: direct)");
        }

        @Override
        public void acknowledge(String imei, Collection<Long> commandIds) {
            writes++;
        }

        @Override
        public void report(String imei, long commandId, Upload.Outcome outcome, String reason) {
            writes++;
        }

        @Override
        public void confirmUpdates(String imei) {}

        @Override
        public List<Upload.Command> deliverPending(String imei, int parisMinute) {
            return List.of();
        }

        @Override
        public int forgetBefore(java.time.Instant limit) {
            throw new UnsupportedOperationException("the retention is not part of an upload");
        }
    }
}
