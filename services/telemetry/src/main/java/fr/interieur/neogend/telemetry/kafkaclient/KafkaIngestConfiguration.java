package fr.interieur.neogend.telemetry.kafkaclient;

import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code neogend.telemetry.ingest: kafka} (ADR 0025): uploads go to the readings' log, writers take them
 * into PostgreSQL. The topic is declared at start when missing (partitions, replication factor,
 * {@code min.insync.replicas} from the settings; a topic that exists is left as it is — a Strimzi
 * {@code KafkaTopic} may own it). Not configured ({@code direct}, the default): none of this exists.
 */
@Configuration
@ConditionalOnProperty(name = "neogend.telemetry.ingest", havingValue = "kafka")
class KafkaIngestConfiguration {

    @Bean
    KafkaIngestSettings kafkaIngestSettings(
            @Value("${neogend.telemetry.kafka.bootstrap-servers:}") String bootstrapServers,
            @Value("${neogend.telemetry.kafka.topic:neogend.telemetry.readings}") String topic,
            @Value("${neogend.telemetry.kafka.partitions:12}") int partitions,
            @Value("${neogend.telemetry.kafka.replication-factor:3}") short replicationFactor,
            @Value("${neogend.telemetry.kafka.min-insync-replicas:2}") int minInsyncReplicas,
            @Value("${neogend.telemetry.kafka.consumers:2}") int consumers,
            @Value("${neogend.telemetry.kafka.group:neogend-telemetry-writers}") String group,
            @Value("${neogend.telemetry.kafka.append-timeout:20s}") Duration appendTimeout,
            Environment environment) {
        Map<String, String> properties = Binder.get(environment)
                .bind(
                        "neogend.telemetry.kafka.properties",
                        org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        return new KafkaIngestSettings(
                bootstrapServers,
                topic,
                partitions,
                replicationFactor,
                minInsyncReplicas,
                consumers,
                group,
                appendTimeout,
                properties);
    }

    @Bean(destroyMethod = "close")
    KafkaReadingLog kafkaReadingLog(KafkaIngestSettings settings) throws InterruptedException {
        declareTopic(settings);
        return new KafkaReadingLog(settings);
    }

    @Bean
    KafkaReadingWriters kafkaReadingWriters(KafkaIngestSettings settings, ReadingStore store, MeterRegistry meters) {
        return new KafkaReadingWriters(settings, store, meters);
    }

    private static void declareTopic(KafkaIngestSettings settings) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(java.util.List.of(new NewTopic(
                                    settings.topic(), settings.partitions(), settings.replicationFactor())
                            .configs(Map.of("min.insync.replicas", String.valueOf(settings.minInsyncReplicas())))))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("the readings' topic could not be declared: " + e.getCause(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 60 s at " + settings.bootstrapServers(), e);
        }
    }
}
