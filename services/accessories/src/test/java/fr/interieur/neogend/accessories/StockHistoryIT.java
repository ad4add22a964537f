package fr.interieur.neogend.accessories;

import com.google.protobuf.util.Timestamps;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc.AccessoriesServiceBlockingStub;
import fr.interieur.neogend.accessories.v1.CatalogueItem;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemRequest;
import fr.interieur.neogend.accessories.v1.CreateDepotRequest;
import fr.interieur.neogend.accessories.v1.ExportStockMovementsRequest;
import fr.interieur.neogend.accessories.v1.ItemCategory;
import fr.interieur.neogend.accessories.v1.ListStockAlertsRequest;
import fr.interieur.neogend.accessories.v1.ListStockMovementsRequest;
import fr.interieur.neogend.accessories.v1.ListStockMovementsResponse;
import fr.interieur.neogend.accessories.v1.MovementKind;
import fr.interieur.neogend.accessories.v1.RecordStockMovementRequest;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelRequest;
import fr.interieur.neogend.accessories.v1.StockAlert;
import fr.interieur.neogend.accessories.v1.StockAlertState;
import fr.interieur.neogend.accessories.v1.StockMovement;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stock history (rule 15, issue 17) on real PostgreSQL: every movement listed with who, what, where,
 * when and for which repair, filtered, paged without loss or repeat while movements are recorded, the
 * CSV export equal to the list; cleared alerts listed.
 */
@ServiceIT
class StockHistoryIT {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    AccessoriesServiceBlockingStub fleetManager;
    AccessoriesServiceBlockingStub technician;
    AccessoriesServiceBlockingStub auditor;

