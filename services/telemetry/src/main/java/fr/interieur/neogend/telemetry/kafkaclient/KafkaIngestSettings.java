package fr.interieur.neogend.telemetry.kafkaclient;

import java.time.Duration;
import java.util.Map;

/**
 * {@code neogend.telemetry.kafka.*} (ADR 0025): where the cluster is, the topic and how it is replicated,
 * how many writers consume it, and any client property (TLS, SASL: {@code properties.*}, from secrets).
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
        if (partitions < 1 || replicationFactor < 1 || minInsyncReplicas < 1 || consumers < 1) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka: partitions, replication-factor, min-insync-replicas and consumers >= 1");
        }
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.kafka.min-insync-replicas cannot exceed the replication factor");
        }
        clientProperties = Map.copyOf(clientProperties);
    }
}
