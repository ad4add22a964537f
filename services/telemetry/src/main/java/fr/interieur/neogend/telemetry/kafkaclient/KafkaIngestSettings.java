package fr.interieur.neogend.telemetry.kafkaclient;

import java.time.Duration;
import java.util.Map;

/**
 * {@code neogend.telemetry.kafka.*} (ADR 0025): where the cluster is, the topic and how it is replicated,
 * how many writers consume it, and any client property (TLS, SASL: {@code properties.*}, from secrets).
 *
 * <p>{@code consumers} 0: this process only appends to the log and starts no writer (the chart's API pods;
 * its writers run in their own pods). A client property whose value is blank is left out, so Kafka's own
 * default applies: application.yml maps the chart's variables onto properties that are empty when unset.
 */
public record KafkaIngestSettings(
        String bootstrapServers,
        String topic,
        int partitions,
        short replicationFactor,
        int minInsyncReplicas,
        int consumers,
        String group,
        Duration appendTimeout,
        Map<String, String> clientProperties) {

    public KafkaIngestSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka.bootstrap-servers is required with ingest: kafka");
        }
        if (partitions < 1 || replicationFactor < 1 || minInsyncReplicas < 1) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka: partitions, replication-factor and min-insync-replicas >= 1");
        }
        if (consumers < 0) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka.consumers >= 0 (0: this process only appends, it writes nothing)");
        }
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka.min-insync-replicas cannot exceed the replication factor");
        }
        Map<String, String> set = new java.util.TreeMap<>();
        clientProperties.forEach((key, value) -> {
            if (value != null && !value.isBlank()) {
                set.put(key, value);
            }
        });
        clientProperties = Map.copyOf(set);
    }

    /** Whether this process runs writers (else it only appends to the log). */
    public boolean writes() {
        return consumers > 0;
    }
}