    @BeforeEach
    void connect() {
        AccessoriesTestData.reset(jdbc);
        fleetManager = clients.as(TestTokens.fleetManager(), AccessoriesServiceGrpc::newBlockingStub);
        technician = clients.as(TestTokens.technician("GN-RBRE"), AccessoriesServiceGrpc::newBlockingStub);
        auditor = clients.as(TestTokens.auditor(), AccessoriesServiceGrpc::newBlockingStub);
        for (String code : List.of("SP-SCREEN-X5", "SP-BATT-X5")) {
            fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                    .setItem(CatalogueItem.newBuilder()
                            .setCode(code)
                            .setLabel("Pièce " + code)
                            .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                            .addFitsModels("Rugged X5"))
                    .build());
        }
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-RENNES")
                .setName("Atelier de Rennes")
                .build());
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-BREST")
                .setName("Atelier de Brest")
                .build());
    }

    /** The kind without its enum's prefix, as the CSV writes it: RECEIPT. */
    static String kind(StockMovement m) {
        return m.getKind().name().substring("MOVEMENT_KIND_".length());
    }

    RecordStockMovementRequest.Builder move(String kind, String item, String depot, long quantity) {
        return RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.valueOf("MOVEMENT_KIND_" + kind))
                .setItemCode(item)
                .setDepotCode(depot)
                .setQuantity(quantity);
    }

    List<StockMovement> all(ListStockMovementsRequest.Builder filter, int pageSize) {
        List<StockMovement> out = new ArrayList<>();
        String token = "";
        do {
            ListStockMovementsResponse page = auditor.listStockMovements(
                    filter.clone().setPageSize(pageSize).setPageToken(token).build());
            out.addAll(page.getMovementsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /**
     * Five movements of every kind, by two people, in two depots (one recorded as RepairService does,
     * with its repair), as the list gives them back (pages of two).
     */
    List<StockMovement> fiveMovements() {
        fleetManager.recordStockMovement(move("RECEIPT", "SP-SCREEN-X5", "DEP-RENNES", 10)
                .setReference("BL-1")
                .build());
        fleetManager.recordStockMovement(
                move("RECEIPT", "SP-BATT-X5", "DEP-BREST", 5).build());
        technician.recordStockMovement(move("ISSUE", "SP-SCREEN-X5", "DEP-RENNES", 2)
                .setReference("=HYPERLINK(\"x\") unit, \"GN\"")
                .build());
        fleetManager.recordStockMovement(move("TRANSFER", "SP-BATT-X5", "DEP-BREST", 3)
                .setToDepotCode("DEP-RENNES")
                .build());
        // a part consumed in a repair (as RepairService records it), and one recorded before repair ids had a column
        jdbc.sql("insert into stock_movement (kind, item_code, depot_code, quantity, reference, repair_id, actor, at) "
                        + "values ('CONSUMPTION', 'SP-SCREEN-X5', 'DEP-RENNES', 1, 'repair RP-000042', 'RP-000042', "
                        + "'technician', now())")
                .update();
        return all(ListStockMovementsRequest.newBuilder(), 2);
    }

    @Test
    void everyMovementIsListedInTheOrderRecordedWithWhatWhereAndWho() {
        List<StockMovement> everything = fiveMovements();
        assertThat(everything)
                .extracting(m -> kind(m) + " " + m.getItemCode() + " " + m.getDepotCode() + ">" + m.getToDepotCode()
                        + " x" + m.getQuantity() + " by " + m.getActor())
                .containsExactly(
                        "RECEIPT SP-SCREEN-X5 DEP-RENNES> x10 by fleet.manager",
                        "RECEIPT SP-BATT-X5 DEP-BREST> x5 by fleet.manager",
                        "ISSUE SP-SCREEN-X5 DEP-RENNES> x2 by technician",
                        "TRANSFER SP-BATT-X5 DEP-BREST>DEP-RENNES x3 by fleet.manager",
                        "CONSUMPTION SP-SCREEN-X5 DEP-RENNES> x1 by technician");
        assertThat(everything.get(0).hasRecordTime()).isTrue();
        assertThat(everything.get(0).getReference()).isEqualTo("BL-1");
    }

    @Test
    void theFiltersKeepOnlyTheirMovements() {
        fiveMovements();
        // a depot: out of it or into it
        assertThat(all(ListStockMovementsRequest.newBuilder().setDepotCode("DEP-BREST"), 50))
                .hasSize(2);
        assertThat(all(ListStockMovementsRequest.newBuilder().setDepotCode("DEP-RENNES"), 50))
                .hasSize(4);
        assertThat(all(ListStockMovementsRequest.newBuilder().setItemCode("SP-BATT-X5"), 50))
                .hasSize(2);
        assertThat(all(ListStockMovementsRequest.newBuilder().setActor("technician"), 50))
                .hasSize(2);
        assertThat(all(ListStockMovementsRequest.newBuilder().setRepairId("RP-000042"), 50))
                .extracting(StockMovement::getRepairId)
                .containsExactly("RP-000042");
        assertThat(all(
                        ListStockMovementsRequest.newBuilder()
                                .setActor("technician")
                                .setItemCode("SP-BATT-X5"),
                        50))
                .isEmpty();
        var today = day(LocalDate.now(PARIS));
        var yesterday = day(LocalDate.now(PARIS).minusDays(1));
        assertThat(all(ListStockMovementsRequest.newBuilder().setFromDate(today).setToDate(today), 50))
                .hasSize(5);
        assertThat(all(ListStockMovementsRequest.newBuilder().setToDate(yesterday), 50))
                .isEmpty();
        assertThat(all(
                        ListStockMovementsRequest.newBuilder()
                                .setFromDate(day(LocalDate.now(PARIS).plusDays(1))),
                        50))
                .isEmpty();
    }

    @Test
    void oddDatesAndATokenOfOtherFiltersAreRefusedNamingTheField() {
        fiveMovements();
        var today = day(LocalDate.now(PARIS));
        var yesterday = day(LocalDate.now(PARIS).minusDays(1));
        // odd dates are refused, naming the field
        GrpcAssertions.assertStatus(
                () -> auditor.listStockMovements(ListStockMovementsRequest.newBuilder()
                        .setFromDate(today)
                        .setToDate(yesterday)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "to_date");
        GrpcAssertions.assertStatus(
                () -> auditor.listStockMovements(ListStockMovementsRequest.newBuilder()
                        .setFromDate(day("2026-02-30"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "from_date");
        GrpcAssertions.assertStatus(
                () -> auditor.listStockMovements(ListStockMovementsRequest.newBuilder()
                        .setToDate(day("2026-13-03"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "to_date");
        GrpcAssertions.assertStatus(
                () -> auditor.exportStockMovements(ExportStockMovementsRequest.newBuilder()
                        .setFromDate(today)
                        .setToDate(yesterday)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "to_date");
        // a token is for the filters it was issued with
        String token = auditor.listStockMovements(
                        ListStockMovementsRequest.newBuilder().setPageSize(1).build())
                .getNextPageToken();
        GrpcAssertions.assertStatus(
                () -> auditor.listStockMovements(ListStockMovementsRequest.newBuilder()
                        .setDepotCode("DEP-BREST")
                        .setPageToken(token)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "page_token");
    }

    @Test
    void theCsvHasTheListsRowsWithTheSameValuesTextQuotedAndNeverAFormula() {
        List<StockMovement> everything = fiveMovements();
        // the CSV: the same rows, the same values, text quoted and never a formula
        String csv = auditor.exportStockMovements(ExportStockMovementsRequest.getDefaultInstance())
                .getFile()
                .getData()
                .toStringUtf8();
        String[] lines = csv.split("\r\n");
        assertThat(lines[0])
                .isEqualTo("id,record_time,kind,item_code,depot_code,to_depot_code,quantity,repair_id,actor,"
                        + "reference");
        assertThat(lines).hasSize(everything.size() + 1);
        for (int i = 0; i < everything.size(); i++) {
            StockMovement m = everything.get(i);
            assertThat(lines[i + 1])
                    .startsWith(m.getId() + "," + Timestamps.toString(m.getRecordTime()) + "," + kind(m) + ","
                            + m.getItemCode() + "," + m.getDepotCode() + "," + m.getToDepotCode() + ","
                            + m.getQuantity() + ","
                            + m.getRepairId() + ",\"" + m.getActor() + "\",");
        }
        assertThat(lines[3]).endsWith(",\"'=HYPERLINK(\"\"x\"\") unit, \"\"GN\"\"\"");
        String rennes = auditor.exportStockMovements(ExportStockMovementsRequest.newBuilder()
                        .setDepotCode("DEP-RENNES")
                        .build())
                .getFile()
                .getData()
                .toStringUtf8();
        assertThat(rennes.split("\r\n")).hasSize(5);
    }

    @Test
    void aTechnicianRecordsMovementsButDoesNotReadTheLedger() {
        fiveMovements();
        // a technician records movements but does not read the ledger
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.listStockMovements(ListStockMovementsRequest.getDefaultInstance()));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> technician.exportStockMovements(ExportStockMovementsRequest.getDefaultInstance()));
    }

    @Test
    void pagesNeitherLoseNorRepeatAMovementWhileOthersAreRecorded() throws Exception {
        fleetManager.recordStockMovement(
                move("RECEIPT", "SP-SCREEN-X5", "DEP-RENNES", 1000).build());
        for (int i = 0; i < 60; i++) {
            fleetManager.recordStockMovement(move("ISSUE", "SP-SCREEN-X5", "DEP-RENNES", 1)
                    .setReference("before " + i)
                    .build());
        }
        Set<Long> before = new HashSet<>(
                jdbc.sql("select id from stock_movement").query(Long.class).list());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        List<Future<Integer>> written = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            written.add(writers.submit(() -> {
                int n = 0;
                while (!stop.get() && n < 200) {
                    fleetManager.recordStockMovement(move("ISSUE", "SP-SCREEN-X5", "DEP-RENNES", 1)
                            .setReference("during")
                            .build());
                    n++;
                }
                return n;
            }));
        }
        List<StockMovement> paged;
        try {
            paged = all(ListStockMovementsRequest.newBuilder().setDepotCode("DEP-RENNES"), 7);
        } finally {
            stop.set(true);
            for (Future<Integer> f : written) {
                f.get(60, TimeUnit.SECONDS);
            }
            writers.shutdownNow();
        }
        List<Long> ids = paged.stream().map(StockMovement::getId).toList();
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(ids).containsAll(before);
        // once the writers are done, paging again gives every movement once, as the export does
        List<StockMovement> settled = all(ListStockMovementsRequest.newBuilder().setDepotCode("DEP-RENNES"), 13);
        long stored = jdbc.sql("select count(*) from stock_movement")
                .query(Long.class)
                .single();
        assertThat(settled).hasSize((int) stored);
        assertThat(settled.stream().map(StockMovement::getId)).doesNotHaveDuplicates();
        String csv = auditor.exportStockMovements(ExportStockMovementsRequest.newBuilder()
                        .setDepotCode("DEP-RENNES")
                        .build())
                .getFile()
                .getData()
                .toStringUtf8();
        assertThat(csv.split("\r\n")).hasSize((int) stored + 1);
    }

    @Test
    void clearedAlertsAreListedApartFromOpenOnesWithTheirClearTime() {
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode("SP-SCREEN-X5")
                .setMinimum(5)
                .build());
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-BREST")
                .setItemCode("SP-BATT-X5")
                .setMinimum(2)
                .build());
        // Rennes climbs back (alert cleared), then falls again (a new alert); Brest stays below
        fleetManager.recordStockMovement(
                move("RECEIPT", "SP-SCREEN-X5", "DEP-RENNES", 6).build());
        fleetManager.recordStockMovement(
                move("ISSUE", "SP-SCREEN-X5", "DEP-RENNES", 3).build());

        List<StockAlert> open = auditor.listStockAlerts(ListStockAlertsRequest.getDefaultInstance())
                .getAlertsList();
        List<StockAlert> cleared = auditor.listStockAlerts(ListStockAlertsRequest.newBuilder()
                        .setState(StockAlertState.STOCK_ALERT_STATE_CLEARED)
                        .build())
                .getAlertsList();
        List<StockAlert> any = auditor.listStockAlerts(ListStockAlertsRequest.newBuilder()
                        .setState(StockAlertState.STOCK_ALERT_STATE_ANY)
                        .build())
                .getAlertsList();
        assertThat(open)
                .extracting(a -> a.getDepotCode() + " " + a.hasClearTime())
                .containsExactly("DEP-BREST false", "DEP-RENNES false");
        assertThat(cleared).extracting(StockAlert::getDepotCode).containsExactly("DEP-RENNES");
        assertThat(cleared.get(0).hasClearTime()).isTrue();
        assertThat(any).hasSize(3);
        assertThat(auditor.listStockAlerts(ListStockAlertsRequest.newBuilder()
                                .setDepotCode("DEP-BREST")
                                .setState(StockAlertState.STOCK_ALERT_STATE_CLEARED)
                                .build())
                        .getAlertsList())
                .isEmpty();
        // page by page: the same alerts
        var first = auditor.listStockAlerts(ListStockAlertsRequest.newBuilder()
                .setState(StockAlertState.STOCK_ALERT_STATE_ANY)
                .setPageSize(2)
                .build());
        var second = auditor.listStockAlerts(ListStockAlertsRequest.newBuilder()
                .setState(StockAlertState.STOCK_ALERT_STATE_ANY)
                .setPageSize(2)
                .setPageToken(first.getNextPageToken())
                .build());
        List<StockAlert> paged = new ArrayList<>(first.getAlertsList());
        paged.addAll(second.getAlertsList());
        assertThat(paged).isEqualTo(any);
        assertThat(second.getNextPageToken()).isEmpty();
    }
}
