package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceRequest;
import fr.interieur.neogend.inventory.v1.FailDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetPackRequest;
import fr.interieur.neogend.inventory.v1.HistoryEntry;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.ListDeviceHistoryRequest;
import fr.interieur.neogend.inventory.v1.LossKind;
import fr.interieur.neogend.inventory.v1.MarkDeviceForReturnRequest;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.ReturnDeviceFromRepairRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceRequest;
import fr.interieur.neogend.inventory.v1.SendDeviceToRepairRequest;
import fr.interieur.neogend.inventory.v1.UnassignDeviceRequest;
import fr.interieur.neogend.testkit.ContractRules;
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

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static fr.interieur.neogend.testkit.ProtoEnums.shortName;
import static org.assertj.core.api.Assertions.assertThat;

/** Devices and packs through their life (DOMAIN rules 8–11), over gRPC against real PostgreSQL. */
@ServiceIT
class LifecycleIT {

    private static final String CIE1 = "GN-RBRE-GGD35-CIE1";

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        fleetManager = as(TestTokens.fleetManager());
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

    AssignDeviceRequest.Builder assign(int n, String unit, String agent) {
        var b = AssignDeviceRequest.newBuilder().setImei(imei(n)).setUnitCode(unit);
        if (agent != null) {
            b.setHolderAgentId(agent);
        }
        return b;
    }

    Device spare(int n, DeviceKind kind) {
        return fleetManager
                .registerDevice(register(phone(n, "GN-RBRE-GGD35")
                        .clearPackType()
                        .clearAgreementId()
                        .setKind(kind)))
                .getDevice();
    }

