package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Kafka ingestion tests count (ADR 0025): the readings' log's end against the offsets PostgreSQL
 * holds for it, and the rows of a device — the two sides every "nothing lost, nothing doubled" check compares.
 */
final class KafkaLogCounts {

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final JdbcClient jdbc;

    KafkaLogCounts(String bootstrapServers, String topic, int partitions, JdbcClient jdbc) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.partitions = partitions;
        this.jdbc = jdbc;
    }

    /** The log's end offsets, summed over the partitions: one record per upload acknowledged. */
    long logEnd() throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset())
                    .sum();
        }
    }

    /** The writers' offsets in PostgreSQL, summed: the records written (each once). */
    long writtenOffsets() {
        return jdbc.sql("select coalesce(sum(next_offset), 0) from ingest_offset where topic = ?")
                .param(topic)
                .query(Long.class)
                .single();
    }

    /** Waits until PostgreSQL's offsets reach the log's end (every record written, none twice). */
    void awaitWritten(Duration within) throws Exception {
        long end = logEnd();
        long until = System.nanoTime() + within.toNanos();
        while (writtenOffsets() != end) {
            assertThat(System.nanoTime())
                    .as("offsets written within %s", within)
                    .isLessThan(until);
            Thread.sleep(100);
        }
    }

    long stored(String imei) {
        return jdbc.sql("select count(*) from reading where imei = ?")
                .param(imei)
                .query(Long.class)
                .single();
    }

    /** A complete reading with a position. */
    static Reading reading(long seq, Instant at, int battery) {
        return Reading.newBuilder()
                .setSequence(seq)
                .setRecordedAt(
                        Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setBatteryPercent(battery)
                .setLatitude(48.11)
                .setLongitude(-1.68)
                .setNetwork(NetworkType.NETWORK_TYPE_4G)
                .setSecurityPatchLevel("2026-11-05")
                .setRomBuild("neogend/aosp14/2026.11")
                .setFreeStorageMb(20_000)
                .setAgentVersion("1.4.2")
                .build();
    }
}
