package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceRepairOutcome;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceRequest;
import fr.interieur.neogend.inventory.v1.FailDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.LossKind;
import fr.interieur.neogend.inventory.v1.MarkDeviceForReturnRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceFromRepairRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceRequest;
import fr.interieur.neogend.inventory.v1.SendDeviceToRepairRequest;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device under a repair of the accessories service leaves repair only when that repair is closed
 * (issue 17): managers' ReturnDeviceFromRepair and FailDeviceRepair are refused naming the repair,
 * EndDeviceRepair must name it, repeats change nothing, and a close racing a manager's return never
 * leaves the device and the repair apart. Over gRPC against real PostgreSQL.
 */
@ServiceIT
class DeviceRepairIT {

    private static final String CIE1 = "GN-RBRE-GGD35-CIE1";

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;
    InventoryServiceBlockingStub unitManager;
    InventoryServiceBlockingStub technician;

    @BeforeEach
    void connect() {
        fleetManager = as(TestTokens.fleetManager());
        unitManager = as(TestTokens.unitManager("GN-RBRE-GGD35"));
        // repairs are opened and closed through the accessories service (its token as the peer proof)
        technician =
                clients.through("accessories", TestTokens.technician("GN-RBRE"), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    InventoryServiceBlockingStub as(String token) {
        return clients.as(token, InventoryServiceGrpc::newBlockingStub);
    }

    Device device(int n) {
        return fleetManager
                .getDevice(GetDeviceRequest.newBuilder().setImei(imei(n)).build())
                .getDevice();
    }

    /** A phone of CIE1 assigned to an agent. */
    void assigned(int n) {
        fleetManager.registerDevice(register(phone(n, "GN-RBRE-GGD35")));
        fleetManager.assignDevice(AssignDeviceRequest.newBuilder()
                .setImei(imei(n))
                .setUnitCode(CIE1)
                .setHolderAgentId("AG-" + n)
                .build());
    }

    StartDeviceRepairRequest start(int n, String repair) {
        return StartDeviceRepairRequest.newBuilder()
                .setImei(imei(n))
                .setRepairId(repair)
                .build();
    }

    EndDeviceRepairRequest end(int n, String repair, DeviceRepairOutcome outcome) {
        return EndDeviceRepairRequest.newBuilder()
                .setImei(imei(n))
                .setRepairId(repair)
                .setOutcome(outcome)
                .setReason(
                        outcome == DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED
                                ? "repair " + repair + " failed"
                                : "")
                .build();
    }

    long historyCount(int n, String action) {
        return jdbc.sql("select count(*) from history where device_imei = ? and subject_type = 'DEVICE' and action = ?")
                .params(imei(n), action)
                .query(Long.class)
                .single();
    }

    /** A spare phone (in no pack) in GN-RBRE-GGD35's stock. */
    void spare(int n) {
        fleetManager.registerDevice(
                register(phone(n, "GN-RBRE-GGD35").clearPackType().clearAgreementId()));
    }

    List<String> outboxKinds() {
        return jdbc.sql("select subject_id || ':' || kind from outbox order by id")
                .query(String.class)
                .list();
    }

    /** Device 1, assigned, then taken under repair RP-000001 by the technician. */
    Device underRepair() {
        assigned(1);
        return technician.startDeviceRepair(start(1, "RP-000001")).getDevice();
    }

    @Test
    void aRepairTakesTheDeviceAndARepeatedOpenChangesNothing() {
        Device started = underRepair();
        assertThat(started.getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_REPAIR);
        assertThat(started.getRepairId()).isEqualTo("RP-000001");
        // a repeat (an open retried after a lost answer) changes nothing
        assertThat(technician
                        .startDeviceRepair(start(1, "RP-000001"))
                        .getDevice()
                        .getVersion())
                .isEqualTo(started.getVersion());
    }

    @Test
    void repairsAreOpenedAndClosedOnlyThroughTheAccessoriesServiceNeverOnATechniciansTokenAlone() {
        // a technician who reached inventory's port directly opened a repair no accessories record knows
        // (skipping its certification check) or closed another's: both RPCs need accessories' own token too
        assigned(1);
        String token = TestTokens.technician("GN-RBRE");
        var direct = as(token);
        var throughOrder = clients.through("order", token, InventoryServiceGrpc::newBlockingStub);
        var throughAClientNamedLikeIt = GrpcTestClients.withTokens(
                InventoryServiceGrpc.newBlockingStub(clients.channel()),
                token,
                TestTokens.userOfClient("technician", "technician", "GN-RBRE", "neogend-accessories"));
        assertStatus(
                () -> direct.startDeviceRepair(start(1, "RP-000009")),
                Status.Code.PERMISSION_DENIED,
                "only through neogend-accessories");
        assertStatus(
                () -> throughOrder.startDeviceRepair(start(1, "RP-000009")),
                Status.Code.PERMISSION_DENIED,
                "only through neogend-accessories");
        // a user's token as the proof is no service's account at all
        assertStatus(
                () -> throughAClientNamedLikeIt.startDeviceRepair(start(1, "RP-000009")),
                Status.Code.PERMISSION_DENIED,
                "not a valid token of a service's own account");
        assertThat(device(1).getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);

        technician.startDeviceRepair(start(1, "RP-000001"));
        for (var stub : List.of(direct, throughOrder, throughAClientNamedLikeIt)) {
            GrpcAssertions.assertCode(
                    Status.Code.PERMISSION_DENIED,
                    () -> stub.endDeviceRepair(
                            end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)));
        }
        // accessories' account is no technician: the user's role is still required
        assertStatus(
                () -> GrpcTestClients.withTokens(
                                InventoryServiceGrpc.newBlockingStub(clients.channel()),
                                TestTokens.peer("accessories"),
                                TestTokens.peer("accessories"))
                        .endDeviceRepair(end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)),
                Status.Code.PERMISSION_DENIED,
                "technician");
        assertThat(device(1).getRepairId()).isEqualTo("RP-000001");
        assertThat(technician
                        .endDeviceRepair(end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED))
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
    }

