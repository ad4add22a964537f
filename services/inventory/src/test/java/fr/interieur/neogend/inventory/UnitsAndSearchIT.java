package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.CountDevicesRequest;
import fr.interieur.neogend.inventory.v1.CreateUnitRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetUnitRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.ListUnitsRequest;
import fr.interieur.neogend.inventory.v1.ListUnitsResponse;
import fr.interieur.neogend.inventory.v1.MoveUnitRequest;
import fr.interieur.neogend.inventory.v1.Unit;
import fr.interieur.neogend.inventory.v1.UnitLevel;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static fr.interieur.neogend.inventory.InventoryTestData.unit;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** The organisation tree (create, read, children, move) and fleet search, against real PostgreSQL. */
@ServiceIT
class UnitsAndSearchIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    javax.sql.DataSource dataSource;

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

    @Test
    void unitsAreCreatedReadAndListedWithTheirAncestors() {
        Unit brigade = fleetManager
                .getUnit(GetUnitRequest.newBuilder()
                        .setCode("GN-RBRE-GGD35-CIE1-BR1")
                        .build())
                .getUnit();
        assertThat(brigade.getAncestorCodesList())
                .containsExactly("GN", "GN-RBRE", "GN-RBRE-GGD35", "GN-RBRE-GGD35-CIE1");
        assertThat(brigade.getLevel()).isEqualTo(UnitLevel.UNIT_LEVEL_BRIGADE);

        assertThat(fleetManager.listUnits(ListUnitsRequest.getDefaultInstance()).getUnitsList())
                .extracting(Unit::getCode)
                .containsExactly("GN", "PN");
        for (int i = 0; i < 7; i++) {
            unit(fleetManager, "GN-RBRE-GGD35-CIE" + (i + 2), UnitLevel.UNIT_LEVEL_COMPAGNIE, "GN-RBRE-GGD35");
        }
        List<String> children = new ArrayList<>();
        String token = "";
        do {
            ListUnitsResponse page = fleetManager.listUnits(ListUnitsRequest.newBuilder()
                    .setParentCode("GN-RBRE-GGD35")
                    .setPageSize(3)
                    .setPageToken(token)
                    .build());
            page.getUnitsList().forEach(u -> children.add(u.getCode()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(children).hasSize(8).isSorted().first().isEqualTo("GN-RBRE-GGD35-CIE1");

        var create = CreateUnitRequest.newBuilder()
                .setUnit(Unit.newBuilder()
                        .setCode("GN-RBRE-GGD35-CIE1")
                        .setName("again")
                        .setLevel(UnitLevel.UNIT_LEVEL_COMPAGNIE)
                        .setParentCode("GN-RBRE-GGD35"));
        assertStatus(() -> fleetManager.createUnit(create.build()), Status.Code.ALREADY_EXISTS, "GN-RBRE-GGD35-CIE1");
        assertStatus(
                () -> fleetManager.createUnit(create.clone()
                        .setUnit(create.getUnit().toBuilder().setCode("GN-X").setLevel(UnitLevel.UNIT_LEVEL_BRIGADE))
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "a BRIGADE goes under a COMPAGNIE");
        assertStatus(
                () -> fleetManager.createUnit(create.clone()
                        .setUnit(create.getUnit().toBuilder().setCode("gn x").clearName())
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "unit.code");
        assertStatus(
                () -> fleetManager.createUnit(create.clone()
                        .setUnit(create.getUnit().toBuilder().setCode("GN-Y").setParentCode("GN-NOWHERE"))
                        .build()),
                Status.Code.NOT_FOUND,
                "GN-NOWHERE");
    }

    @Test
    void aUnitManagerWorksInsideItsSubtreeOnly() {
        var manager = as(TestTokens.unitManager("GN-RBRE-GGD35"));
        assertThat(manager.listUnits(ListUnitsRequest.getDefaultInstance()).getUnitsList())
                .extracting(Unit::getCode)
                .containsExactly("GN-RBRE-GGD35");
        assertThat(unit(manager, "GN-RBRE-GGD35-CIE1-BR2", UnitLevel.UNIT_LEVEL_BRIGADE, "GN-RBRE-GGD35-CIE1")
                        .getCode())
                .isEqualTo("GN-RBRE-GGD35-CIE1-BR2");
        assertStatus(
                () -> unit(manager, "GN-RBRE-GGD350-CIE1", UnitLevel.UNIT_LEVEL_COMPAGNIE, "GN-RBRE-GGD350"),
                Status.Code.NOT_FOUND,
                "GN-RBRE-GGD350");
        assertStatus(
                () -> unit(manager, "GX", UnitLevel.UNIT_LEVEL_NATIONAL, null),
                Status.Code.PERMISSION_DENIED,
                "fleet manager");
        assertStatus(
                () -> manager.getUnit(
                        GetUnitRequest.newBuilder().setCode("GN-RBRE").build()),
                Status.Code.NOT_FOUND,
                "GN-RBRE");
        assertStatus(
                () -> manager.moveUnit(MoveUnitRequest.newBuilder()
                        .setCode("GN-RBRE-GGD35-CIE1")
                        .setNewParentCode("GN-RBRE-GGD350")
                        .build()),
                Status.Code.NOT_FOUND,
                "GN-RBRE-GGD350");
        assertStatus(
                () -> as(TestTokens.unitManager("GN-RBRE"))
                        .moveUnit(MoveUnitRequest.newBuilder()
                                .setCode("GN-RBRE")
                                .setNewParentCode("GN")
                                .build()),
                Status.Code.PERMISSION_DENIED,
                "its own unit");
        assertStatus(
                () -> as(TestTokens.technician("GN-RBRE")).createUnit(CreateUnitRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED,
                "roles");
    }

    void moveUnit(String code, String newParent) {
        fleetManager.moveUnit(MoveUnitRequest.newBuilder()
                .setCode(code)
                .setNewParentCode(newParent)
                .build());
    }

    /** Units whose stored path is not their parent's path and their code: reach would follow the wrong tree. */
    List<String> unitsOffTheirParentsPath() {
        return jdbc.sql("""
                        select u.code from unit u left join unit p on p.code = u.parent_code
                        where u.path <> coalesce(p.path, '/') || u.code || '/'""").query(String.class).list();
    }

    @Test
    void twoMovesAtOnceLeaveEveryUnitUnderItsParentsPath() throws Exception {
        fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35-CIE1-BR1")));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                // two fleet managers at once: a compagnie to another groupement, that groupement to another region
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                var first = pool.submit(() -> {
                    together.await();
                    moveUnit("GN-RBRE-GGD35-CIE1", "GN-RBRE-GGD350");
                    return null;
                });
                var second = pool.submit(() -> {
                    together.await();
                    moveUnit("GN-RBRE-GGD350", "GN-RIDF");
                    return null;
                });
                first.get();
                second.get();
                assertThat(unitsOffTheirParentsPath()).as("round " + round).isEmpty();
                // the region the compagnie is in now reaches its brigade's device; the one it left does not
                var ridf = clients.as(TestTokens.unitManager("GN-RIDF"), InventoryServiceGrpc::newBlockingStub);
                var rbre = clients.as(TestTokens.unitManager("GN-RBRE"), InventoryServiceGrpc::newBlockingStub);
                GetDeviceRequest device =
                        GetDeviceRequest.newBuilder().setImei(imei(1)).build();
                assertThat(ridf.getDevice(device).getDevice().getUnitCode()).isEqualTo("GN-RBRE-GGD35-CIE1-BR1");
                assertStatus(() -> rbre.getDevice(device), Status.Code.NOT_FOUND, "");
                moveUnit("GN-RBRE-GGD350", "GN-RBRE");
                moveUnit("GN-RBRE-GGD35-CIE1", "GN-RBRE-GGD35");
                assertThat(unitsOffTheirParentsPath()).isEmpty();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aPageTokenIsRefusedForOtherFiltersEvenWhenTheirValuesHoldTheSeparator() {
        fleetManager.registerDevice(register(phone(61, "GN-RIDF").setModel("X|Y")));
        fleetManager.registerDevice(register(phone(62, "GN-RIDF").setModel("X|Y")));
        String token = fleetManager
                .listDevices(ListDevicesRequest.newBuilder()
                        .setModel("X|Y")
                        .setPageSize(1)
                        .build())
                .getNextPageToken();
        assertThat(token).isNotEmpty();
        // model "X", holder "Y" and build "|": other filters, whose values joined with '|' read the same
        assertStatus(
                () -> fleetManager.listDevices(ListDevicesRequest.newBuilder()
                        .setModel("X")
                        .setHolderAgentId("Y")
                        .setRomBuild("|")
                        .setPageSize(1)
                        .setPageToken(token)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "page_token");
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setModel("X|Y")
                                .setPageSize(1)
                                .setPageToken(token)
                                .build())
                        .getDevicesList())
                .extracting(Device::getImei)
                .containsExactly(imei(62));
    }

    @Test
    void aUnitManagersChangeNeverCommitsAfterTheUnitLeftItsReach() throws Exception {
        fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35-CIE1-BR1")));
        var ggd35 = as(TestTokens.unitManager("GN-RBRE-GGD35"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (java.sql.Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            // the device's row held by someone else: GGD35's manager's assignment stops at its write, its reach
            // already checked
            try (var held = holder.prepareStatement("select imei from device where imei = ? for update")) {
                held.setString(1, imei(1));
                held.executeQuery().close();
            }
            var assignment = pool.submit(() -> ggd35.assignDevice(AssignDeviceRequest.newBuilder()
                            .setImei(imei(1))
                            .setUnitCode("GN-RBRE-GGD35-CIE1-BR1")
                            .setHolderAgentId("AG-1")
                            .build())
                    .getDevice());
            awaitSessionsWaitingForALock(1, () -> false);
            // meanwhile a fleet manager moves the brigade's compagnie to another groupement, out of GGD35's reach
            var move = pool.submit(() -> {
                moveUnit("GN-RBRE-GGD35-CIE1", "GN-RBRE-GGD350");
                return null;
            });
            awaitSessionsWaitingForALock(2, move::isDone);
            boolean movedBeforeTheAssignmentEnded = move.isDone();
            holder.rollback();

            move.get();
            Status.Code assigned;
            try {
                assignment.get();
                assigned = Status.Code.OK;
            } catch (java.util.concurrent.ExecutionException e) {
                assigned = Status.fromThrowable(e.getCause()).getCode();
            }
            assertThat(movedBeforeTheAssignmentEnded && assigned == Status.Code.OK)
                    .as("GGD35's manager assigned a device of a compagnie moved out of GGD35 before the assignment"
                            + " committed (assignment: " + assigned + ")")
                    .isFalse();
            assertThat(assigned).isEqualTo(Status.Code.OK); // it came first: the move waited for it
        } finally {
            pool.shutdownNow();
        }
        // once moved, the compagnie's devices are out of GGD35's manager's reach
        assertStatus(
                () -> ggd35.unassignDevice(fr.interieur.neogend.inventory.v1.UnassignDeviceRequest.newBuilder()
                        .setImei(imei(1))
                        .build()),
                Status.Code.NOT_FOUND,
                imei(1));
        assertThat(as(TestTokens.unitManager("GN-RBRE-GGD350"))
                        .getDevice(
                                GetDeviceRequest.newBuilder().setImei(imei(1)).build())
                        .getDevice()
                        .getState())
                .isEqualTo(DeviceState.DEVICE_STATE_ASSIGNED);
    }

    /** Waits until this many sessions wait for a lock, or until {@code done}. */
    private void awaitSessionsWaitingForALock(int sessions, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()
                && jdbc.sql("select count(*) from pg_stat_activity where datname = current_database()"
                                        + " and wait_event_type = 'Lock'")
                                .query(Integer.class)
                                .single()
                        < sessions) {
            assertThat(System.nanoTime()).as("sessions waiting for a lock").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aMovedUnitTakesItsSubtreeAndDevicesAlong() {
        fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35-CIE1-BR1")));
        fleetManager.registerDevice(register(phone(2, "GN-RBRE-GGD35-CIE1")));
        Unit cie1 = fleetManager
                .getUnit(GetUnitRequest.newBuilder()
                        .setCode("GN-RBRE-GGD35-CIE1")
                        .build())
                .getUnit();

        assertStatus(
                () -> fleetManager.moveUnit(MoveUnitRequest.newBuilder()
                        .setCode(cie1.getCode())
                        .setNewParentCode("GN-RIDF")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "a COMPAGNIE goes under a GROUPEMENT");
        Unit moved = fleetManager
                .moveUnit(MoveUnitRequest.newBuilder()
                        .setCode(cie1.getCode())
                        .setNewParentCode("GN-RBRE-GGD350")
                        .setExpectedVersion(cie1.getVersion())
                        .build())
                .getUnit();
        assertThat(moved.getAncestorCodesList()).containsExactly("GN", "GN-RBRE", "GN-RBRE-GGD350");
        assertThat(moved.getVersion()).isEqualTo(cie1.getVersion() + 1);
        assertThat(fleetManager
                        .getUnit(GetUnitRequest.newBuilder()
                                .setCode("GN-RBRE-GGD35-CIE1-BR1")
                                .build())
                        .getUnit()
                        .getAncestorCodesList())
                .containsExactly("GN", "GN-RBRE", "GN-RBRE-GGD350", "GN-RBRE-GGD35-CIE1");
        assertStatus(
                () -> fleetManager.moveUnit(MoveUnitRequest.newBuilder()
                        .setCode(cie1.getCode())
                        .setNewParentCode("GN-RBRE-GGD35")
                        .setExpectedVersion(cie1.getVersion())
                        .build()),
                Status.Code.ABORTED,
                "version");

        var oldManager = as(TestTokens.unitManager("GN-RBRE-GGD35"));
        var newManager = as(TestTokens.unitManager("GN-RBRE-GGD350"));
        assertStatus(
                () -> oldManager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(1)).build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertThat(newManager
                        .listDevices(ListDevicesRequest.getDefaultInstance())
                        .getDevicesList())
                .extracting(Device::getImei)
                .containsExactly(imei(1), imei(2));
        assertThat(newManager
                        .countDevices(CountDevicesRequest.getDefaultInstance())
                        .getTotal())
                .isEqualTo(2);
        assertThat(oldManager
                        .countDevices(CountDevicesRequest.getDefaultInstance())
                        .getTotal())
                .isZero();
    }

    @Test
    void searchFiltersByModelHolderAndRomBuildAndSortsWithStablePages() {
        for (int i = 10; i < 40; i++) {
            var d = phone(i, i % 3 == 0 ? "GN-RBRE-GGD35-CIE1" : "GN-RIDF")
                    .setModel(i % 2 == 0 ? "Rugged X5" : "Rugged X7")
                    .setRomBuild(i < 25 ? "neogend/x/2026.10" : "neogend/x/2026.11");
            fleetManager.registerDevice(register(d));
        }
        fleetManager.assignDevice(AssignDeviceRequest.newBuilder()
                .setImei(imei(12))
                .setUnitCode("GN-RBRE-GGD35-CIE1")
                .setHolderAgentId("AG-77")
                .build());
        fleetManager.assignDevice(AssignDeviceRequest.newBuilder()
                .setImei(imei(15))
                .setUnitCode("GN-RBRE-GGD35-CIE1")
                .setHolderAgentId("AG-77")
                .build());

        assertThat(list(ListDevicesRequest.newBuilder().setHolderAgentId("AG-77")))
                .extracting(Device::getImei)
                .containsExactly(imei(12), imei(15));
        assertThat(list(ListDevicesRequest.newBuilder().setModel("Rugged X7").setRomBuild("neogend/x/2026.11")))
                .hasSize(8)
                .allMatch(d -> d.getModel().equals("Rugged X7"));
        assertThat(list(ListDevicesRequest.newBuilder()
                        .setUnitCode("GN-RBRE")
                        .setState(DeviceState.DEVICE_STATE_ASSIGNED)))
                .extracting(Device::getImei)
                .containsExactly(imei(12), imei(15));

        List<Device> byModel = pages(ListDevicesRequest.newBuilder().setOrderBy("model"), 4);
        assertThat(byModel)
                .hasSize(30)
                .isSortedAccordingTo(Comparator.comparing(Device::getModel).thenComparing(Device::getImei));
        List<Device> recent = pages(ListDevicesRequest.newBuilder().setOrderBy("update_time desc"), 7);
        assertThat(recent).hasSize(30);
        assertThat(recent.subList(0, 2)).extracting(Device::getImei).containsExactly(imei(15), imei(12));
        assertThat(recent).extracting(Device::getImei).doesNotHaveDuplicates();

        assertStatus(
                () -> fleetManager.listDevices(
                        ListDevicesRequest.newBuilder().setOrderBy("serial").build()),
                Status.Code.INVALID_ARGUMENT,
                "order_by");
        String token = fleetManager
                .listDevices(ListDevicesRequest.newBuilder()
                        .setOrderBy("model")
                        .setPageSize(2)
                        .build())
                .getNextPageToken();
        assertStatus(
                () -> fleetManager.listDevices(
                        ListDevicesRequest.newBuilder().setPageToken(token).build()),
                Status.Code.INVALID_ARGUMENT,
                "other filters");
    }

    List<String> placements(InventoryServiceBlockingStub stub, String unitCode) {
        return placements(stub, unitCode, false);
    }

    List<String> placements(InventoryServiceBlockingStub stub, String unitCode, boolean includeReturned) {
        List<String> out = new ArrayList<>();
        stub.streamDevicePlacements(fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest.newBuilder()
                        .setUnitCode(unitCode)
                        .setIncludeReturned(includeReturned)
                        .build())
                .forEachRemaining(batch -> batch.getPlacementsList()
                        .forEach(p -> out.add(p.getImei() + " " + p.getModel() + " " + p.getUnitCode() + " "
                                + p.getState().name().substring("DEVICE_STATE_".length()))));
        return out;
    }

    @Test
    void placementsStreamEveryDeviceNotReturnedWithinTheCallersReachOnly() {
        for (int i = 40; i < 52; i++) {
            fleetManager.registerDevice(register(phone(i, i < 46 ? "GN-RBRE-GGD35-CIE1" : "GN-RIDF")
                    .setModel(i % 2 == 0 ? "Rugged X5" : "Rugged X7")));
        }
        fleetManager.declareDeviceLoss(fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest.newBuilder()
                .setImei(imei(41))
                .setKind(fr.interieur.neogend.inventory.v1.LossKind.LOSS_KIND_LOST)
                .setPoliceReportReference("PV-41")
                .build());
        List<String> all = placements(fleetManager, "");
        assertThat(all)
                .hasSize(12)
                .isSorted()
                .contains(imei(41) + " Rugged X7 GN-RBRE-GGD35-CIE1 LOST", imei(46) + " Rugged X5 GN-RIDF IN_STOCK");
        // a technician of GN-RBRE: its region, asked for or not; another region refused
        var rennes = as(TestTokens.technician("GN-RBRE"));
        assertThat(placements(rennes, "")).hasSize(6).allMatch(p -> p.contains(" GN-RBRE-GGD35-CIE1 "));
        assertThat(placements(rennes, "GN-RBRE-GGD35")).hasSize(6);
        assertStatus(() -> placements(rennes, "GN-RIDF"), Status.Code.PERMISSION_DENIED, "GN-RIDF");
        assertStatus(() -> placements(as(TestTokens.supplier("SUP-DEMO")), ""), Status.Code.PERMISSION_DENIED, "");
        // a returned device is out of every view
        fleetManager.returnDevice(fr.interieur.neogend.inventory.v1.ReturnDeviceRequest.newBuilder()
                .setImei(imei(41))
                .build());
        assertThat(placements(fleetManager, "")).hasSize(11).noneMatch(p -> p.startsWith(imei(41)));
    }

    /**
     * The repairs a unit manager lists come from the placements with the returned devices (their repairs stay
     * visible): asked for, a RETURNED device is placed at the unit that gave it back — exactly to those who can
     * read it with GetDevice, never beyond the caller's reach.
     */
    @Test
    void returnedDevicesArePlacedWhenAskedForToThoseWhoSeeThemAndNoOneElse() {
        for (int i = 60; i < 64; i++) {
            fleetManager.registerDevice(register(phone(i, i < 62 ? "GN-RBRE-GGD35-CIE1" : "GN-RIDF")));
        }
        for (int i : new int[] {61, 63}) {
            fleetManager.declareDeviceLoss(fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest.newBuilder()
                    .setImei(imei(i))
                    .setKind(fr.interieur.neogend.inventory.v1.LossKind.LOSS_KIND_LOST)
                    .setPoliceReportReference("PV-" + i)
                    .build());
            fleetManager.returnDevice(fr.interieur.neogend.inventory.v1.ReturnDeviceRequest.newBuilder()
                    .setImei(imei(i))
                    .build());
        }
        assertThat(placements(fleetManager, "")).noneMatch(p -> p.endsWith(" RETURNED"));
        assertThat(placements(fleetManager, "", true))
                .filteredOn(p -> p.endsWith(" RETURNED"))
                .extracting(p -> p.substring(0, 15))
                .containsExactly(imei(61), imei(63));
        var rennes = as(TestTokens.technician("GN-RBRE"));
        assertThat(placements(rennes, "", true))
                .containsExactlyInAnyOrder(
                        imei(60) + " Rugged X5 GN-RBRE-GGD35-CIE1 IN_STOCK",
                        imei(61) + " Rugged X5 GN-RBRE-GGD35-CIE1 RETURNED");
        // the same devices GetDevice shows this caller: the returned one of its subtree, not the other region's
        assertThat(rennes.getDevice(
                                GetDeviceRequest.newBuilder().setImei(imei(61)).build())
                        .getDevice()
                        .getUnitCode())
                .isEqualTo("GN-RBRE-GGD35-CIE1");
        assertStatus(
                () -> rennes.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(63)).build()),
                Status.Code.NOT_FOUND,
                "");
        assertStatus(() -> placements(rennes, "GN-RIDF", true), Status.Code.PERMISSION_DENIED, "GN-RIDF");
    }

    private List<Device> list(ListDevicesRequest.Builder request) {
        return fleetManager.listDevices(request.setPageSize(500).build()).getDevicesList();
    }

    private List<Device> pages(ListDevicesRequest.Builder request, int size) {
        List<Device> all = new ArrayList<>();
        String token = "";
        do {
            ListDevicesResponse page = fleetManager.listDevices(
                    request.setPageSize(size).setPageToken(token).build());
            all.addAll(page.getDevicesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all;
    }
}
