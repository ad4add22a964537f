package fr.interieur.neogend.inventory.telemetryclient;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.testkit.ServiceIT;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.telemetryclient.OutboxParkingIT.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several replicas relay one outbox: each device's events still reach telemetry in the order they were
 * created (first arrivals; repeats are harmless, telemetry being idempotent by event id), none is lost,
 * whether the relays race, the receiver fails at random, or a relay dies in the middle of a pass and
 * another takes over. The application's own relay sleeps ({@code poll-interval: 1h}); the test runs its
 * own instances.
 */
@ServiceIT
@TestPropertySource(properties = "neogend.outbox.poll-interval=1h")
class OutboxConcurrencyIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    fr.interieur.neogend.inventory.outbox.OutboxStore store;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    OutboxDeviceEvents events;

    TelemetryStandIn telemetry;
    final List<OutboxRelay> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        jdbc.sql("delete from outbox").update();
        telemetry = new TelemetryStandIn();
    }

    @AfterEach
    void tearDown() {
        started.forEach(OutboxRelay::stop);
        telemetry.close();
    }

    OutboxRelay relay(String name) {
        return relay(() -> Optional.of(name));
    }

    OutboxRelay relay(fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource tokens) {
        return new OutboxRelay(
                store,
                tx,
                tokens,
                telemetry.channel(),
                Duration.ofMillis(20),
                Duration.ofSeconds(2),
                Duration.ofMillis(100),
                Duration.ofDays(7));
    }

    @Test
    void aRelayNeverTakesALaterEventOfADeviceWhoseEarlierOneAnotherRelayHolds() throws Exception {
        String a1 = write(1, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        CountDownLatch release = new CountDownLatch(1);
        telemetry.behave(e -> {
            if (e.getEventId().equals(a1)) {
                try {
                    release.await(20, TimeUnit.SECONDS); // relay 1 holds A1, in the middle of its pass
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            return TelemetryStandIn.Answer.OK;
        });
        OutboxRelay relay1 = relay("relay-1");
        OutboxRelay relay2 = relay("relay-2");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> pass1 = pool.submit(relay1::deliverDue);
            awaitTrue(() -> telemetry.callsFor(a1) == 1, Duration.ofSeconds(10));
            // meanwhile device A's next events and device B's are written
            String a2 = write(1, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED);
            String b1 = write(2, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
            String a3 = write(1, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);
            String b2 = write(2, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);

            // relay 2 delivers B at once, and leaves A alone: its first event is held by relay 1
            assertThat(relay2.deliverDue()).isEqualTo(2);
            assertThat(relay2.deliverDue()).isZero();
            assertThat(telemetry.firstArrivals()).containsExactly(b1, b2);
            assertThat(telemetry.callsFor(a2) + telemetry.callsFor(a3)).isZero();

            release.countDown();
            assertThat(pass1.get(20, TimeUnit.SECONDS)).isEqualTo(3); // A1, then A2 and A3 behind it
            assertThat(telemetry.firstArrivals()).containsExactly(b1, b2, a1, a2, a3);
            assertThat(telemetry.calls())
                    .allSatisfy(c -> assertThat(c.authorization())
                            .isEqualTo(
                                    c.eventId().equals(b1) || c.eventId().equals(b2)
                                            ? "Bearer relay-2"
                                            : "Bearer relay-1"));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void twoRelaysOverTwoHundredEventsOfTwentyDevicesKeepEachDevicesOrderAndLoseNone() throws Exception {
        // the receiver fails one call in ten (passing failures), loses one acknowledgement in twenty
        telemetry.behave(e -> {
            int dice = ThreadLocalRandom.current().nextInt(100);
            long delay = ThreadLocalRandom.current().nextInt(3);
            if (dice < 10) {
                Status[] passing = {Status.UNAVAILABLE, Status.INTERNAL, Status.RESOURCE_EXHAUSTED, Status.UNKNOWN};
                return new TelemetryStandIn.Answer(passing[dice % passing.length], false, delay);
            }
            if (dice < 15) {
                return new TelemetryStandIn.Answer(Status.UNAVAILABLE, true, delay);
            }
            return new TelemetryStandIn.Answer(null, false, delay);
        });
        AtomicBoolean written = new AtomicBoolean(false);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> relays = new ArrayList<>();
            for (String name : List.of("relay-1", "relay-2")) {
                OutboxRelay relay = relay(name);
                relays.add(pool.submit(() -> {
                    Instant end = Instant.now().plusSeconds(90);
                    while (Instant.now().isBefore(end)) {
                        if (relay.deliverDue() == 0) {
                            if (written.get() && relay.backlog().pending() == 0) {
                                return null;
                            }
                            Thread.sleep(5);
                        }
                    }
                    throw new AssertionError("the outbox did not empty within 90 s");
                }));
            }
            // 200 events of 20 devices written while the relays run, in bursts
            Random random = new Random(16);
            for (int i = 0; i < 200; i++) {
                write(100 + random.nextInt(20), InventoryEventKind.forNumber(1 + random.nextInt(4)));
                if (i % 10 == 9) {
                    Thread.sleep(random.nextInt(20));
                }
            }
            written.set(true);
            for (Future<?> r : relays) {
                r.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, List<String>> created = createdPerDevice();
        assertThat(created).hasSize(20);
        assertThat(created.values().stream().mapToInt(List::size).sum()).isEqualTo(200);
        assertEveryEventArrivedInItsDevicesOrder(created);
        assertThat(jdbc.sql("select count(*) from outbox where parked_at is not null")
                        .query(Long.class)
                        .single())
                .isZero();
        // both relays did deliver (the work was shared, not done by one while the other idled)
        Map<String, Long> byRelay = new HashMap<>();
        telemetry.calls().stream()
                .filter(c -> c.answer().equals("OK"))
                .forEach(c -> byRelay.merge(c.authorization(), 1L, Long::sum));
        assertThat(byRelay).containsOnlyKeys("Bearer relay-1", "Bearer relay-2");
        assertThat(telemetry.calls().stream().filter(c -> !c.answer().equals("OK")))
                .isNotEmpty();
    }

    @Test
    void aRelayKilledInTheMiddleOfAPassThenANewOneLoseNothingAndKeepEachDevicesOrder() throws Exception {
        Random random = new Random(21);
        for (int i = 0; i < 100; i++) {
            write(200 + random.nextInt(10), InventoryEventKind.forNumber(1 + random.nextInt(4)));
        }
        // at the 30th event recorded, the relay's database session dies (its transaction rolls back)
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger killed = new AtomicInteger();
        telemetry.onFirstRecord(() -> {
            if (recorded.incrementAndGet() == 30) {
                killed.set(jdbc.sql("""
                                select count(pg_terminate_backend(pid)) from pg_stat_activity
                                 where datname = current_database() and pid <> pg_backend_pid()
                                   and state like 'idle in transaction%'""").query(Integer.class).single());
            }
        });
        // once its session is killed, the first relay is as good as dead: it sends nothing more
        OutboxRelay first = relay(() -> killed.get() > 0 ? Optional.empty() : Optional.of("relay-before"));
        started.add(first);
        first.start();
        awaitTrue(() -> killed.get() > 0, Duration.ofSeconds(20));
        first.stop(); // the replica restarts: a new instance takes over
        assertThat(telemetry.firstArrivals()).hasSize(30);
        OutboxRelay second = relay("relay-after");
        started.add(second);
        second.start();
        awaitTrue(() -> second.backlog().pending() == 0, Duration.ofSeconds(30));

        Map<String, List<String>> created = createdPerDevice();
        assertEveryEventArrivedInItsDevicesOrder(created);
        // the dead pass's deliveries were not marked: those events came again, and changed nothing
        long repeated = created.values().stream()
                .flatMap(List::stream)
                .filter(id -> telemetry.timesRecorded(id) > 1)
                .count();
        assertThat(repeated).isGreaterThanOrEqualTo(29);
        assertThat(telemetry.calls())
                .filteredOn(c -> c.authorization().equals("Bearer relay-after"))
                .hasSizeGreaterThan(70);
        assertThat(second.backlog().parked()).isZero();
    }

    // ---- helpers

    private void assertEveryEventArrivedInItsDevicesOrder(Map<String, List<String>> created) {
        List<String> arrivals = telemetry.firstArrivals();
        assertThat(arrivals)
                .containsExactlyInAnyOrderElementsOf(
                        created.values().stream().flatMap(List::stream).toList());
        created.forEach((device, ids) -> assertThat(
                        arrivals.stream().filter(ids::contains).toList())
                .as("first arrivals of device %s", device)
                .containsExactlyElementsOf(ids));
    }

    /** Each device's event ids in the order they were created. */
    private Map<String, List<String>> createdPerDevice() {
        Map<String, List<String>> created = new LinkedHashMap<>();
        jdbc.sql("select subject_id, event_id::text from outbox order by id").query(rs -> {
            created.computeIfAbsent(rs.getString(1), d -> new ArrayList<>()).add(rs.getString(2));
        });
        return created;
    }

    private String write(int device, InventoryEventKind kind) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        tx.executeWithoutResult(s -> events.write(
                InventoryEvent.newBuilder()
                        .setEventId(id)
                        .setKind(kind)
                        .setImei(imei(device))
                        .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                        .build(),
                now));
        return id;
    }
}