    @Test
    void neitherAnotherRepairNorAManagersRouteTakesADeviceUnderRepair() {
        underRepair();
        assertStatus(
                () -> technician.startDeviceRepair(start(1, "RP-000002")),
                Status.Code.FAILED_PRECONDITION,
                "is under repair RP-000001 already");
        for (var manager : List.of(fleetManager, unitManager, technician)) {
            assertStatus(
                    () -> manager.returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                            .setImei(imei(1))
                            .build()),
                    Status.Code.FAILED_PRECONDITION,
                    "is under repair RP-000001");
            assertStatus(
                    () -> manager.failDeviceRepair(FailDeviceRepairRequest.newBuilder()
                            .setImei(imei(1))
                            .setReason("broken")
                            .build()),
                    Status.Code.FAILED_PRECONDITION,
                    "is under repair RP-000001");
        }
    }

    @Test
    void markForReturnExchangeAndWriteOffNeverTakeADeviceOutOfItsOpenRepair() {
        underRepair();
        spare(2);
        assigned(3);
        spare(4);
        technician.startDeviceRepair(start(4, "RP-000002")); // a spare repaired in the depot
        String leaves = " (accessories service); it leaves repair only when that repair is closed";
        Device spare = device(2);
        Device other = device(3);
        Device spareUnderRepair = device(4);
        var markForReturn =
                MarkDeviceForReturnRequest.newBuilder().setImei(imei(1)).build();
        var exchange = ExchangeDeviceRequest.newBuilder()
                .setImei(imei(1))
                .setReplacementImei(imei(2))
                .setReason("screen broken")
                .build();
        var writeOff = ReturnDeviceRequest.newBuilder().setImei(imei(1)).build();
        assertStatus(
                () -> fleetManager.markDeviceForReturn(markForReturn),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(1) + " is under repair RP-000001" + leaves);
        assertStatus(
                () -> fleetManager.exchangeDevice(exchange),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(1) + " is under repair RP-000001" + leaves);
        // a spare under repair is not put into a pack either
        assertStatus(
                () -> fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                        .setImei(imei(3))
                        .setReplacementImei(imei(4))
                        .setReason("screen broken")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(4) + " is under repair RP-000002" + leaves);

        // lost from the depot meanwhile (rule 11: never refused): still under its repair, so neither
        // written off, exchanged out nor marked for return before that repair is closed
        Device lost = unitManager
                .declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(1))
                        .setKind(LossKind.LOSS_KIND_LOST)
                        .setPoliceReportReference("PV-35-1")
                        .build())
                .getDevice();
        assertThat(lost.getState()).isEqualTo(DeviceState.DEVICE_STATE_LOST);
        assertThat(lost.getRepairId()).isEqualTo("RP-000001");
        assertStatus(
                () -> fleetManager.returnDevice(writeOff),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(1) + " is under repair RP-000001" + leaves);
        assertStatus(
                () -> fleetManager.exchangeDevice(exchange),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(1) + " is under repair RP-000001" + leaves);
        assertStatus(
                () -> fleetManager.markDeviceForReturn(markForReturn),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(1) + " is under repair RP-000001" + leaves);

        // the refused calls changed nothing
        assertThat(device(1)).isEqualTo(lost);
        assertThat(device(2)).isEqualTo(spare);
        assertThat(device(3)).isEqualTo(other);
        assertThat(device(4)).isEqualTo(spareUnderRepair);
        for (String action : List.of("MARK_FOR_RETURN", "EXCHANGE_OUT", "EXCHANGE_IN", "RETURN")) {
            assertThat(historyCount(1, action) + historyCount(2, action) + historyCount(4, action))
                    .as(action)
                    .isZero();
        }
        assertThat(outboxKinds()).containsExactly(imei(1) + ":INVENTORY_EVENT_KIND_DEVICE_LOST");
    }

    @Test
    void aDeviceLostOrStolenUnderRepairStaysSoAndTheRepairsCloseStillReleasesIt() {
        record Case(int n, LossKind kind, DeviceRepairOutcome outcome, DeviceState state) {}
        List<Case> cases = List.of(
                new Case(
                        40,
                        LossKind.LOSS_KIND_LOST,
                        DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED,
                        DeviceState.DEVICE_STATE_LOST),
                new Case(
                        41,
                        LossKind.LOSS_KIND_LOST,
                        DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED,
                        DeviceState.DEVICE_STATE_LOST),
                new Case(
                        42,
                        LossKind.LOSS_KIND_STOLEN,
                        DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED,
                        DeviceState.DEVICE_STATE_STOLEN),
                new Case(
                        43,
                        LossKind.LOSS_KIND_STOLEN,
                        DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED,
                        DeviceState.DEVICE_STATE_STOLEN));
        List<String> losses = new ArrayList<>();
        for (Case c : cases) {
            int n = c.n();
            String repair = String.format("RP-%06d", 300 + n);
            assigned(n);
            technician.startDeviceRepair(start(n, repair));
            Device declared = unitManager
                    .declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                            .setImei(imei(n))
                            .setKind(c.kind())
                            .setPoliceReportReference("PV-35-" + n)
                            .build())
                    .getDevice();
            losses.add(
                    imei(n) + ":INVENTORY_EVENT_KIND_DEVICE_" + c.state().name().substring("DEVICE_STATE_".length()));
            assertThat(declared.getState()).as("%s", c).isEqualTo(c.state());
            assertThat(declared.getRepairId()).as("%s", c).isEqualTo(repair);

            Device closed =
                    technician.endDeviceRepair(end(n, repair, c.outcome())).getDevice();
            assertThat(closed.getState()).as("%s", c).isEqualTo(c.state());
            assertThat(closed.getRepairId()).as("%s", c).isEmpty();
            assertThat(closed.getPoliceReportReference()).isEqualTo("PV-35-" + n);
            assertThat(device(n)).isEqualTo(closed);
            // the close repeated after a lost answer changes nothing; the other outcome is refused
            assertThat(technician
                            .endDeviceRepair(end(n, repair, c.outcome()))
                            .getDevice()
                            .getVersion())
                    .as("%s", c)
                    .isEqualTo(closed.getVersion());
            assertStatus(
                    () -> technician.endDeviceRepair(end(
                            n,
                            repair,
                            c.outcome() == DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED
                                    ? DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED
                                    : DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)),
                    Status.Code.FAILED_PRECONDITION,
                    "was closed as");
            assertThat(device(n).getVersion()).isEqualTo(closed.getVersion());
        }
        // each loss or theft queued its event (telemetry's revocation, LOCK and WIPE) at once, and the
        // closes queued nothing more
        assertThat(outboxKinds()).containsExactlyElementsOf(losses);
        // released, the device is written off as any lost or stolen one
        assertThat(fleetManager
                        .returnDevice(ReturnDeviceRequest.newBuilder()
                                .setImei(imei(40))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_RETURNED);
    }

    @Test
    void aCloseMustNameTheRepairTheDeviceIsUnderAndAnOutcome() {
        Device started = underRepair();
        assertStatus(
                () -> technician.endDeviceRepair(
                        end(1, "RP-000009", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)),
                Status.Code.FAILED_PRECONDITION,
                "is not under repair RP-000009 (it is under repair RP-000001)");
        assertStatus(
                () -> technician.endDeviceRepair(end(1, "", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)),
                Status.Code.INVALID_ARGUMENT,
                "repair_id");
        assertStatus(
                () -> technician.endDeviceRepair(
                        end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_UNSPECIFIED)),
                Status.Code.INVALID_ARGUMENT,
                "outcome");
        assertThat(device(1).getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_REPAIR);
        assertThat(device(1).getVersion()).isEqualTo(started.getVersion());
    }

    @Test
    void theCloseGivesTheDeviceBackOnceAndItsRepeatChangesNothing() {
        underRepair();
        Device ended = technician
                .endDeviceRepair(end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED))
                .getDevice();
        assertThat(ended.getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(ended.getRepairId()).isEmpty();
        // the close repeated (its answer lost): nothing more; repeated with another outcome: refused
        assertThat(technician
                        .endDeviceRepair(end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED))
                        .getDevice()
                        .getVersion())
                .isEqualTo(ended.getVersion());
        assertStatus(
                () -> technician.endDeviceRepair(end(1, "RP-000001", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED)),
                Status.Code.FAILED_PRECONDITION,
                "was closed as REPAIRED in inventory already");
        assertThat(historyCount(1, "RETURN_FROM_REPAIR")).isEqualTo(1);
        // and the route naming no repair is open again for devices under none
        assertStatus(
                () -> fleetManager.returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                        .setImei(imei(1))
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "is ASSIGNED");
    }

    @Test
    void aDeviceSentToRepairByAManagerIsTakenUnderTheRepairAndAFailedRepairSendsItPendingReturn() {
        assigned(2);
        fleetManager.sendDeviceToRepair(
                SendDeviceToRepairRequest.newBuilder().setImei(imei(2)).build());
        assertThat(device(2).getRepairId()).isEmpty();
        assertStatus(
                () -> technician.startDeviceRepair(start(2, "RP-000003").toBuilder()
                        .setReplacesRepairId("RP-000002")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "under no repair");
        assertThat(technician
                        .startDeviceRepair(start(2, "RP-000003"))
                        .getDevice()
                        .getRepairId())
                .isEqualTo("RP-000003");
        // an open interrupted before the accessories service recorded it: replaced by name only
        assertThat(technician
                        .startDeviceRepair(start(2, "RP-000004").toBuilder()
                                .setReplacesRepairId("RP-000003")
                                .build())
                        .getDevice()
                        .getRepairId())
                .isEqualTo("RP-000004");
        assertStatus(
                () -> technician.startDeviceRepair(start(2, "RP-000005").toBuilder()
                        .setReplacesRepairId("RP-000003")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "under repair RP-000004");

        assertStatus(
                () -> technician.endDeviceRepair(
                        end(2, "RP-000004", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED).toBuilder()
                                .setReason("")
                                .build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        Device failed = technician
                .endDeviceRepair(end(2, "RP-000004", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED))
                .getDevice();
        assertThat(failed.getState()).isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(failed.getRepairId()).isEmpty();
        assertThat(technician
                        .endDeviceRepair(end(2, "RP-000004", DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED))
                        .getDevice()
                        .getVersion())
                .isEqualTo(failed.getVersion());
        assertThat(jdbc.sql("select after->>'reason' from history where device_imei = ? and subject_type = 'DEVICE' "
                                + "and action = 'FAIL_REPAIR'")
                        .param(imei(2))
                        .query(String.class)
                        .single())
                .isEqualTo("repair RP-000004 failed");
        // a technician who may not see the device is told nothing of it
        assertStatus(
                () -> clients.through(
                                "accessories", TestTokens.technician("GN-RIDF"), InventoryServiceGrpc::newBlockingStub)
                        .startDeviceRepair(start(2, "RP-000006")),
                Status.Code.NOT_FOUND,
                "");
    }

    @Test
    void aCloseRacingAManagersReturnFromRepairNeverLeavesTheDeviceAndTheRepairApart() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 10; round++) {
                int n = 10 + round;
                assigned(n);
                String repair = String.format("RP-%06d", 100 + round);
                technician.startDeviceRepair(start(n, repair));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                outcomes.add(pool.submit(attempt(
                        go,
                        () -> technician.endDeviceRepair(
                                end(n, repair, DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED)))));
                outcomes.add(pool.submit(attempt(
                        go,
                        () -> fleetManager.returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                                .setImei(imei(n))
                                .build()))));
                outcomes.add(pool.submit(attempt(
                        go,
                        () -> unitManager.returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                                .setImei(imei(n))
                                .build()))));
                go.countDown();
                List<String> results = new ArrayList<>();
                for (Future<String> f : outcomes) {
                    results.add(f.get(60, TimeUnit.SECONDS));
                }
                // the close goes through (or, having lost a version race, is simply repeated); the
                // managers' returns never do
                if (!results.get(0).equals("OK")) {
                    assertThat(results.get(0)).isEqualTo("ABORTED");
                    technician.endDeviceRepair(end(n, repair, DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED));
                }
                assertThat(results.subList(1, 3))
                        .as("round %d: %s", round, results)
                        .allMatch(r -> r.equals("FAILED_PRECONDITION") || r.equals("ABORTED"));
                Device d = device(n);
                assertThat(d.getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
                assertThat(d.getRepairId()).isEmpty();
                assertThat(historyCount(n, "RETURN_FROM_REPAIR"))
                        .as("round %d", round)
                        .isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRepairTakingADeviceRacingAManagersReturnOneWinsAndTheyNeverDiverge() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                int n = 30 + round;
                assigned(n);
                fleetManager.sendDeviceToRepair(
                        SendDeviceToRepairRequest.newBuilder().setImei(imei(n)).build());
                String repair = String.format("RP-%06d", 200 + round);
                CountDownLatch go = new CountDownLatch(1);
                Future<String> taken = pool.submit(attempt(go, () -> technician.startDeviceRepair(start(n, repair))));
                Future<String> returned = pool.submit(attempt(
                        go,
                        () -> fleetManager.returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                                .setImei(imei(n))
                                .build())));
                go.countDown();
                String t = taken.get(60, TimeUnit.SECONDS);
                String r = returned.get(60, TimeUnit.SECONDS);
                Device d = device(n);
                if (t.equals("OK")) {
                    // under the repair (the return refused, beaten, or done before the repair took it
                    // from ASSIGNED back to IN_REPAIR): the device waits for that repair's close
                    assertThat(d.getState())
                            .as("round %d: %s %s", round, t, r)
                            .isEqualTo(DeviceState.DEVICE_STATE_IN_REPAIR);
                    assertThat(d.getRepairId()).isEqualTo(repair);
                } else {
                    // returned first and the repair refused (its open fails): nothing recorded of it
                    assertThat(r).as("round %d", round).isEqualTo("OK");
                    assertThat(t).isIn("FAILED_PRECONDITION", "ABORTED");
                    assertThat(d.getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
                    assertThat(d.getRepairId()).isEmpty();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Callable<String> attempt(CountDownLatch go, Runnable call) {
        return () -> {
            go.await();
            try {
                call.run();
                return "OK";
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode().name();
            }
        };
    }
}
