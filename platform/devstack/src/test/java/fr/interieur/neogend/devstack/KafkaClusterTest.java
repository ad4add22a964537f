package fr.interieur.neogend.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real brokers (separate processes), one killed with SIGKILL while an idempotent producer
 * ({@code acks=all}) writes to a topic replicated three times with {@code min.insync.replicas=2}:
 * every acknowledged record is in the log exactly once, the killed broker comes back, and closing
 * the cluster leaves no broker process behind.
 */
class KafkaClusterTest {

    private static final String TOPIC = "acknowledged";
    private static final int RECORDS = 1_000;

    /** Where a record was acknowledged: partition and offset. */
    private record Ack(int partition, long offset) {}

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void acknowledgedRecordsSurviveTheCrashOfABrokerExactlyOnce() throws Exception {
        Path runDir = Path.of("target", "kafka-cluster-test");
        List<Long> pids = new ArrayList<>();
        KafkaCluster cluster = KafkaCluster.start(runDir, 3, Duration.ofSeconds(90));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            cluster.nodeIds().forEach(id -> pids.add(cluster.process(id).pid()));
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            int victim = leaderOf(admin, 0); // its partitions must fail over

            Map<String, Ack> acked = new ConcurrentHashMap<>();
            Map<String, Exception> failed = new ConcurrentHashMap<>();
            Instant t0 = Instant.now();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(cluster))) {
                for (int i = 0; i < RECORDS; i++) {
                    String key = "device-" + (i % 97);
                    String value = "reading-" + i;
                    producer.send(new ProducerRecord<>(TOPIC, key, value), (metadata, error) -> {
                        if (error == null) {
                            acked.put(key + "=" + value, new Ack(metadata.partition(), metadata.offset()));
                        } else {
                            failed.put(key + "=" + value, error);
                        }
                    });
                    if (i == RECORDS / 2) {
                        cluster.kill(victim); // records in flight to it, others queued behind
                    }
                    Thread.sleep(1); // spread the sends, so that the crash falls in their middle
                }
                producer.flush();
            }
            System.out.printf(
                    "  %d acknowledged, %d failed, in %d ms, broker %d killed at record %d%n",
                    acked.size(),
                    failed.size(),
                    Duration.between(t0, Instant.now()).toMillis(),
                    victim,
                    RECORDS / 2);
            assertThat(cluster.process(victim).isAlive()).isFalse();
            assertThat(acked)
                    .as("with two brokers of three left, acks=all still succeeds")
                    .hasSize(RECORDS);

            // read back with the broker still down: every acknowledged record, once, where it was acknowledged
            Map<TopicPartition, Long> ends = new HashMap<>();
            Map<String, List<Ack>> read = readAll(cluster, ends);
            long total = read.values().stream().mapToLong(List::size).sum();
            long logged = ends.values().stream().mapToLong(Long::longValue).sum();
            assertThat(logged)
                    .as("log end offsets: one record per acknowledged send")
                    .isEqualTo(acked.size());
            assertThat(total)
                    .as("records read, as the log end offsets count them")
                    .isEqualTo(logged);
            acked.forEach(
                    (record, ack) -> assertThat(read.get(record)).as(record).containsExactly(ack));
            assertThat(read.keySet()).as("nothing but what was sent").isSubsetOf(allSent());
            assertThat(read.values())
                    .as("nothing twice")
                    .allSatisfy(copies -> assertThat(copies).hasSize(1));

            cluster.restart(victim);
            pids.add(cluster.process(victim).pid());
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .hasSize(3);
            awaitFullIsr(admin, Duration.ofSeconds(30));
        } finally {
            cluster.close();
        }
        assertThat(pids)
                .hasSize(4)
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false))
                        .as("process %d is gone", pid)
                        .isFalse());
    }

    private static Map<String, Object> producerConfig(KafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    /** Every record of the topic, by key=value, with where it is; {@code ends} gets the end offsets. */
    private static Map<String, List<Ack>> readAll(KafkaCluster cluster, Map<TopicPartition, Long> ends) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Map<String, List<Ack>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = IntStream.range(0, 3)
                    .mapToObj(p -> new TopicPartition(TOPIC, p))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            ends.putAll(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            Instant deadline = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(Instant.now()).as("reading the topic back").isBefore(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.computeIfAbsent(r.key() + "=" + r.value(), k -> new ArrayList<>())
                            .add(new Ack(r.partition(), r.offset()));
                }
            }
        }
        return read;
    }

    private static Set<String> allSent() {
        return IntStream.range(0, RECORDS)
                .mapToObj(i -> "device-" + (i % 97) + "=reading-" + i)
                .collect(Collectors.toSet());
    }

    /** The leader of a partition of the topic, once it has one. */
    private static int leaderOf(Admin admin, int partition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            TopicDescription topic = describe(admin);
            Node leader =
                    topic == null ? null : topic.partitions().get(partition).leader();
            if (leader != null && !leader.isEmpty()) {
                return leader.id();
            }
            assertThat(Instant.now()).as("a leader in %s", topic).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** Waits until every replica is in sync again: the restarted broker has caught up. */
    private static void awaitFullIsr(Admin admin, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            TopicDescription topic = describe(admin);
            if (topic != null
                    && topic.partitions().stream().allMatch(p -> p.isr().size() == 3)) {
                return;
            }
            assertThat(Instant.now()).as("replicas in sync again: %s", topic).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    /**
     * The topic as the cluster describes it, or null while the broker asked does not know it yet (just
     * created, or its metadata not yet there after a restart): the callers ask again until their deadline.
     */
    private static TopicDescription describe(Admin admin) throws Exception {
        try {
            return admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(TOPIC);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }
}
