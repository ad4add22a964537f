package fr.interieur.neogend.telemetry.kafkaclient;

import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
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
 * {@code min.insync.replicas} from the settings, {@code retention.ms} telemetry's own retention: positions
 * stay in the log no longer than in the database, rule 20, whatever the cluster's default; a topic that exists
 * is left as it is — a Strimzi {@code KafkaTopic} may own it, the chart's declares the same retention). Not configured ({@code direct}, the default): none of this exists.
 */
@Configuration
@ConditionalOnProperty(name = "neogend.telemetry.ingest", havingValue = "kafka")
class KafkaIngestConfiguration {

    @Bean
    KafkaIngestSettings kafkaIngestSettings(Environment environment) {
        return settings(environment);
    }

    /** The settings as bound from the environment (application.yml, the chart's variables). */
    static KafkaIngestSettings settings(Environment environment) {
        Binder binder = Binder.get(environment);
        String prefix = "neogend.telemetry.kafka.";
        Map<String, String> properties = binder.bind(prefix + "properties", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        return new KafkaIngestSettings(
                binder.bind(prefix + "bootstrap-servers", String.class).orElse(""),
                binder.bind(prefix + "topic", String.class).orElse("neogend.telemetry.readings"),
                binder.bind(prefix + "partitions", Integer.class).orElse(12),
                binder.bind(prefix + "replication-factor", Short.class).orElse((short) 3),
                binder.bind(prefix + "min-insync-replicas", Integer.class).orElse(2),
                binder.bind(prefix + "consumers", Integer.class).orElse(2),
                binder.bind(prefix + "group", String.class).orElse("neogend-telemetry-writers"),
                binder.bind(prefix + "append-timeout", Duration.class).orElse(Duration.ofSeconds(20)),
                properties);
    }

    /**
     * The log's producer. The topic is declared first unless {@code neogend.telemetry.kafka.declare-topic} is
     * false (a Strimzi {@code KafkaTopic} owns it: the chart sets it, and the Kafka user then needs no Create).
     */
    @Bean(destroyMethod = "close")
    KafkaReadingLog kafkaReadingLog(KafkaIngestSettings settings, Environment environment) throws InterruptedException {
        if (Binder.get(environment)
                .bind("neogend.telemetry.kafka.declare-topic", Boolean.class)
                .orElse(true)) {
            declareTopic(
                    settings,
                    Binder.get(environment)
                            .bind("neogend.telemetry.retention", Duration.class)
                            .orElse(Duration.ofDays(30)));
        }
        return new KafkaReadingLog(settings);
    }

    /**
     * The writers, unless {@code consumers} is 0: such a process (the chart's API pods) only appends; the
     * writers' pods report the lag ({@code neogend_telemetry_ingest_lag}) and the write delay.
     */
    @Bean
    @ConditionalOnExpression("${neogend.telemetry.kafka.consumers:2} > 0")
    KafkaReadingWriters kafkaReadingWriters(KafkaIngestSettings settings, ReadingStore store, MeterRegistry meters) {
        return new KafkaReadingWriters(settings, store, meters);
    }

    private static void declareTopic(KafkaIngestSettings settings, Duration retention) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(java.util.List.of(
                            new NewTopic(settings.topic(), settings.partitions(), settings.replicationFactor())
                                    .configs(Map.of(
                                            "min.insync.replicas",
                                            String.valueOf(settings.minInsyncReplicas()),
                                            "retention.ms",
                                            String.valueOf(retention.toMillis())))))
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
