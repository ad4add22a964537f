package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetEndOfTermReportRequest;
import fr.interieur.neogend.inventory.v1.GetEndOfTermReportResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.LeaseInterval;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.MarkDeviceForReturnRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.ReturnDeviceRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsResponse;
import fr.interieur.neogend.inventory.v1.UnitNotReturned;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.OrderStandIn;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/** Lease intervals for billing (rule 13) and the end-of-term report (rule 12), against real PostgreSQL. */
@ServiceIT
class LeaseAndEndOfTermIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;
    InventoryServiceBlockingStub throughOrder;

    @BeforeEach
    void connect() {
        fleetManager = as(TestTokens.fleetManager());
        // packs move to a successor through the order service (its token as the peer proof)
        throughOrder = clients.through("order", TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    InventoryServiceBlockingStub as(String token) {
        return clients.as(token, InventoryServiceGrpc::newBlockingStub);
    }

    /** Registers a device as a pack and sets its lease dates (as if received and returned then). */
    String pack(int n, String leaseStart, String leaseEnd) {
        Device d =
                fleetManager.registerDevice(register(phone(n, "GN-RBRE-GGD35"))).getDevice();
        jdbc.sql("update pack set lease_start = ?::date, lease_end = ?::date where id = ?")
                .params(leaseStart, leaseEnd, d.getPackId())
                .update();
        jdbc.sql("update pack_agreement set valid_from = ?::date where pack_id = ?")
                .params(leaseStart, d.getPackId())
                .update();
        return d.getPackId();
    }

    Map<String, LeaseInterval> november(InventoryServiceBlockingStub stub, List<Integer> batchSizes) {
        Map<String, LeaseInterval> byPack = new HashMap<>();
        stub.streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT)
                        .setYear(2026)
                        .setMonth(11)
                        .build())
                .forEachRemaining((StreamLeaseIntervalsResponse batch) -> {
                    batchSizes.add(batch.getIntervalsCount());
                    batch.getIntervalsList()
                            .forEach(i ->
                                    assertThat(byPack.put(i.getPackId(), i)).isNull());
                });
        return byPack;
    }

    /** SumLeaseDays (the statement's figures) = the intervals of the month (the detail export) summed per type. */
    void sumsAgreeWithTheIntervals(int year, int month, String agreement) {
        Map<String, String> fromIntervals = new java.util.TreeMap<>();
        Map<String, List<LeaseInterval>> byType = new java.util.TreeMap<>();
        month(year, month, agreement)
                .values()
                .forEach(i -> byType.computeIfAbsent(i.getPackType().name(), t -> new ArrayList<>())
                        .add(i));
        byType.forEach((type, list) -> fromIntervals.put(
                type,
                list.stream().map(LeaseInterval::getPackId).distinct().count() + " packs, "
                        + list.stream().mapToLong(LeaseInterval::getBilledDays).sum() + " days"));
        Map<String, String> summed = new java.util.TreeMap<>();
        fleetManager
                .sumLeaseDays(fr.interieur.neogend.inventory.v1.SumLeaseDaysRequest.newBuilder()
                        .setYear(year)
                        .setMonth(month)
                        .setAgreementId(agreement)
                        .build())
                .getByPackTypeList()
                .forEach(t ->
                        summed.put(t.getPackType().name(), t.getPacks() + " packs, " + t.getBilledDays() + " days"));
        assertThat(summed).as(agreement + " " + year + "-" + month).isEqualTo(fromIntervals);
    }

    @Test
    void eachPackIsBilledFromReceptionToReturnAndAnExchangeNeverTwice() {
        String whole = pack(1, "2026-10-15", null);
        String receivedMidMonth = pack(2, "2026-11-10", null);
        String returnedMidMonth = pack(3, "2026-10-01", "2026-11-20");
        String oneDay = pack(4, "2026-11-05", "2026-11-06");
        pack(5, "2026-12-01", null);
        pack(6, "2026-09-01", "2026-11-01");
        String exchanged = pack(7, "2026-09-01", null);
        fleetManager.registerDevice(register(
                phone(8, "GN-RBRE-GGD35").clearPackType().clearAgreementId().setKind(DeviceKind.DEVICE_KIND_PHONE)));
        fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                .setImei(imei(7))
                .setReplacementImei(imei(8))
                .setReason("battery swollen")
                .build());

        List<Integer> batches = new ArrayList<>();
        Map<String, LeaseInterval> nov = november(as(TestTokens.service("order")), batches);
        assertThat(nov.keySet())
                .containsExactlyInAnyOrder(whole, receivedMidMonth, returnedMidMonth, oneDay, exchanged);
        assertThat(nov.get(whole).getBilledDays()).isEqualTo(30);
        assertThat(nov.get(whole).getDaysInMonth()).isEqualTo(30);
        assertThat(nov.get(receivedMidMonth).getBilledDays()).isEqualTo(21);
        assertThat(nov.get(receivedMidMonth).getBilledFrom().getDay()).isEqualTo(10);
        assertThat(nov.get(returnedMidMonth).getBilledDays()).isEqualTo(19);
        assertThat(nov.get(returnedMidMonth).getBilledUntil().getDay()).isEqualTo(20);
        assertThat(nov.get(oneDay).getBilledDays()).isEqualTo(1);
        assertThat(nov.get(exchanged).getBilledDays()).isEqualTo(30);
        assertThat(nov.get(exchanged).getUnitCode()).isEqualTo("GN-RBRE-GGD35");
    }

    Map<String, LeaseInterval> month(int year, int month) {
        Map<String, LeaseInterval> byPack = new HashMap<>();
        fleetManager
                .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT)
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .forEachRemaining(b -> b.getIntervalsList().forEach(i -> byPack.put(i.getPackId(), i)));
        return byPack;
    }

    @Test
    void calendarEdgesReceptionOnThe31stReturnOnThe1stFebruaryAndLeapYears() {
        String lastDay = pack(20, "2027-01-31", null);
        String returnedOnFirst = pack(21, "2027-01-10", "2027-03-01");
        String leap = pack(22, "2027-12-01", "2028-03-01");
        assertThat(month(2027, 1).get(lastDay).getBilledDays()).isEqualTo(1);
        assertThat(month(2027, 1).get(returnedOnFirst).getBilledDays()).isEqualTo(22);
        assertThat(month(2027, 2).get(returnedOnFirst).getBilledDays()).isEqualTo(28);
        assertThat(month(2027, 2).get(returnedOnFirst).getDaysInMonth()).isEqualTo(28);
        assertThat(month(2027, 3)).doesNotContainKey(returnedOnFirst); // the return day is not billed
        assertThat(month(2028, 2).get(leap).getBilledDays()).isEqualTo(29);
        assertThat(month(2028, 2).get(leap).getDaysInMonth()).isEqualTo(29);
        assertThat(month(2028, 3)).doesNotContainKey(leap);
        for (int[] ym : new int[][] {{2027, 1}, {2027, 2}, {2027, 3}, {2028, 2}}) {
            sumsAgreeWithTheIntervals(ym[0], ym[1], OrderStandIn.AGREEMENT);
        }
    }

    @Test
    void aLargeFleetComesInBatchesAndOnlyBillingRolesMayAsk() {
        var delivery = RegisterDevicesRequest.newBuilder();
        for (int i = 100; i < 2600; i++) {
            delivery.addDevices(phone(i, "GN-RBRE"));
        }
        fleetManager.registerDevices(delivery.build());
        jdbc.sql("update pack set lease_start = '2026-11-29'").update();
        jdbc.sql("update pack_agreement set valid_from = '2026-11-29'").update();

        List<Integer> batches = new ArrayList<>();
        Map<String, LeaseInterval> nov = november(fleetManager, batches);
        assertThat(batches).containsExactly(1000, 1000, 500);
        assertThat(nov.values()).allMatch(i -> i.getBilledDays() == 2);
        assertThat(november(as(TestTokens.auditor()), new ArrayList<>())).hasSize(2500);

        assertThat(GrpcAssertions.failure(() -> november(as(TestTokens.unitManager("GN")), new ArrayList<>()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(GrpcAssertions.failure(() -> fleetManager
                                .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                                        .setAgreementId(OrderStandIn.AGREEMENT)
                                        .setYear(2026)
                                        .setMonth(13)
                                        .build())
                                .hasNext())
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void endOfTermListsEveryDeviceNotReturnedPerUnit() {
        for (int i = 1; i <= 6; i++) {
            fleetManager.registerDevice(register(phone(i, i <= 3 ? "GN-RBRE-GGD35-CIE1" : "GN-RIDF")));
        }
        fleetManager.registerDevice(register(phone(7, null)));
        for (int i : new int[] {1, 4}) {
            fleetManager.markDeviceForReturn(
                    MarkDeviceForReturnRequest.newBuilder().setImei(imei(i)).build());
        }
        fleetManager.returnDevice(
                ReturnDeviceRequest.newBuilder().setImei(imei(4)).build());

        GetEndOfTermReportResponse all =
                fleetManager.getEndOfTermReport(GetEndOfTermReportRequest.getDefaultInstance());
        assertThat(all.getNotReturnedTotal()).isEqualTo(6);
        assertThat(all.getUnitsList())
                .extracting(UnitNotReturned::getUnitCode, UnitNotReturned::getNotReturned)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("", 1L),
                        org.assertj.core.groups.Tuple.tuple("GN-RBRE-GGD35-CIE1", 3L),
                        org.assertj.core.groups.Tuple.tuple("GN-RIDF", 2L));
        assertThat(all.getUnits(1).getUnitName()).isEqualTo("Unit GN-RBRE-GGD35-CIE1");
        assertThat(all.getUnits(1).getByStateList())
                .extracting(s -> s.getState() + "=" + s.getCount())
                .containsExactly("DEVICE_STATE_IN_STOCK=2", "DEVICE_STATE_PENDING_RETURN=1");

        var mine = as(TestTokens.unitManager("GN-RBRE"))
                .getEndOfTermReport(GetEndOfTermReportRequest.getDefaultInstance());
        assertThat(mine.getNotReturnedTotal()).isEqualTo(3);
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setNotReturned(true)
                                .setOrderBy("unit_code")
                                .setPageSize(500)
                                .build())
                        .getDevicesList())
                .extracting(Device::getImei)
                .containsExactly(imei(7), imei(1), imei(2), imei(3), imei(5), imei(6));
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setNotReturned(true)
                                .build())
                        .getDevicesList())
                .noneMatch(d -> d.getState() == DeviceState.DEVICE_STATE_RETURNED);
        assertThat(GrpcAssertions.failure(() -> as(TestTokens.technician("GN"))
                                .getEndOfTermReport(GetEndOfTermReportRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    Map<String, LeaseInterval> month(int year, int month, String agreement) {
        Map<String, LeaseInterval> byPack = new HashMap<>();
        fleetManager
                .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                        .setAgreementId(agreement)
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .forEachRemaining(b -> b.getIntervalsList().forEach(i -> byPack.put(i.getPackId(), i)));
        return byPack;
    }

    @Test
    void aDeliveryRepeatedAfterItsPacksMovedToTheSuccessorIsStillTheSameDelivery() {
        // a reception cut after inventory registered the delivery, repeated once the packs were transferred
        deliver(40, 3);
        assertThat(throughOrder
                        .transferPacks(toSuccessorFromJanuary15().build())
                        .getTransferred())
                .isEqualTo(3);
        var again = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            again.addDevices(phone(40 + i, "GN-RBRE-GGD35"));
        }
        var repeated = fleetManager.registerDevices(again.build());
        assertThat(repeated.getRegisteredCount()).isZero();
        assertThat(repeated.getAlreadyRegisteredCount()).isEqualTo(3);
        // the same device under another pack type is still not delivered again
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevices(RegisterDevicesRequest.newBuilder()
                        .addDevices(phone(41, "GN-RBRE-GGD35")
                                .setPackType(fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_TABLET_INDIVIDUAL)
                                .setKind(fr.interieur.neogend.inventory.v1.DeviceKind.DEVICE_KIND_TABLET))
                        .build()),
                io.grpc.Status.Code.INVALID_ARGUMENT,
                "is in the fleet already");
    }

    @Test
    void aDeliveryRegisteredBeforeItsAgreementEndedIsStillTheSameDeliveryWhenRepeatedAfterTheEnd() {
        // a delivery of AC-OLD (in force 2016 to 2020) registered while it was in force — received on 2019-12-20 —,
        // the order's reception cut after inventory registered it, and repeated now that the term has ended
        var delivery = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            delivery.addDevices(phone(60 + i, "GN-RBRE-GGD35"));
        }
        fleetManager.registerDevices(delivery.build());
        jdbc.sql("update pack set agreement_id = ?, lease_start = '2019-12-20' where device_imei in (?, ?, ?)")
                .params(OrderStandIn.ENDED, imei(60), imei(61), imei(62))
                .update();
        jdbc.sql("update pack_agreement set agreement_id = ?, valid_from = '2019-12-20' where pack_id in "
                        + "(select id from pack where device_imei in (?, ?, ?))")
                .params(OrderStandIn.ENDED, imei(60), imei(61), imei(62))
                .update();
        var again = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            again.addDevices(phone(60 + i, "GN-RBRE-GGD35").setAgreementId(OrderStandIn.ENDED));
        }
        var repeated = fleetManager.registerDevices(again.build());
        assertThat(repeated.getRegisteredCount()).isZero();
        assertThat(repeated.getAlreadyRegisteredCount()).isEqualTo(3);
        assertThat(jdbc.sql("select count(*) from pack where agreement_id = ?")
                        .param(OrderStandIn.ENDED)
                        .query(Long.class)
                        .single())
                .as("nothing registered twice")
                .isEqualTo(3L);
        // a new device under the ended agreement is still refused, alone or beside the repeat
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevices(again.clone()
                        .addDevices(phone(63, "GN-RBRE-GGD35").setAgreementId(OrderStandIn.ENDED))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "devices[3].agreement_id: agreement " + OrderStandIn.ENDED);
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevices(RegisterDevicesRequest.newBuilder()
                        .addDevices(phone(63, "GN-RBRE-GGD35").setAgreementId(OrderStandIn.ENDED))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "is not in force on");
        // a device of the agreement in force is not delivered again under the ended one
        deliver(64, 1);
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevices(RegisterDevicesRequest.newBuilder()
                        .addDevices(phone(64, "GN-RBRE-GGD35").setAgreementId(OrderStandIn.ENDED))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "is not in force on");
    }

    @Test
    void transfersOfThePacksAtOnceMoveEachPackOnceAndSayHowManyTheyReallyMoved() throws Exception {
        // order repeating a transfer whose answer it lost while the first call still runs, or two fleet managers
        int n = 2_000;
        deliver(9000, n);
        int callers = 4;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Long>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return throughOrder
                            .transferPacks(toSuccessorFromJanuary15().build())
                            .getTransferred();
                }));
            }
            start.countDown();
            List<Long> moved = new ArrayList<>();
            for (var call : calls) {
                moved.add(call.get());
            }
            assertThat(moved.stream().mapToLong(Long::longValue).sum())
                    .as("packs the calls said they moved: %s", moved)
                    .isEqualTo(n);
        } finally {
            pool.shutdownNow();
        }
        assertThat(transferredTo(OrderStandIn.SUCCESSOR)).isEqualTo(n);
        assertThat(jdbc.sql("select count(*), count(distinct subject_id) from history "
                                + "where action = 'TRANSFER_AGREEMENT'")
                        .query((rs, i) -> rs.getLong(1) + "/" + rs.getLong(2))
                        .single())
                .as("each pack's transfer recorded once")
                .isEqualTo(n + "/" + n);
    }

    @Test
    void aTransferToTheSuccessorBillsEachDayToOneAgreementOnlyAndIsRecordedOnce() {
        String phone = pack(30, "2026-12-10", null);
        String tablet = pack(31, "2026-12-01", null);
        jdbc.sql("update pack set type = 'TABLET_INDIVIDUAL' where id = ?")
                .param(tablet)
                .update();
        String returned = pack(32, "2026-12-01", "2027-01-10");
        var transfer = toSuccessorFromJanuary15()
                .setPackType(fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                .build();
        var moved = throughOrder.transferPacks(transfer);
        assertThat(moved.getTransferred())
                .as("the phone; the returned one ended before the date")
                .isEqualTo(1);
        assertThat(throughOrder.transferPacks(transfer).getTransferred())
                .as("a repeat moves nothing")
                .isZero();

        Map<String, LeaseInterval> before = month(2027, 1, OrderStandIn.AGREEMENT);
        Map<String, LeaseInterval> after = month(2027, 1, OrderStandIn.SUCCESSOR);
        assertThat(before.get(phone).getBilledDays()).isEqualTo(14); // 1st to 14th
        assertThat(after.get(phone).getBilledDays()).isEqualTo(17); // 15th to 31st
        assertThat(after.get(phone).getAgreementId()).isEqualTo(OrderStandIn.SUCCESSOR);
        assertThat(before.get(tablet).getBilledDays()).as("another type stays").isEqualTo(31);
        assertThat(after).doesNotContainKey(tablet);
        assertThat(before.get(returned).getBilledDays()).isEqualTo(9);
        assertThat(month(2027, 2, OrderStandIn.AGREEMENT)).doesNotContainKey(phone);
        assertThat(month(2027, 2, OrderStandIn.SUCCESSOR).get(phone).getBilledDays())
                .isEqualTo(28);
        assertThat(month(2026, 12, OrderStandIn.SUCCESSOR)).isEmpty();

        for (String agreement : List.of(OrderStandIn.AGREEMENT, OrderStandIn.SUCCESSOR)) {
            for (int[] ym : new int[][] {{2026, 12}, {2027, 1}, {2027, 2}}) {
                sumsAgreeWithTheIntervals(ym[0], ym[1], agreement);
            }
        }

        var counts = fleetManager.countAgreementPacks(
                fr.interieur.neogend.inventory.v1.CountAgreementPacksRequest.newBuilder()
                        .setAgreementId(OrderStandIn.SUCCESSOR)
                        .build());
        assertThat(counts.getTransferredInList())
                .extracting(c -> c.getPackType() + "=" + c.getCount())
                .containsExactly("PACK_TYPE_SMARTPHONE_INDIVIDUAL=1");
        assertThat(fleetManager
                        .getPack(fr.interieur.neogend.inventory.v1.GetPackRequest.newBuilder()
                                .setId(phone)
                                .build())
                        .getPack()
                        .getAgreementId())
                .isEqualTo(OrderStandIn.SUCCESSOR);
        assertThat(jdbc.sql("select count(*) from history where subject_id = ? and action = 'TRANSFER_AGREEMENT'")
                        .param(phone)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setAgreementId(OrderStandIn.SUCCESSOR)
                                .build())
                        .getDevicesList())
                .extracting(Device::getPackId)
                .containsExactly(phone);
    }

    @Test
    void aDeviceExchangedOutStaysUnderTheAgreementItWasLeasedUnderOnceItsPackMovesToTheSuccessor() {
        fleetManager.registerDevice(register(phone(50, "GN-RBRE-GGD35")));
        fleetManager.registerDevice(
                register(phone(51, "GN-RBRE-GGD35").clearPackType().clearAgreementId()));
        // today, under the agreement: the broken phone leaves its pack for the spare, to go back to the supplier
        fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                .setImei(imei(50))
                .setReplacementImei(imei(51))
                .setReason("screen broken")
                .build());
        // then the pack moves to the successor from 15 January
        assertThat(throughOrder
                        .transferPacks(toSuccessorFromJanuary15().build())
                        .getTransferred())
                .isEqualTo(1);

        Map<String, List<String>> listed = new HashMap<>();
        for (String agreement : List.of(OrderStandIn.AGREEMENT, OrderStandIn.SUCCESSOR)) {
            List<String> imeis = fleetManager
                    .listDevices(ListDevicesRequest.newBuilder()
                            .setAgreementId(agreement)
                            .setNotReturned(true)
                            .build())
                    .getDevicesList()
                    .stream()
                    .map(Device::getImei)
                    .toList();
            listed.put(agreement, imeis);
            // the end-of-term report counts what the list shows
            assertThat(fleetManager
                            .getEndOfTermReport(GetEndOfTermReportRequest.newBuilder()
                                    .setAgreementId(agreement)
                                    .build())
                            .getNotReturnedTotal())
                    .isEqualTo(imeis.size());
        }
        // the old device was leased under the agreement, never under the successor: it is the agreement's to
        // give back; the spare, now in the pack leased under the successor, is the successor's
        assertThat(listed)
                .containsEntry(OrderStandIn.AGREEMENT, List.of(imei(50)))
                .containsEntry(OrderStandIn.SUCCESSOR, List.of(imei(51)));
    }

    /** The transfer of the tests: from the agreement to its successor, from 15 January 2027. */
    static fr.interieur.neogend.inventory.v1.TransferPacksRequest.Builder toSuccessorFromJanuary15() {
        return fr.interieur.neogend.inventory.v1.TransferPacksRequest.newBuilder()
                .setFromAgreementId(OrderStandIn.AGREEMENT)
                .setToAgreementId(OrderStandIn.SUCCESSOR)
                .setEffectiveDate(com.google.type.Date.newBuilder()
                        .setYear(2027)
                        .setMonth(1)
                        .setDay(15));
    }

    /** One delivery of {@code n} phones from number {@code first}, in one call (a bulk registration). */
    void deliver(int first, int n) {
        var delivery = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            delivery.addDevices(phone(first + i, "GN-RBRE-GGD35"));
        }
        assertThat(fleetManager.registerDevices(delivery.build()).getRegisteredCount())
                .isEqualTo(n);
    }

    /** How many periods under the agreement PostgreSQL's planner expects (what it plans a statement with). */
    long plannedPeriods(String agreement) {
        String plan = jdbc.sql("explain (format json) select * from pack_agreement where agreement_id = ?")
                .param(agreement)
                .query(String.class)
                .single();
        var rows = java.util.regex.Pattern.compile("\"Plan Rows\": (\\d+)").matcher(plan);
        assertThat(rows.find()).as(plan).isTrue();
        return Long.parseLong(rows.group(1));
    }

    @Test
    void packsMoveToASuccessorOnlyThroughTheOrderServiceNeverOnAFleetManagersTokenAlone() {
        // a fleet manager who reached inventory's port directly skipped order's checks of the successor's
        // prices and maximum: TransferPacks answers only calls carrying the order service's own token too
        deliver(60, 2);
        var transfer = toSuccessorFromJanuary15().build();
        var fleetManagerToken = TestTokens.fleetManager();
        Map<String, String> proofs = new java.util.LinkedHashMap<>();
        proofs.put("accessories' account", TestTokens.peer("accessories"));
        proofs.put("inventory's own account", TestTokens.service("inventory"));
        proofs.put(
                "a user logged in through a client named neogend-order",
                TestTokens.userOfClient("someone", "fleet-manager", "GN", "neogend-order"));
        proofs.put("the fleet manager's own token", fleetManagerToken);
        proofs.put("an expired token", TestTokens.expired());
        proofs.put("a token signed by a key nobody trusts", TestTokens.foreignSigned());
        proofs.put("not a token", "x");
        GrpcAssertions.assertStatus(
                () -> fleetManager.transferPacks(transfer),
                Status.Code.PERMISSION_DENIED,
                "only through neogend-order");
        proofs.forEach((what, proof) -> assertThat(GrpcAssertions.failure(() -> GrpcTestClients.withTokens(
                                        InventoryServiceGrpc.newBlockingStub(clients.channel()),
                                        fleetManagerToken,
                                        proof)
                                .transferPacks(transfer))
                        .getStatus()
                        .getCode())
                .as(what)
                .isEqualTo(Status.Code.PERMISSION_DENIED));
        // the order service's account alone is no fleet manager: the user's role is still required
        GrpcAssertions.assertStatus(
                () -> GrpcTestClients.withTokens(
                                InventoryServiceGrpc.newBlockingStub(clients.channel()),
                                TestTokens.peer("order"),
                                TestTokens.peer("order"))
                        .transferPacks(transfer),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
        assertThat(transferredTo(OrderStandIn.SUCCESSOR)).as("nothing moved").isZero();

        assertThat(throughOrder.transferPacks(transfer).getTransferred()).isEqualTo(2);
        assertThat(transferredTo(OrderStandIn.SUCCESSOR)).isEqualTo(2);
    }

    @Test
    void afterABulkDeliveryOrTransferThePlannerKnowsTheAgreementsPacks() {
        // planned on statistics that knew none of a successor's packs, its first statement ran for minutes
        // (a nested loop over 68,941 packs, make bench): a bulk change refreshes them before it commits
        int n = 1_200;
        deliver(5000, n);
        assertThat(plannedPeriods(OrderStandIn.AGREEMENT)).isBetween(n * 9L / 10, n * 11L / 10);

        var moved = throughOrder.transferPacks(toSuccessorFromJanuary15().build());
        assertThat(moved.getTransferred()).isEqualTo(n);
        assertThat(plannedPeriods(OrderStandIn.SUCCESSOR)).isBetween(n * 9L / 10, n * 11L / 10);
        assertThat(month(2027, 1, OrderStandIn.SUCCESSOR)).hasSize(n);
    }

    long transferredTo(String agreement) {
        return fleetManager
                .countAgreementPacks(fr.interieur.neogend.inventory.v1.CountAgreementPacksRequest.newBuilder()
                        .setAgreementId(agreement)
                        .build())
                .getTransferredInList()
                .stream()
                .mapToLong(c -> c.getCount())
                .sum();
    }

    /** Transactions of clients under way in the service's database, but the one asking (autovacuum aside). */
    long transactionsOpen() {
        return jdbc.sql("select count(*) from pg_stat_activity where datname = current_database()"
                        + " and backend_type = 'client backend' and pid <> pg_backend_pid() and xact_start is not null")
                .query(Long.class)
                .single();
    }

    @Test
    void aTransferCutByItsDeadlineMovedAllOrNothingAndItsRepeatMovesTheRest() throws Exception {
        // docs/benchmarks.md: "a call cut by the deadline is safe to repeat: all or nothing, idempotent"
        int n = 4_000;
        deliver(7000, n);
        var transfer = toSuccessorFromJanuary15().build();
        // deadlines from shorter than the agreement checks (nothing starts) to longer than the database work
        // (the server commits after the caller gave up); each cut call leaves none or all of the packs moved
        long seen = 0;
        for (long ms = 50; ms <= 6_400 && seen == 0; ms *= 2) {
            long deadlineMs = ms;
            try {
                throughOrder
                        .withDeadlineAfter(deadlineMs, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .transferPacks(transfer);
                System.out.printf("a transfer given %d ms was not cut%n", deadlineMs);
                break; // not cut: the repeat below finds nothing left
            } catch (io.grpc.StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            }
            // the server may still be at it: whatever is seen meanwhile is none or all of the packs. Its work is over
            // when the count holds still AND no transaction of the service is open: its packs are invisible until it
            // commits, so a count holding at 0 for a while says nothing while it runs (a repeat then waits for its
            // locks and finds the packs moved: 0 where the test counted n)
            long previous = -1;
            int stableReads = 0;
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while ((stableReads < 10 || transactionsOpen() > 0) && System.nanoTime() < until) {
                seen = transferredTo(OrderStandIn.SUCCESSOR);
                assertThat(seen)
                        .as("packs moved after a transfer cut at %d ms", deadlineMs)
                        .isIn(0L, (long) n);
                stableReads = seen == previous ? stableReads + 1 : 0;
                previous = seen;
                Thread.sleep(50);
            }
            System.out.printf("a transfer cut at %d ms moved %d of %d packs%n", deadlineMs, seen, n);
        }
        seen = transferredTo(OrderStandIn.SUCCESSOR);
        var repeat = throughOrder.transferPacks(transfer);
        assertThat(repeat.getTransferred())
                .as("the repeat moves what the cut call did not")
                .isEqualTo(n - seen);
        assertThat(transferredTo(OrderStandIn.SUCCESSOR)).isEqualTo(n);
        assertThat(jdbc.sql("select count(*), count(distinct subject_id) from history "
                                + "where action = 'TRANSFER_AGREEMENT'")
                        .query((rs, i) -> rs.getLong(1) + "/" + rs.getLong(2))
                        .single())
                .as("each pack's transfer recorded once")
                .isEqualTo(n + "/" + n);
        assertThat(month(2027, 1, OrderStandIn.SUCCESSOR)).hasSize(n);
        assertThat(month(2027, 1, OrderStandIn.AGREEMENT).values())
                .allSatisfy(i -> assertThat(i.getBilledDays()).isEqualTo(14));
    }

    @Test
    void aTransferNeedsAnExistingSuccessorInForceAndOnlyFleetManagersMakeIt() {
        pack(40, "2026-12-01", null);
        var base = fr.interieur.neogend.inventory.v1.TransferPacksRequest.newBuilder()
                .setFromAgreementId(OrderStandIn.AGREEMENT)
                .setToAgreementId(OrderStandIn.SUCCESSOR)
                .setEffectiveDate(com.google.type.Date.newBuilder()
                        .setYear(2026)
                        .setMonth(6)
                        .setDay(1));
        GrpcAssertions.assertStatus(
                () -> throughOrder.transferPacks(base.build()),
                Status.Code.INVALID_ARGUMENT,
                "not in force on 2026-06-01");
        GrpcAssertions.assertStatus(
                () -> throughOrder.transferPacks(base.clone()
                        .setToAgreementId("AC-NOPE")
                        .setEffectiveDate(com.google.type.Date.newBuilder()
                                .setYear(2027)
                                .setMonth(2)
                                .setDay(1))
                        .build()),
                Status.Code.NOT_FOUND,
                "no agreement AC-NOPE");
        GrpcAssertions.assertStatus(
                () -> throughOrder.transferPacks(
                        base.clone().setToAgreementId(OrderStandIn.AGREEMENT).build()),
                Status.Code.INVALID_ARGUMENT,
                "another agreement");
        GrpcAssertions.assertStatus(
                () -> as(TestTokens.unitManager("GN"))
                        .transferPacks(base.clone()
                                .setEffectiveDate(com.google.type.Date.newBuilder()
                                        .setYear(2027)
                                        .setMonth(2)
                                        .setDay(1))
                                .build()),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
    }

    @Test
    void aPackNamesAnAgreementInForceAndASupplierSeesOnlyItsOwnDays() {
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevice(register(phone(50, null).setAgreementId("AC-NOPE"))),
                Status.Code.INVALID_ARGUMENT,
                "device.agreement_id: agreement AC-NOPE does not exist");
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevice(register(phone(51, null).setAgreementId(OrderStandIn.ENDED))),
                Status.Code.INVALID_ARGUMENT,
                "is not in force on");
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevice(register(phone(52, null).clearAgreementId())),
                Status.Code.INVALID_ARGUMENT,
                "device.agreement_id: is required with a pack type");
        GrpcAssertions.assertStatus(
                () -> fleetManager.registerDevice(register(phone(53, null).clearPackType())),
                Status.Code.INVALID_ARGUMENT,
                "a spare device");
        pack(54, "2026-12-01", null);
        assertThat(november(as(TestTokens.supplier("SUP-TEST")), new ArrayList<>()))
                .isEmpty();
        assertThat(month(2026, 12, OrderStandIn.AGREEMENT)).hasSize(1);
        var ownDays = new ArrayList<LeaseInterval>();
        as(TestTokens.supplier("SUP-TEST"))
                .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                        .setAgreementId(OrderStandIn.AGREEMENT)
                        .setYear(2026)
                        .setMonth(12)
                        .build())
                .forEachRemaining(b -> ownDays.addAll(b.getIntervalsList()));
        assertThat(ownDays).hasSize(1);
        assertThat(GrpcAssertions.failure(() -> as(TestTokens.supplier("SUP-OTHER"))
                                .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                                        .setAgreementId(OrderStandIn.AGREEMENT)
                                        .setYear(2026)
                                        .setMonth(12)
                                        .build())
                                .hasNext())
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        GrpcAssertions.assertStatus(
                () -> fleetManager
                        .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                                .setYear(2026)
                                .setMonth(12)
                                .build())
                        .hasNext(),
                Status.Code.INVALID_ARGUMENT,
                "agreement_id");
    }

    fr.interieur.neogend.inventory.v1.ListLeasedModelsResponse models(
            InventoryServiceBlockingStub as, String agreement) {
        return as.listLeasedModels(fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest.newBuilder()
                .setAgreementId(agreement)
                .build());
    }

    /** The models whose releases count for an agreement's patch SLA (issue 20): its packs' devices, its own only. */
    @Test
    void theLeasedModelsAreThoseOfTheAgreementsPacksAndASupplierAsksOnlyForItsOwn() {
        pack(60, "2026-11-01", null);
        fleetManager.registerDevice(register(phone(61, "GN-RBRE-GGD35").setModel("Field Tab 12")));
        assertThat(models(fleetManager, OrderStandIn.AGREEMENT).getModelsList())
                .containsExactly("Field Tab 12", "Rugged X5");
        assertThat(models(fleetManager, OrderStandIn.SUCCESSOR).getModelsList()).isEmpty();
        assertThat(fleetManager
                        .listLeasedModels(fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest.newBuilder()
                                .setAgreementId(OrderStandIn.AGREEMENT)
                                .addModels("Rugged X5")
                                .addModels("Never Leased")
                                .build())
                        .getModelsList())
                .containsExactly("Rugged X5");
        assertThat(models(as(TestTokens.supplier("SUP-TEST")), OrderStandIn.AGREEMENT)
                        .getModelsCount())
                .isEqualTo(2);
        GrpcAssertions.assertCode(
                Status.Code.NOT_FOUND, () -> models(as(TestTokens.supplier("SUP-OTHER")), OrderStandIn.AGREEMENT));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED, () -> models(as(TestTokens.unitManager("GN-RBRE-GGD35")), "AC-TEST"));
        GrpcAssertions.assertStatus(() -> models(fleetManager, ""), Status.Code.INVALID_ARGUMENT, "agreement_id");
    }
}