    @Test
    void anIndividualPackThroughItsWholeLife() {
        Device registered =
                fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35"))).getDevice();
        assertThat(registered.getPackId()).startsWith("PK-");
        var pack = fleetManager
                .getPack(GetPackRequest.newBuilder()
                        .setId(registered.getPackId())
                        .build())
                .getPack();
        LocalDate today = LocalDate.now(ZoneId.of("Europe/Paris"));
        assertThat(pack.getLeaseStart().getDay()).isEqualTo(today.getDayOfMonth());
        assertThat(pack.hasLeaseEnd()).isFalse();

        var assigned = fleetManager.assignDevice(assign(1, CIE1, "AG-1234")
                .addAccessories("case")
                .addAccessories("car-charger")
                .build());
        assertThat(assigned.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(assigned.getDevice().getUnitCode()).isEqualTo(CIE1);
        assertThat(assigned.getDevice().getHolderAgentId()).isEqualTo("AG-1234");
        assertThat(assigned.getPack().getAccessoriesList()).containsExactly("case", "car-charger");

        var technician = as(TestTokens.technician("GN-RBRE"));
        assertThat(technician
                        .sendDeviceToRepair(SendDeviceToRepairRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_IN_REPAIR);
        assertThat(technician
                        .returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(fleetManager
                        .unassignDevice(UnassignDeviceRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(fleetManager
                        .sendDeviceToRepair(SendDeviceToRepairRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_IN_REPAIR);
        assertThat(fleetManager
                        .returnDeviceFromRepair(ReturnDeviceFromRepairRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        fleetManager.assignDevice(assign(1, CIE1, "AG-5678").build());
        assertThat(fleetManager
                        .markDeviceForReturn(MarkDeviceForReturnRequest.newBuilder()
                                .setImei(imei(1))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
        var returned = fleetManager.returnDevice(
                ReturnDeviceRequest.newBuilder().setImei(imei(1)).build());
        assertThat(returned.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_RETURNED);
        var ended = fleetManager
                .getPack(GetPackRequest.newBuilder()
                        .setId(registered.getPackId())
                        .build())
                .getPack();
        assertThat(ended.getLeaseEnd().getDay()).isEqualTo(today.getDayOfMonth());

        assertStatus(
                () -> fleetManager.assignDevice(assign(1, CIE1, "AG-1").build()),
                Status.Code.FAILED_PRECONDITION,
                "is RETURNED; cannot assign it");

        List<HistoryEntry> history = fleetManager
                .listDeviceHistory(ListDeviceHistoryRequest.newBuilder()
                        .setImei(imei(1))
                        .setPageSize(100)
                        .build())
                .getEntriesList();
        assertThat(history)
                .extracting(e -> shortName(e.getSubjectType()) + ":" + e.getAction())
                .containsExactly(
                        "DEVICE:REGISTER",
                        "PACK:START_LEASE",
                        "DEVICE:ASSIGN",
                        "PACK:ASSIGN",
                        "DEVICE:SEND_TO_REPAIR",
                        "DEVICE:RETURN_FROM_REPAIR",
                        "DEVICE:UNASSIGN",
                        "PACK:UNASSIGN",
                        "DEVICE:SEND_TO_REPAIR",
                        "DEVICE:RETURN_FROM_REPAIR",
                        "DEVICE:ASSIGN",
                        "PACK:ASSIGN",
                        "DEVICE:MARK_FOR_RETURN",
                        "DEVICE:RETURN",
                        "PACK:RETURN");
        HistoryEntry repair = history.get(4);
        assertThat(repair.getActor()).isEqualTo("technician");
        assertThat(repair.getBefore().getFieldsOrThrow("state").getStringValue())
                .isEqualTo("ASSIGNED");
        assertThat(repair.getAfter().getFieldsOrThrow("state").getStringValue()).isEqualTo("IN_REPAIR");
        assertThat(history.get(3).getAfter().getFieldsOrThrow("holder_agent_id").getStringValue())
                .isEqualTo("AG-1234");
    }

    @Test
    void illegalTransitionsAndBadRequestsNameTheProblem() {
        fleetManager.registerDevice(register(phone(2, "GN-RBRE-GGD35")));
        fleetManager.registerDevice(register(phone(3, "GN-RBRE-GGD35")
                .setKind(DeviceKind.DEVICE_KIND_TABLET)
                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)));
        spare(4, DeviceKind.DEVICE_KIND_PHONE);

        assertStatus(
                () -> fleetManager.unassignDevice(
                        UnassignDeviceRequest.newBuilder().setImei(imei(2)).build()),
                Status.Code.FAILED_PRECONDITION,
                "device " + imei(2) + " is IN_STOCK; cannot unassign it");
        assertStatus(
                () -> fleetManager.assignDevice(assign(2, CIE1, null).build()),
                Status.Code.INVALID_ARGUMENT,
                "holder_agent_id");
        assertStatus(
                () -> fleetManager.assignDevice(assign(3, CIE1, "AG-1").build()),
                Status.Code.INVALID_ARGUMENT,
                "holder_agent_id");
        assertStatus(
                () -> fleetManager.assignDevice(assign(2, "GN-NOWHERE", "AG-1").build()),
                Status.Code.INVALID_ARGUMENT,
                "unit_code");
        assertStatus(
                () -> fleetManager.assignDevice(assign(4, CIE1, "AG-1").build()),
                Status.Code.FAILED_PRECONDITION,
                "spare outside any pack");
        assertThat(fleetManager
                        .assignDevice(assign(3, CIE1, null).build())
                        .getPack()
                        .getHolderAgentId())
                .isEmpty();

        assertStatus(
                () -> fleetManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(2))
                        .setKind(LossKind.LOSS_KIND_LOST)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "police_report_reference");
        assertStatus(
                () -> fleetManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(2))
                        .setPoliceReportReference("PV-1")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "kind");
        var lost = fleetManager
                .declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(2))
                        .setKind(LossKind.LOSS_KIND_LOST)
                        .setPoliceReportReference("PV-2026-000123")
                        .build())
                .getDevice();
        assertThat(lost.getState()).isEqualTo(DeviceState.DEVICE_STATE_LOST);
        assertThat(lost.getPoliceReportReference()).isEqualTo("PV-2026-000123");
        assertStatus(
                () -> fleetManager.assignDevice(assign(2, CIE1, "AG-1").build()),
                Status.Code.FAILED_PRECONDITION,
                "is LOST; cannot assign it");
        assertStatus(
                () -> fleetManager.sendDeviceToRepair(
                        SendDeviceToRepairRequest.newBuilder().setImei(imei(2)).build()),
                Status.Code.FAILED_PRECONDITION,
                "is LOST");
        assertStatus(
                () -> fleetManager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(99)).build()),
                Status.Code.NOT_FOUND,
                "no device");
        // the refused calls changed nothing
        assertThat(device(2).getVersion()).isEqualTo(1);
    }

    /**
     * A reason as long as the contract lets it be is recorded; one character more is refused naming it — the
     * contract (1,000 characters, line breaks allowed) had promised ten times what inventory keeps.
     */
    @Test
    void aReasonAsLongAsTheContractAllowsIsRecordedAndOneMoreCharacterIsRefusedNamingIt() {
        fleetManager.registerDevice(register(phone(40, "GN-RBRE-GGD35")));
        fleetManager.assignDevice(assign(40, CIE1, "AG-40").build());
        spare(41, DeviceKind.DEVICE_KIND_PHONE);
        int exchangeMost = ContractRules.maxLength(ExchangeDeviceRequest.getDescriptor(), "reason");
        var exchange = ExchangeDeviceRequest.newBuilder().setImei(imei(40)).setReplacementImei(imei(41));
        assertStatus(
                () -> fleetManager.exchangeDevice(
                        exchange.clone().setReason("é".repeat(exchangeMost + 1)).build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertThat(fleetManager
                        .exchangeDevice(
                                exchange.setReason("é".repeat(exchangeMost)).build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);

        fleetManager.registerDevice(register(phone(42, "GN-RBRE-GGD35")));
        fleetManager.sendDeviceToRepair(
                SendDeviceToRepairRequest.newBuilder().setImei(imei(42)).build());
        int failMost = ContractRules.maxLength(FailDeviceRepairRequest.getDescriptor(), "reason");
        var fail = FailDeviceRepairRequest.newBuilder().setImei(imei(42));
        assertStatus(
                () -> fleetManager.failDeviceRepair(
                        fail.clone().setReason("é".repeat(failMost + 1)).build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertThat(fleetManager
                        .failDeviceRepair(fail.setReason("é".repeat(failMost)).build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
    }

    @Test
    void exchangeKeepsThePackItsHolderAndLeaseAndSendsTheOldDeviceBack() {
        Device old = fleetManager
                .registerDevice(register(phone(10, "GN-RBRE-GGD35")))
                .getDevice();
        fleetManager.assignDevice(assign(10, CIE1, "AG-10").build());
        spare(11, DeviceKind.DEVICE_KIND_PHONE);
        spare(12, DeviceKind.DEVICE_KIND_TABLET);
        fleetManager.registerDevice(register(phone(13, "GN-RBRE-GGD35")));
        var before = fleetManager
                .getPack(GetPackRequest.newBuilder().setId(old.getPackId()).build())
                .getPack();

        var exchange = ExchangeDeviceRequest.newBuilder().setImei(imei(10)).setReason("screen broken");
        assertStatus(
                () -> fleetManager.exchangeDevice(
                        exchange.clone().setReplacementImei(imei(12)).build()),
                Status.Code.FAILED_PRECONDITION,
                "a TABLET cannot replace a PHONE");
        assertStatus(
                () -> fleetManager.exchangeDevice(
                        exchange.clone().setReplacementImei(imei(13)).build()),
                Status.Code.FAILED_PRECONDITION,
                "in pack");
        assertStatus(
                () -> fleetManager.exchangeDevice(exchange.clone()
                        .setReplacementImei(imei(11))
                        .clearReason()
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertStatus(
                () -> as(TestTokens.unitManager("GN-RBRE"))
                        .exchangeDevice(
                                exchange.clone().setReplacementImei(imei(11)).build()),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");

        var done = fleetManager.exchangeDevice(
                exchange.clone().setReplacementImei(imei(11)).build());
        assertThat(done.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(done.getDevice().getPackId()).isEmpty();
        assertThat(done.getReplacement().getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(done.getReplacement().getPackId()).isEqualTo(old.getPackId());
        assertThat(done.getReplacement().getHolderAgentId()).isEqualTo("AG-10");
        assertThat(done.getReplacement().getUnitCode()).isEqualTo(CIE1);
        assertThat(done.getPack().getDeviceImei()).isEqualTo(imei(11));
        assertThat(done.getPack().getLeaseStart()).isEqualTo(before.getLeaseStart());
        assertThat(done.getPack().hasLeaseEnd()).isFalse();

        // the old device goes back without ending the pack: its days are never billed twice
        fleetManager.returnDevice(
                ReturnDeviceRequest.newBuilder().setImei(imei(10)).build());
        assertThat(fleetManager
                        .getPack(GetPackRequest.newBuilder()
                                .setId(old.getPackId())
                                .build())
                        .getPack()
                        .hasLeaseEnd())
                .isFalse();
        assertThat(outboxKinds())
                .containsExactly(
                        imei(10) + ":INVENTORY_EVENT_KIND_DEVICE_EXCHANGED",
                        imei(10) + ":INVENTORY_EVENT_KIND_DEVICE_RETURNED");
    }

    @Test
    void aFailedRepairSendsTheDeviceBackAndItsPackRunsUntilTheReplacementIsExchangedIn() {
        Device old = fleetManager
                .registerDevice(register(phone(30, "GN-RBRE-GGD35")))
                .getDevice();
        fleetManager.assignDevice(assign(30, CIE1, "AG-30").build());
        spare(31, DeviceKind.DEVICE_KIND_PHONE);
        var technician = as(TestTokens.technician("GN-RBRE"));
        var fail = FailDeviceRepairRequest.newBuilder().setImei(imei(30)).setReason("mainboard dead");
        assertStatus(
                () -> technician.failDeviceRepair(fail.build()),
                Status.Code.FAILED_PRECONDITION,
                "is ASSIGNED; cannot close its repair as failed");
        technician.sendDeviceToRepair(
                SendDeviceToRepairRequest.newBuilder().setImei(imei(30)).build());
        assertStatus(
                () -> technician.failDeviceRepair(fail.clone().clearReason().build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertStatus(
                () -> as(TestTokens.technician("GN-RIDF")).failDeviceRepair(fail.build()), Status.Code.NOT_FOUND, "");
        assertStatus(() -> as(TestTokens.auditor()).failDeviceRepair(fail.build()), Status.Code.PERMISSION_DENIED, "");

        var failed = technician.failDeviceRepair(fail.build());
        assertThat(failed.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(failed.getPack().getHolderAgentId()).isEqualTo("AG-30");
        assertThat(failed.getPack().hasLeaseEnd()).isFalse();
        // the supplier's replacement arrives: exchanged in, the pack keeps holder and lease
        var done = fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                .setImei(imei(30))
                .setReplacementImei(imei(31))
                .setReason("failed repair")
                .build());
        assertThat(done.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_PENDING_RETURN);
        assertThat(done.getReplacement().getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(done.getPack().getId()).isEqualTo(old.getPackId());
        assertThat(done.getPack().getLeaseStart()).isEqualTo(failed.getPack().getLeaseStart());
    }

    @Test
    void aStolenDeviceIsExchangedThenWrittenOffAndItsEventsAreQueuedAtOnce() {
        fleetManager.registerDevice(register(phone(20, "GN-RBRE-GGD35")));
        fleetManager.assignDevice(assign(20, CIE1, "AG-20").build());
        spare(21, DeviceKind.DEVICE_KIND_PHONE);
        var manager = as(TestTokens.unitManager("GN-RBRE-GGD35"));
        manager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                .setImei(imei(20))
                .setKind(LossKind.LOSS_KIND_STOLEN)
                .setPoliceReportReference("PV-35-77")
                .build());
        assertThat(outboxKinds()).containsExactly(imei(20) + ":INVENTORY_EVENT_KIND_DEVICE_STOLEN");

        var done = fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                .setImei(imei(20))
                .setReplacementImei(imei(21))
                .setReason("stolen")
                .build());
        assertThat(done.getDevice().getState()).isEqualTo(DeviceState.DEVICE_STATE_STOLEN);
        assertThat(done.getReplacement().getState()).isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertThat(fleetManager
                        .returnDevice(ReturnDeviceRequest.newBuilder()
                                .setImei(imei(20))
                                .build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_RETURNED);
    }

    @Test
    void ofTwoConcurrentAssignmentsOneWinsAndNothingIsLost() throws Exception {
        fleetManager.registerDevice(register(phone(30, "GN-RBRE-GGD35")));
        long version = device(30).getVersion();
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String agent = "AG-" + i;
            var client = i % 2 == 0 ? fleetManager : as(TestTokens.unitManager("GN-RBRE"));
            outcomes.add(pool.submit((Callable<String>) () -> {
                start.await();
                try {
                    client.assignDevice(
                            assign(30, CIE1, agent).setExpectedVersion(version).build());
                    return "OK " + agent;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            }));
        }
        start.countDown();
        List<String> results = new ArrayList<>();
        for (Future<String> f : outcomes) {
            results.add(f.get());
        }
        pool.shutdown();
        assertThat(results.stream().filter(r -> r.startsWith("OK"))).hasSize(1);
        assertThat(results.stream().filter(r -> !r.startsWith("OK"))).allMatch(r -> r.equals("ABORTED"));
        String winner = results.stream()
                .filter(r -> r.startsWith("OK"))
                .findFirst()
                .orElseThrow()
                .substring(3);
        Device stored = device(30);
        assertThat(stored.getHolderAgentId()).isEqualTo(winner);
        assertThat(stored.getVersion()).isEqualTo(version + 1);
        assertThat(jdbc.sql("select count(*) from history where device_imei = ? and action = 'ASSIGN'")
                        .param(imei(30))
                        .query(Long.class)
                        .single())
                .isEqualTo(2); // the device's and the pack's
        // the loser retries with what it reads now: a clear precondition, no lost update
        assertStatus(
                () -> fleetManager.assignDevice(assign(30, CIE1, "AG-late")
                        .setExpectedVersion(stored.getVersion())
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "is ASSIGNED");
        assertStatus(
                () -> fleetManager.assignDevice(
                        assign(30, CIE1, "AG-late").setExpectedVersion(version).build()),
                Status.Code.ABORTED,
                "changed since you read it");
    }

    @Test
    void aUnitManagerWhoIsAlsoAnAuditorStillActsOnItsOwnSubtreeOnly() {
        fleetManager.registerDevice(register(phone(42, "GN-RBRE-GGD35")));
        fleetManager.registerDevice(register(phone(43, "GN-RBRE-GGD350")));
        var both = as(TestTokens.userWithRoles(
                "unit.manager.auditor", java.util.List.of("unit-manager", "auditor"), "GN-RBRE-GGD35"));

        assertThat(both.assignDevice(assign(42, CIE1, "AG-42").build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        // the auditor's whole-fleet reading is not the unit manager's reach to change things
        assertStatus(
                () -> both.assignDevice(assign(43, "GN-RBRE-GGD350", "AG-43").build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertStatus(
                () -> both.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(43))
                        .setKind(LossKind.LOSS_KIND_STOLEN)
                        .setPoliceReportReference("PV-43")
                        .build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertThat(fleetManager
                        .getDevice(
                                GetDeviceRequest.newBuilder().setImei(imei(43)).build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
    }

    @Test
    void aUnitManagerActsOnItsOwnSubtreeOnly() {
        fleetManager.registerDevice(register(phone(40, "GN-RBRE-GGD35")));
        Device sibling = fleetManager
                .registerDevice(register(phone(41, "GN-RBRE-GGD350")))
                .getDevice();
        var manager = as(TestTokens.unitManager("GN-RBRE-GGD35"));

        assertThat(manager.assignDevice(assign(40, CIE1, "AG-40").build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
        assertStatus(
                () -> manager.assignDevice(assign(41, "GN-RBRE-GGD350", "AG-41").build()),
                Status.Code.NOT_FOUND,
                "no device");
        manager.unassignDevice(
                UnassignDeviceRequest.newBuilder().setImei(imei(40)).build());
        assertStatus(
                () -> manager.assignDevice(assign(40, "GN-RIDF", "AG-40").build()),
                Status.Code.PERMISSION_DENIED,
                "outside your unit");
        assertStatus(
                () -> manager.listDeviceHistory(
                        ListDeviceHistoryRequest.newBuilder().setImei(imei(41)).build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertStatus(
                () -> manager.getPack(
                        GetPackRequest.newBuilder().setId(sibling.getPackId()).build()),
                Status.Code.NOT_FOUND,
                "no pack");
        assertStatus(
                () -> manager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                        .setImei(imei(41))
                        .setKind(LossKind.LOSS_KIND_LOST)
                        .setPoliceReportReference("PV-1")
                        .build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertStatus(
                () -> as(TestTokens.technician("GN-RBRE"))
                        .assignDevice(assign(40, CIE1, "AG-1").build()),
                Status.Code.PERMISSION_DENIED,
                "roles");
        assertStatus(
                () -> as(TestTokens.auditor())
                        .sendDeviceToRepair(SendDeviceToRepairRequest.newBuilder()
                                .setImei(imei(40))
                                .build()),
                Status.Code.PERMISSION_DENIED,
                "roles");
        assertThat(device(41).getVersion()).isZero();
    }

    /**
     * Rules 8 and 11 under callers at once: a theft declared by a fleet manager, a loss by the unit manager and an
     * exchange, all on one assigned device with no expected version, 6 rounds. Whatever wins, each call that
     * answered OK is in the device's history and its event in the outbox once, and only those; the losers get
     * ABORTED or a precondition (a lost device declared lost again…), never an internal error; the pack holds the
     * spare exactly when the exchange went through, and the device ends in the state the successful calls give in
     * the order they were recorded.
     */
    @Test
    void aTheftALossAndAnExchangeOfOneDeviceAtOnceAreEachRecordedWithTheirEventExactlyWhenTheySucceed()
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 6; round++) {
                int n = 200 + 2 * round;
                Device registered = fleetManager
                        .registerDevice(register(phone(n, "GN-RBRE-GGD35")))
                        .getDevice();
                fleetManager.assignDevice(assign(n, CIE1, "AG-" + n).build());
                spare(n + 1, DeviceKind.DEVICE_KIND_PHONE);
                jdbc.sql("delete from outbox").update();
                CountDownLatch start = new CountDownLatch(1);
                var unitManager = as(TestTokens.unitManager("GN-RBRE"));
                List<Callable<String>> calls = List.of(
                        () -> {
                            fleetManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                                    .setImei(imei(n))
                                    .setKind(LossKind.LOSS_KIND_STOLEN)
                                    .setPoliceReportReference("PV-S-" + n)
                                    .build());
                            return "DECLARE_STOLEN";
                        },
                        () -> {
                            unitManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                                    .setImei(imei(n))
                                    .setKind(LossKind.LOSS_KIND_LOST)
                                    .setPoliceReportReference("PV-L-" + n)
                                    .build());
                            return "DECLARE_LOST";
                        },
                        () -> {
                            fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                                    .setImei(imei(n))
                                    .setReplacementImei(imei(n + 1))
                                    .setReason("screen broken")
                                    .build());
                            return "EXCHANGE_OUT";
                        });
                List<Future<String>> futures = new ArrayList<>();
                for (Callable<String> call : calls) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        try {
                            return call.call();
                        } catch (StatusRuntimeException e) {
                            return e.getStatus().getCode().name();
                        }
                    }));
                }
                start.countDown();
                List<String> outcomes = new ArrayList<>();
                for (Future<String> f : futures) {
                    outcomes.add(f.get());
                }
                String seen = "round " + round + ": " + outcomes;
                List<String> done = outcomes.stream()
                        .filter(o -> !o.equals("ABORTED") && !o.equals("FAILED_PRECONDITION"))
                        .toList();
                assertThat(done).as(seen).isNotEmpty().doesNotContain("INTERNAL", "UNKNOWN", "UNAVAILABLE");
                // the device's own changes, in the order recorded: exactly the calls that answered OK
                List<String> recorded = jdbc.sql("select action from history where subject_type = 'DEVICE' "
                                + "and subject_id = ? and action <> 'REGISTER' and action <> 'ASSIGN' order by id")
                        .param(imei(n))
                        .query(String.class)
                        .list();
                assertThat(recorded).as(seen).containsExactlyInAnyOrderElementsOf(done);
                List<String> events = jdbc.sql("select kind from outbox where subject_id = ? order by id")
                        .param(imei(n))
                        .query(String.class)
                        .list();
                assertThat(events)
                        .as(seen)
                        .containsExactlyElementsOf(recorded.stream()
                                .map(a -> switch (a) {
                                    case "DECLARE_STOLEN" -> "INVENTORY_EVENT_KIND_DEVICE_STOLEN";
                                    case "DECLARE_LOST" -> "INVENTORY_EVENT_KIND_DEVICE_LOST";
                                    default -> "INVENTORY_EVENT_KIND_DEVICE_EXCHANGED";
                                })
                                .toList());
                // the state the recorded calls give, one after the other
                DeviceState expected = DeviceState.DEVICE_STATE_ASSIGNED;
                for (String a : recorded) {
                    expected = switch (a) {
                        case "DECLARE_STOLEN" -> DeviceState.DEVICE_STATE_STOLEN;
                        case "DECLARE_LOST" -> DeviceState.DEVICE_STATE_LOST;
                        default ->
                            expected == DeviceState.DEVICE_STATE_ASSIGNED
                                    ? DeviceState.DEVICE_STATE_PENDING_RETURN
                                    : expected;
                    };
                }
                assertThat(device(n).getState()).as(seen).isEqualTo(expected);
                var pack = fleetManager
                        .getPack(GetPackRequest.newBuilder()
                                .setId(registered.getPackId())
                                .build())
                        .getPack();
                boolean exchanged = recorded.contains("EXCHANGE_OUT");
                assertThat(pack.getDeviceImei()).as(seen).isEqualTo(imei(exchanged ? n + 1 : n));
                assertThat(pack.getHolderAgentId()).as(seen).isEqualTo("AG-" + n);
                assertThat(device(n + 1).getState())
                        .as(seen)
                        .isEqualTo(exchanged ? DeviceState.DEVICE_STATE_ASSIGNED : DeviceState.DEVICE_STATE_IN_STOCK);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> outboxKinds() {
        return jdbc.sql("select subject_id || ':' || kind from outbox order by id")
                .query(String.class)
                .list();
    }
}
