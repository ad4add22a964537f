package fr.interieur.neogend.inventory.telemetryclient;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Timestamp;
import fr.interieur.neogend.inventory.InventoryTestData;
import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.LossKind;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.InventoryEventKind;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 11 and 21 through the outbox: a LOCK or WIPE event never waits behind another device's event
 * that telemetry refuses, whether for good (parked, with its reason, counted, logged without the token)
 * or for a while (only that device's later events wait, in order). Relays are driven pass by pass
 * against a telemetry stand-in; the application's own relay sleeps ({@code poll-interval: 1h}).
 */
@ServiceIT
@TestPropertySource(properties = "neogend.outbox.poll-interval=1h")
class OutboxParkingIT {

    static final String TOKEN = TestTokens.service("inventory");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    fr.interieur.neogend.inventory.outbox.OutboxStore store;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    OutboxDeviceEvents events;

    @Autowired
    MeterRegistry meters;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceGrpc.InventoryServiceBlockingStub fleetManager;
    TelemetryStandIn telemetry;
    ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void setUp() {
        fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
        telemetry = new TelemetryStandIn();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(OutboxRelay.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(OutboxRelay.class)).detachAppender(logs);
        telemetry.close();
    }

    OutboxRelay relay(ServiceTokenSource tokens) {
        return new OutboxRelay(
                store,
                tx,
                tokens,
                telemetry.channel(),
                Duration.ofMillis(20),
                // each call's deadline: long enough that a loaded machine answers the calls meant to succeed within
                // it (at 300 ms, a loaded run saw a healthy device's event missed by its pass)
                Duration.ofSeconds(2),
                Duration.ofMillis(100),
                Duration.ofDays(7));
    }

    OutboxRelay relay() {
        return relay(() -> Optional.of(TOKEN));
    }

    @Test
    void aPoisonEventIsParkedWithItsReasonAndLockAndWipeOfOtherDevicesGoInTheSamePass() {
        // device A: its first event is refused for good, its second is fine
        String a1 = write(900, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        // device E: refused for want of permission (configuration, not the event): retried, never parked
        String e1 = write(901, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
        // device C: a payload nobody can read
        long c1 = writeUnreadable(902);
        // device B: declared stolen through the API (LOCK and WIPE), device B2 lost (LOCK)
        declare(1, LossKind.LOSS_KIND_STOLEN);
        declare(2, LossKind.LOSS_KIND_LOST);
        String a2 = write(900, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);
        // device D: refused as a failed precondition by a receiver that echoes the caller's token
        String d1 = write(903, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        String b1 = eventOf(imei(1));
        String b2 = eventOf(imei(2));
        AtomicBoolean permitted = new AtomicBoolean(false);
        telemetry.behave(e -> {
            if (e.getEventId().equals(a1)) {
                return TelemetryStandIn.Answer.refuse(
                        Status.INVALID_ARGUMENT.withDescription("invalid request: event.imei: must be 15 digits"));
            }
            if (e.getEventId().equals(e1) && !permitted.get()) {
                return TelemetryStandIn.Answer.refuse(
                        Status.PERMISSION_DENIED.withDescription("needs role internal-service"));
            }
            if (e.getEventId().equals(d1)) {
                return TelemetryStandIn.Answer.refuse(Status.FAILED_PRECONDITION.withDescription(
                        "cannot apply for caller Bearer " + TOKEN + " (token " + TOKEN + ")"));
            }
            return TelemetryStandIn.Answer.OK;
        });

        OutboxRelay relay = relay();
        int handled = relay.deliverDue();

        // one pass: A1 parked, so A's next event went on at once; B's LOCK/WIPE and B2's LOCK arrived;
        // C1 and D1 parked
        assertThat(telemetry.firstArrivals()).containsExactly(a2, b1, b2);
        assertThat(handled).isEqualTo(6);
        assertThat(parkedReason(a1)).isEqualTo("INVALID_ARGUMENT: invalid request: event.imei: must be 15 digits");
        assertThat(jdbc.sql("select parked_reason from outbox where id = ?")
                        .param(c1)
                        .query(String.class)
                        .single())
                .startsWith("unreadable payload");
        assertThat(parkedReason(d1))
                .startsWith("FAILED_PRECONDITION: cannot apply for caller Bearer [token]")
                .doesNotContain(TOKEN)
                .doesNotContain(TOKEN.substring(0, 20));
        // permission problems are configuration problems: E waits and is retried, never parked
        assertThat(parkedReason(e1)).isNull();
        assertThat(jdbc.sql("select last_error from outbox where event_id = ?::uuid")
                        .param(e1)
                        .query(String.class)
                        .single())
                .startsWith("PERMISSION_DENIED");
        fr.interieur.neogend.inventory.outbox.OutboxStore.Backlog backlog = relay.backlog();
        assertThat(backlog.pending()).isEqualTo(1);
        assertThat(backlog.parked()).isEqualTo(3);
        // the gauges outlive a garbage collection (read every 10 s at most)
        System.gc();
        awaitTrue(
                () -> gauge("neogend.outbox.parked") == 3.0 && gauge("neogend.outbox.backlog") == 1.0,
                Duration.ofSeconds(15));

        // each parking is logged at WARN with its ids, kind and reason, never the token
        List<String> warnings = logs.list.stream()
                .filter(l -> l.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warnings)
                .anySatisfy(w -> assertThat(w)
                        .contains("parked")
                        .contains(a1)
                        .contains("INVENTORY_EVENT_KIND_DEVICE_LOST")
                        .contains("INVALID_ARGUMENT"));
        assertThat(warnings)
                .anySatisfy(w -> assertThat(w)
                        .contains("parked")
                        .contains("outbox event " + c1 + " (")
                        .contains("unreadable payload"));
        assertThat(warnings).allSatisfy(w -> assertThat(w).doesNotContain(TOKEN.substring(0, 20)));

        // the permission is granted: E goes; the parked ones are never sent again, however many passes
        permitted.set(true);
        awaitTrue(
                () -> {
                    relay.deliverDue();
                    return telemetry.firstArrivals().contains(e1);
                },
                Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            relay.deliverDue();
        }
        assertThat(telemetry.callsFor(a1)).isEqualTo(1);
        assertThat(telemetry.callsFor(d1)).isEqualTo(1);
        assertThat(telemetry.firstArrivals()).containsExactly(a2, b1, b2, e1);
        assertThat(relay.backlog().pending()).isZero();
        // a new relay (another replica, a restart) leaves them parked too
        relay().deliverDue();
        assertThat(telemetry.callsFor(a1)).isEqualTo(1);
        assertThat(relay.backlog().parked()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UNAVAILABLE",
                "DEADLINE_EXCEEDED",
                "RESOURCE_EXHAUSTED",
                "INTERNAL",
                "UNKNOWN",
                "UNAUTHENTICATED",
                "PERMISSION_DENIED",
                "LOST_ACKNOWLEDGEMENT"
            })
    void aPassingFailureHoldsBackOnlyItsDevicesLaterEventsWhichThenArriveInOrder(String failure) {
        String a1 = write(910, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        String b1 = write(911, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
        String a2 = write(910, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_EXCHANGED);
        String b2 = write(911, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);
        String a3 = write(910, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);
        AtomicBoolean broken = new AtomicBoolean(true);
        telemetry.behave(e -> {
            if (!e.getEventId().equals(a1) || !broken.get()) {
                return TelemetryStandIn.Answer.OK;
            }
            return switch (failure) {
                // the stand-in answers after the relay's deadline (2 s): the relay gave up
                case "DEADLINE_EXCEEDED" -> new TelemetryStandIn.Answer(Status.UNAVAILABLE, false, 4000);
                // recorded, then the answer is lost: the relay cannot know
                case "LOST_ACKNOWLEDGEMENT" -> new TelemetryStandIn.Answer(Status.UNAVAILABLE, true, 0);
                default ->
                    TelemetryStandIn.Answer.refuse(
                            Status.fromCode(Status.Code.valueOf(failure)).withDescription("try again"));
            };
        });
        OutboxRelay relay = relay();

        relay.deliverDue();
        // B flowed in the same pass; A's later events were not even tried
        assertThat(delivered(b1)).isTrue();
        assertThat(delivered(b2)).isTrue();
        assertThat(telemetry.callsFor(a2) + telemetry.callsFor(a3)).isZero();
        // more passes while A1 keeps failing: A2 and A3 still wait, nothing is parked
        for (int i = 0; i < 3; i++) {
            sleep(150);
            relay.deliverDue();
        }
        assertThat(telemetry.callsFor(a1)).isGreaterThanOrEqualTo(2);
        assertThat(telemetry.callsFor(a2) + telemetry.callsFor(a3)).isZero();
        assertThat(relay.backlog().pending()).isEqualTo(3);
        assertThat(relay.backlog().parked()).isZero();
        assertThat(jdbc.sql("select last_error from outbox where event_id = ?::uuid")
                        .param(a1)
                        .query(String.class)
                        .single())
                .startsWith(failure.equals("LOST_ACKNOWLEDGEMENT") ? "UNAVAILABLE" : failure);

        // the receiver recovers: A's events arrive, in order, each recorded once
        broken.set(false);
        awaitTrue(
                () -> {
                    relay.deliverDue();
                    return relay.backlog().pending() == 0;
                },
                Duration.ofSeconds(10));
        List<String> arrivals = telemetry.firstArrivals();
        assertThat(arrivals.stream()
                        .filter(id -> Set.of(a1, a2, a3).contains(id))
                        .toList())
                .containsExactly(a1, a2, a3);
        assertThat(arrivals).containsExactlyInAnyOrder(a1, a2, a3, b1, b2);
        if (failure.equals("LOST_ACKNOWLEDGEMENT")) {
            // recorded on the first attempt already; every retry found it recorded (idempotent by id)
            assertThat(arrivals.indexOf(a1)).isZero();
            assertThat(telemetry.timesRecorded(a1)).isGreaterThanOrEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"receiver down", "no token"})
    void whenNothingCanBeSentThePassStopsAfterTwoDevicesAndTheOthersKeepTheirTurn(String why) {
        List<String> heads = new ArrayList<>();
        for (int device = 0; device < 5; device++) {
            heads.add(write(920 + device, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN));
        }
        AtomicBoolean down = new AtomicBoolean(true);
        telemetry.behave(
                e -> down.get() ? TelemetryStandIn.Answer.refuse(Status.UNAVAILABLE) : TelemetryStandIn.Answer.OK);
        OutboxRelay relay = relay(() -> down.get() && why.equals("no token") ? Optional.empty() : Optional.of(TOKEN));

        assertThat(relay.deliverDue()).isZero();
        Map<String, Integer> attempts = new java.util.HashMap<>();
        jdbc.sql("select event_id::text, attempts from outbox").query(rs -> {
            attempts.put(rs.getString(1), rs.getInt(2));
        });
        assertThat(attempts.get(heads.get(0))).isEqualTo(1);
        assertThat(attempts.get(heads.get(1))).isEqualTo(1);
        assertThat(heads.subList(2, 5))
                .allSatisfy(id -> assertThat(attempts.get(id)).isZero());
        assertThat(telemetry.calls()).hasSize(why.equals("no token") ? 0 : 2);
        assertThat(relay.backlog().parked()).isZero();

        down.set(false);
        awaitTrue(
                () -> {
                    relay.deliverDue();
                    return relay.backlog().pending() == 0;
                },
                Duration.ofSeconds(10));
        assertThat(telemetry.firstArrivals()).containsExactlyInAnyOrderElementsOf(heads);
    }

    @Test
    void eachCodeIsEitherParkedOrRetriedAndOnlyRefusalsOfTheEventItselfPark() {
        for (Status.Code code : Status.Code.values()) {
            OutboxRelay.Outcome outcome = OutboxRelay.outcomeOf(code);
            switch (code) {
                case OK -> assertThat(outcome).isEqualTo(OutboxRelay.Outcome.DELIVERED);
                case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
                    assertThat(outcome).as(code.name()).isEqualTo(OutboxRelay.Outcome.PARK);
                default ->
                    assertThat(outcome)
                            .as(code.name())
                            .isIn(OutboxRelay.Outcome.RETRY, OutboxRelay.Outcome.RETRY_RECEIVER_DOWN);
            }
        }
        assertThat(OutboxRelay.safe("x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln y\n\u0000z", ""))
                .isEqualTo("x [token] y  z");
        assertThat(OutboxRelay.safe("authorization: bearer abc.def", "")).isEqualTo("authorization: Bearer [token]");
        assertThat(OutboxRelay.safe("k".repeat(2000), "")).hasSize(480);
    }

    @Test
    void theRunbooksStatementsRequeueAndDiscardAParkedEvent() throws Exception {
        String runbook =
                java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("neogend.root", "../.."))
                        .resolve("docs/operations.md"));
        List<String> sql = new ArrayList<>();
        var blocks = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(runbook);
        while (blocks.find()) {
            String statement = blocks.group(1).replaceAll("(?m)^ +", "").trim();
            if (!statement.contains("supplier_outbox")) { // the order service's, tested there
                sql.add(statement);
            }
        }
        assertThat(sql).hasSize(4);
        String requeue = sql.get(2);
        String discard = sql.get(3);
        assertThat(requeue).contains("parked_at = null");
        assertThat(discard).contains("delivered_at = now()");

        String wrong = write(930, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_STOLEN);
        String later = write(930, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_RETURNED);
        String bad = write(931, InventoryEventKind.INVENTORY_EVENT_KIND_DEVICE_LOST);
        AtomicBoolean fixed = new AtomicBoolean(false);
        telemetry.behave(e -> e.getEventId().equals(bad) || (e.getEventId().equals(wrong) && !fixed.get())
                ? TelemetryStandIn.Answer.refuse(Status.FAILED_PRECONDITION.withDescription("refused"))
                : TelemetryStandIn.Answer.OK);
        OutboxRelay relay = relay();
        relay.deliverDue();
        assertThat(relay.backlog().parked()).isEqualTo(2);
        jdbc.sql(sql.get(0)).query(rs -> {});
        List<String> listed =
                jdbc.sql(sql.get(1)).query((rs, n) -> rs.getString("event_id")).list();
        assertThat(listed).containsExactly(wrong, bad);

        // telemetry fixed: the wrongly refused event is re-queued and arrives (after its device's later one)
        fixed.set(true);
        assertThat(jdbc.sql(fill(requeue, wrong)).update()).isEqualTo(1);
        relay.deliverDue();
        assertThat(telemetry.firstArrivals()).containsExactly(later, wrong);
        assertThat(jdbc.sql(fill(requeue, wrong)).update())
                .as("a delivered event is not re-queued")
                .isZero();
        // the bad one is discarded: out of the count, never sent again, marked as never delivered
        assertThat(jdbc.sql(fill(discard, bad)).update()).isEqualTo(1);
        relay.deliverDue();
        assertThat(telemetry.callsFor(bad)).isEqualTo(1);
        assertThat(relay.backlog().parked()).isZero();
        assertThat(relay.backlog().pending()).isZero();
        assertThat(jdbc.sql("select parked_at is not null and last_error like 'discarded by%' from outbox "
                                + "where event_id = ?::uuid")
                        .param(bad)
                        .query(Boolean.class)
                        .single())
                .isTrue();
    }

    private static String fill(String statement, String eventId) {
        return statement
                .replace("<event id>", eventId)
                .replace("<who>", "operator.test")
                .replace("<ticket>", "INC-1");
    }

    // ---- helpers

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

    private long writeUnreadable(int device) {
        return jdbc.sql("""
                        insert into outbox (event_id, destination, kind, subject_id, payload, created_at, next_attempt_at)
                        values (?, 'telemetry', 'INVENTORY_EVENT_KIND_DEVICE_STOLEN', ?, '\\x0a10ff'::bytea, now(), now())
                        returning id""")
                .params(UUID.randomUUID(), imei(device))
                .query(Long.class)
                .single();
    }

    private void declare(int n, LossKind kind) {
        fleetManager.registerDevice(register(phone(n, "GN-RBRE-GGD35")));
        fleetManager.assignDevice(AssignDeviceRequest.newBuilder()
                .setImei(imei(n))
                .setUnitCode("GN-RBRE-GGD35")
                .setHolderAgentId("AG-" + n)
                .build());
        fleetManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                .setImei(imei(n))
                .setKind(kind)
                .setPoliceReportReference("PV-" + n)
                .build());
    }

    private String eventOf(String imei) {
        return jdbc.sql("select event_id::text from outbox where subject_id = ?")
                .param(imei)
                .query(String.class)
                .single();
    }

    private String parkedReason(String eventId) {
        return jdbc.sql("select parked_reason from outbox where event_id = ?::uuid")
                .param(eventId)
                .query((rs, n) -> rs.getString(1))
                .list()
                .getFirst();
    }

    private boolean delivered(String eventId) {
        return jdbc.sql("select delivered_at is not null from outbox where event_id = ?::uuid")
                .param(eventId)
                .query(Boolean.class)
                .single();
    }

    private double gauge(String name) {
        return meters.get(name).tag("outbox", "inventory-events").gauge().value();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void awaitTrue(BooleanSupplier condition, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within " + timeout);
            }
            sleep(50);
        }
    }
}
