package fr.interieur.neogend.telemetry.kafkaclient;

import fr.interieur.neogend.telemetry.grpc.TelemetryMessages;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingLog;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The readings' log on Kafka (ADR 0025): one record per upload, keyed by the device's IMEI (one device's
 * readings stay in one partition, in order), its value the upload's good readings as the contract's
 * {@link UploadReadingsRequest}, its timestamp the upload's. An idempotent producer with {@code acks=all}:
 * acknowledged means written by the in-sync replicas the topic's {@code min.insync.replicas} demands.
 */
public final class KafkaReadingLog implements ReadingLog, AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaReadingLog(KafkaIngestSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                settings.appendTimeout().toMillis());
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms: a request may be tried twice
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Math.min(30_000, settings.appendTimeout().toMillis() / 2 - 10));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.appendTimeout().toMillis());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "neogend-telemetry-log");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.topic = settings.topic();
        this.timeout = settings.appendTimeout();
    }

    @Override
    public void append(String imei, List<ReadingIn> readings, Instant receivedAt) {
        byte[] value = UploadReadingsRequest.newBuilder()
                .addAllReadings(
                        readings.stream().map(TelemetryMessages::reading).toList())
                .build()
                .toByteArray();
        try {
            producer.send(new ProducerRecord<>(topic, null, receivedAt.toEpochMilli(), imei, value))
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new LogUnavailableException(
                    "not acknowledged by Kafka: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogUnavailableException("interrupted while waiting for Kafka", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
