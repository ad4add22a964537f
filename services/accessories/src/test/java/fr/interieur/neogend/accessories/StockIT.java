package fr.interieur.neogend.accessories;

import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc.AccessoriesServiceBlockingStub;
import fr.interieur.neogend.accessories.v1.CatalogueItem;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemRequest;
import fr.interieur.neogend.accessories.v1.CreateDepotRequest;
import fr.interieur.neogend.accessories.v1.GetStockRequest;
import fr.interieur.neogend.accessories.v1.ItemCategory;
import fr.interieur.neogend.accessories.v1.ListStockAlertsRequest;
import fr.interieur.neogend.accessories.v1.MovementKind;
import fr.interieur.neogend.accessories.v1.RecordStockMovementRequest;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
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

import static org.assertj.core.api.Assertions.assertThat;

/** Depots and stock (rule 15) on real PostgreSQL: never negative, every movement kept, alerts once per crossing. */
@ServiceIT
class StockIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    AccessoriesServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        AccessoriesTestData.reset(jdbc);
        fleetManager = clients.as(TestTokens.fleetManager(), AccessoriesServiceGrpc::newBlockingStub);
        fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                .setItem(CatalogueItem.newBuilder()
                        .setCode("SP-SCREEN-X5")
                        .setLabel("Écran Rugged X5")
                        .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                        .addFitsModels("Rugged X5"))
                .build());
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-RENNES")
                .setName("Atelier de Rennes")
                .build());
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-BREST")
                .setName("Atelier de Brest")
                .build());
    }

    RecordStockMovementRequest.Builder move(String kind, long quantity) {
        return RecordStockMovementRequest.newBuilder()
                .setKind(MovementKind.valueOf("MOVEMENT_KIND_" + kind))
                .setItemCode("SP-SCREEN-X5")
                .setDepotCode("DEP-RENNES")
                .setQuantity(quantity)
                .setReference("test");
    }

    long openAlerts() {
        return fleetManager
                .listStockAlerts(ListStockAlertsRequest.getDefaultInstance())
                .getAlertsCount();
    }

    @Test
    void stockNeverGoesNegativeUnderFiftyConcurrentMovementsAndTheAlertIsRaisedOncePerCrossing() throws Exception {
        fleetManager.recordStockMovement(move("RECEIPT", 30).build());
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode("SP-SCREEN-X5")
                .setMinimum(10)
                .build());
        var technician = clients.as(TestTokens.technician("GN"), AccessoriesServiceGrpc::newBlockingStub);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(pool.submit((Callable<String>) () -> {
                start.await();
                try {
                    technician.recordStockMovement(
                            move("CONSUMPTION", 1).setReference("repair").build());
                    return "OK";
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            }));
        }
        start.countDown();
        List<String> outcome = new ArrayList<>();
        for (Future<String> f : results) {
            outcome.add(f.get());
        }
        pool.shutdown();
        assertThat(outcome.stream().filter("OK"::equals)).hasSize(30);
        assertThat(outcome.stream().filter(o -> !o.equals("OK")))
                .allMatch("FAILED_PRECONDITION"::equals)
                .hasSize(20);
        var level = fleetManager
                .getStock(
                        GetStockRequest.newBuilder().setDepotCode("DEP-RENNES").build())
                .getLevels(0);
        assertThat(level.getQuantity()).isZero();
        assertThat(level.getBelowMinimum()).isTrue();
        assertThat(jdbc.sql("select count(*) from stock_movement")
                        .query(Long.class)
                        .single())
                .isEqualTo(31);
        assertThat(jdbc.sql("select count(*) from stock_alert")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);

        fleetManager.recordStockMovement(move("RECEIPT", 25).build());
        assertThat(openAlerts()).isZero();
        fleetManager.recordStockMovement(
                move("ISSUE", 20).setReference("GN-RBRE-GGD35").build());
        assertThat(openAlerts()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from stock_alert")
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void opposingTransfersAtOnceAllGoThroughAndEveryUnitIsStillThere() throws Exception {
        fleetManager.recordStockMovement(move("RECEIPT", 100).build());
        fleetManager.recordStockMovement(
                move("TRANSFER", 50).setToDepotCode("DEP-BREST").build());
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> outcomes = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<Future<String>> pair = new ArrayList<>();
                for (String[] way : new String[][] {{"DEP-RENNES", "DEP-BREST"}, {"DEP-BREST", "DEP-RENNES"}}) {
                    pair.add(pool.submit((Callable<String>) () -> {
                        together.await();
                        try {
                            fleetManager.recordStockMovement(move("TRANSFER", 1)
                                    .setDepotCode(way[0])
                                    .setToDepotCode(way[1])
                                    .build());
                            return "OK";
                        } catch (StatusRuntimeException e) {
                            return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                        }
                    }));
                }
                for (Future<String> f : pair) {
                    outcomes.add(f.get());
                }
            }
        } finally {
            pool.shutdown();
        }
        // two technicians sending each other a part at the same moment is not a conflict: both go through
        assertThat(outcomes).hasSize(2 * rounds).allMatch("OK"::equals);
        long rennes = fleetManager
                .getStock(
                        GetStockRequest.newBuilder().setDepotCode("DEP-RENNES").build())
                .getLevels(0)
                .getQuantity();
        long brest = fleetManager
                .getStock(GetStockRequest.newBuilder().setDepotCode("DEP-BREST").build())
                .getLevels(0)
                .getQuantity();
        assertThat(rennes).isEqualTo(50);
        assertThat(brest).isEqualTo(50);
        assertThat(jdbc.sql("select count(*) from stock_movement where kind = 'TRANSFER'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1 + 2L * rounds);
    }

    /**
     * The last unit of a depot wanted at once by a consumption there and a transfer out of it: one takes it, the
     * other is refused naming what is left; the unit is in one place only, one movement says where it went, and
     * the depot's alert is raised once for that drop.
     */
    @Test
    void aConsumptionAndATransferRacingForTheLastUnitTakeItOnceAndRaiseOneAlert() throws Exception {
        fleetManager.setMinimumLevel(SetMinimumLevelRequest.newBuilder()
                .setDepotCode("DEP-RENNES")
                .setItemCode("SP-SCREEN-X5")
                .setMinimum(1)
                .build());
        var technician = clients.as(TestTokens.technician("GN"), AccessoriesServiceGrpc::newBlockingStub);
        int rounds = 10;
        List<String> winners = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                fleetManager.recordStockMovement(move("RECEIPT", 1).build());
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                Future<String> consumption = pool.submit((Callable<String>) () -> {
                    together.await();
                    try {
                        technician.recordStockMovement(move("CONSUMPTION", 1).build());
                        return "CONSUMPTION";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                    }
                });
                Future<String> transfer = pool.submit((Callable<String>) () -> {
                    together.await();
                    try {
                        fleetManager.recordStockMovement(
                                move("TRANSFER", 1).setToDepotCode("DEP-BREST").build());
                        return "TRANSFER";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                    }
                });
                for (String outcome : List.of(consumption.get(), transfer.get())) {
                    (outcome.contains(" ") ? refusals : winners).add(outcome);
                }
            }
        } finally {
            pool.shutdown();
        }
        assertThat(winners).hasSize(rounds);
        assertThat(refusals)
                .hasSize(rounds)
                .allMatch(r -> r.startsWith("FAILED_PRECONDITION only 0 of SP-SCREEN-X5 in DEP-RENNES"));
        long transfers = winners.stream().filter("TRANSFER"::equals).count();
        assertThat(fleetManager
                        .getStock(GetStockRequest.newBuilder()
                                .setDepotCode("DEP-RENNES")
                                .build())
                        .getLevels(0)
                        .getQuantity())
                .isZero();
        assertThat(
                        fleetManager
                                .getStock(GetStockRequest.newBuilder()
                                        .setDepotCode("DEP-BREST")
                                        .build())
                                .getLevelsList()
                                .stream()
                                .mapToLong(l -> l.getQuantity())
                                .sum())
                .isEqualTo(transfers);
        // every receipt and every winner is one movement; no refused one left a row
        assertThat(jdbc.sql("select kind, count(*) from stock_movement group by kind order by kind")
                        .query((rs, n) -> rs.getString(1) + "=" + rs.getLong(2))
                        .list())
                .containsExactlyElementsOf(java.util.stream.Stream.of(
                                "CONSUMPTION=" + (rounds - transfers), "RECEIPT=" + rounds, "TRANSFER=" + transfers)
                        .filter(k -> !k.endsWith("=0"))
                        .toList());
        // the minimum set on an empty depot raised one; each round's receipt cleared it and its winner raised one
        assertThat(jdbc.sql("select count(*) from stock_alert where depot_code = 'DEP-RENNES'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1L + rounds);
        assertThat(openAlerts()).isEqualTo(1);
    }

    @Test
    void transfersMoveStockBetweenDepotsAndBadMovementsAreRefused() {
        fleetManager.recordStockMovement(move("RECEIPT", 8).build());
        var levels = fleetManager
                .recordStockMovement(
                        move("TRANSFER", 3).setToDepotCode("DEP-BREST").build())
                .getLevelsList();
        assertThat(levels)
                .extracting(l -> l.getDepotCode() + "=" + l.getQuantity())
                .containsExactly("DEP-RENNES=5", "DEP-BREST=3");
        StatusRuntimeException tooMuch = GrpcAssertions.failure(
                () -> fleetManager.recordStockMovement(move("ISSUE", 6).build()));
        assertThat(tooMuch.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(tooMuch.getStatus().getDescription()).contains("only 5 of SP-SCREEN-X5 in DEP-RENNES");
        assertThat(GrpcAssertions.failure(() -> fleetManager.recordStockMovement(
                                move("TRANSFER", 1).build()))
                        .getStatus()
                        .getDescription())
                .contains("to_depot_code");
        assertThat(GrpcAssertions.failure(() -> fleetManager.recordStockMovement(
                                move("UNSPECIFIED", 0).build()))
                        .getStatus()
                        .getDescription())
                .contains("kind")
                .contains("quantity");
        assertThat(GrpcAssertions.failure(
                                () -> clients.as(TestTokens.auditor(), AccessoriesServiceGrpc::newBlockingStub)
                                        .recordStockMovement(move("ISSUE", 1).build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    /** A label or a depot name is required: spaces alone (plain, no-break, zero-width) are no label, no name. */
    @Test
    void aLabelOrADepotNameOfSpacesAloneIsRefusedNamingTheFieldAndNothingIsStored() {
        for (String blank : List.of("   ", "\u00a0", "\u200b \u2009")) {
            GrpcAssertions.assertStatus(
                    () -> fleetManager.createCatalogueItem(CreateCatalogueItemRequest.newBuilder()
                            .setItem(CatalogueItem.newBuilder()
                                    .setCode("SP-BLANK")
                                    .setLabel(blank)
                                    .setCategory(ItemCategory.ITEM_CATEGORY_SPARE_PART)
                                    .addFitsModels("Rugged X5"))
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "item.label");
            GrpcAssertions.assertStatus(
                    () -> fleetManager.createDepot(CreateDepotRequest.newBuilder()
                            .setCode("DEP-BLANK")
                            .setName(blank)
                            .build()),
                    Status.Code.INVALID_ARGUMENT,
                    "name");
        }
        assertThat(jdbc.sql("select count(*) from catalogue_item where code = 'SP-BLANK'")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from depot where code = 'DEP-BLANK'")
                        .query(Long.class)
                        .single())
                .isZero();
        // a label or a name with spaces around is kept trimmed
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode("DEP-BLANK")
                .setName("  Atelier de Lorient ")
                .build());
        assertThat(jdbc.sql("select name from depot where code = 'DEP-BLANK'")
                        .query(String.class)
                        .single())
                .isEqualTo("Atelier de Lorient");
    }

    @Test
    void aDepotCodeLongerThanADepotCanHoldIsRefusedNamingTheFieldNeverAnInternalError() {
        String code41 = "DEP-" + "A".repeat(37);
        String code64 = "DEP-" + "B".repeat(60);
        for (String code : List.of(code41, code64)) {
            StatusRuntimeException refused =
                    GrpcAssertions.failure(() -> fleetManager.createDepot(CreateDepotRequest.newBuilder()
                            .setCode(code)
                            .setName("Atelier")
                            .build()));
            assertThat(refused.getStatus().getCode())
                    .as("a depot code of %d characters: %s", code.length(), refused.getStatus())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).contains("code");
        }
        // 40 characters is a depot code
        String code40 = "DEP-" + "C".repeat(36);
        fleetManager.createDepot(CreateDepotRequest.newBuilder()
                .setCode(code40)
                .setName("Atelier")
                .build());
        assertThat(jdbc.sql("select count(*) from depot where code = ?")
                        .param(code40)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }
}
