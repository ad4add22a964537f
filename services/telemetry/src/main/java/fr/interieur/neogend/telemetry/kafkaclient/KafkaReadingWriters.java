package fr.interieur.neogend.telemetry.kafkaclient;

import com.google.protobuf.InvalidProtocolBufferException;
import fr.interieur.neogend.telemetry.grpc.TelemetryMessages;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The writers of the readings' log (ADR 0025): a consumer group, one consumer per thread, each partition
 * written by one of them at a time. What a poll brings of a partition is written in <b>one PostgreSQL
 * transaction</b> with the partition's next offset ({@link ReadingStore#storeLogged}); the offsets Kafka
 * keeps for the group are for watching the lag only. So:
 *
 * <ul>
 *   <li>a writer that crashes after its transaction loses nothing and doubles nothing: the next one starts
 *       from the offset in PostgreSQL;
 *   <li>a rebalance moves a partition; its new writer seeks to the offset in PostgreSQL;
 *   <li>a writer paused past its session (a "zombie") that wakes up and writes what it polled before the
 *       rebalance finds the partition's offset moved and writes nothing (its transaction rolls back), then
 *       seeks to where PostgreSQL says;
 *   <li>PostgreSQL unavailable: nothing is written, the writer seeks back and tries again a second later.
 * </ul>
 */
public final class KafkaReadingWriters implements SmartLifecycle {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KafkaReadingWriters.class);

    private final KafkaIngestSettings settings;
    private final ReadingStore store;
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Timer uploadToStored;
    private final Counter fenced;
    private final Counter unreadable;
    /** Each writer's lag: records of its partitions not yet written (from its last poll). */
    private final Map<String, Long> lags = new ConcurrentHashMap<>();

    /** Readings written per partition (tests and the benchmark compare them with the log). */
    private final Map<Integer, Long> writtenTo = new ConcurrentHashMap<>();

    public KafkaReadingWriters(KafkaIngestSettings settings, ReadingStore store, MeterRegistry meters) {
        this.settings = settings;
        this.store = store;
        this.uploadToStored = Timer.builder("neogend.telemetry.ingest.delay")
                .description("From an upload acknowledged by the log to its readings written in PostgreSQL")
                .publishPercentileHistogram()
                .register(meters);
        this.fenced = Counter.builder("neogend.telemetry.ingest.fenced")
                .description("Polls not written because another writer had taken the partition meanwhile")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder(
                        "neogend.telemetry.ingest.lag",
                        lags,
                        l -> l.values().stream().mapToLong(Long::longValue).sum())
                .description("Uploads in the readings' log not yet written by this process' writers (as of their"
                        + " last poll)")
                .register(meters);
        this.unreadable = Counter.builder("neogend.telemetry.ingest.unreadable")
                .description("Records of the log that are not a batch of readings (skipped)")
                .register(meters);
    }

    @Override
    public void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < settings.consumers(); i++) {
            KafkaConsumer<String, byte[]> consumer = consumer(i);
            consumers.add(consumer);
            Thread t = new Thread(() -> run(consumer), "kafka-writer-" + i);
            threads.add(t);
            t.start();
        }
    }

    private KafkaConsumer<String, byte[]> consumer(int i) {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "neogend-telemetry-writer-" + i);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void run(KafkaConsumer<String, byte[]> consumer) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        try {
            consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(positions::remove);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition p : partitions) {
                        seekToWritten(consumer, positions, p);
                    }
                }
            });
            while (running.get()) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    for (TopicPartition p : records.partitions()) {
                        write(consumer, positions, p, records.records(p));
                    }
                    long lag = 0;
                    for (TopicPartition p : consumer.assignment()) {
                        lag += consumer.currentLag(p).orElse(0);
                    }
                    lags.put(Thread.currentThread().getName(), lag);
                } catch (WakeupException stopping) {
                    throw stopping;
                } catch (RuntimeException e) {
                    // whatever went wrong, the consumer's positions may have moved past what was written:
                    // every partition it holds goes back to where PostgreSQL says, then it polls again
                    log.warn("a writer of the readings' log failed, back to the written offsets: {}", e.toString());
                    sleep(1_000);
                    for (TopicPartition p : consumer.assignment()) {
                        seekToWritten(consumer, positions, p);
                    }
                }
            }
        } catch (WakeupException stopping) {
            // stop() woke the poll up
        } catch (RuntimeException e) {
            log.error("a writer of the readings' log stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Where PostgreSQL says the partition's writing is: the consumer goes there. */
    private void seekToWritten(
            KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> positions, TopicPartition p) {
        long next;
        while (true) { // PostgreSQL unreachable: wait for it; reading on from anywhere else could lose readings
            try {
                next = store.loggedOffset(p.topic(), p.partition());
                break;
            } catch (RuntimeException e) {
                if (!running.get()) {
                    throw e;
                }
                log.warn("the written offset of partition {} cannot be read yet: {}", p.partition(), e.toString());
                sleep(1_000);
            }
        }
        consumer.seek(p, next);
        positions.put(p, next);
    }

    private void write(
            KafkaConsumer<String, byte[]> consumer,
            Map<TopicPartition, Long> positions,
            TopicPartition p,
            List<ConsumerRecord<String, byte[]>> records) {
        Long from = positions.get(p);
        if (from == null || records.isEmpty()) {
            return; // revoked during this poll
        }
        long to = records.getLast().offset() + 1;
        // rounds: the k-th record of each device in the k-th round (a statement takes a device once)
        List<List<ReadingStore.Batch>> rounds = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            List<ReadingIn> readings;
            try {
                readings = TelemetryMessages.readings(
                        UploadReadingsRequest.parseFrom(r.value()).getReadingsList());
            } catch (InvalidProtocolBufferException | NullPointerException e) {
                unreadable.increment();
                log.error(
                        "record {}@{} of {} is not a batch of readings: skipped", r.offset(), p.partition(), p.topic());
                continue;
            }
            if (r.key() == null || readings.isEmpty()) {
                unreadable.increment();
                continue;
            }
            int round = seen.merge(r.key(), 1, Integer::sum) - 1;
            while (rounds.size() <= round) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(ReadingStore.Batch.of(r.key(), readings));
        }
        boolean written;
        try {
            written = store.storeLogged(p.topic(), p.partition(), from, to, rounds);
        } catch (RuntimeException e) {
            log.warn(
                    "readings of partition {} not written, trying again: {}",
                    p.partition(),
                    e.getClass().getSimpleName());
            consumer.seek(p, from);
            sleep(1_000);
            return;
        }
        if (!written) {
            fenced.increment();
            log.info("partition {} was written by another writer meanwhile: this poll is dropped", p.partition());
            seekToWritten(consumer, positions, p);
            return;
        }
        positions.put(p, to);
        writtenTo.put(p.partition(), to);
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : records) {
            uploadToStored.record(Duration.ofMillis(Math.max(0, now - r.timestamp())));
        }
        consumer.commitAsync(Map.of(p, new OffsetAndMetadata(to)), null);
    }

    /** The next offset this process wrote, per partition (since it started). */
    public Map<Integer, Long> writtenTo() {
        return Map.copyOf(writtenTo);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        consumers.forEach(KafkaConsumer::wakeup);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        consumers.clear();
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }
}
