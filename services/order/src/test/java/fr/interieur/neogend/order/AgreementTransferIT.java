package fr.interieur.neogend.order;

import com.google.type.Date;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksRequest;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.PackTypeCount;
import fr.interieur.neogend.inventory.v1.TransferPacksRequest;
import fr.interieur.neogend.inventory.v1.TransferPacksResponse;
import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.TransferPacksToSuccessorRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.item;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renewal (rules 13 and 2): packs move to a successor only when the successor prices every pack type
 * that would move and has room for them under its maximum; refused, nothing moves in inventory.
 * Inventory is stood in for by a gRPC server on a real port holding a few packs, which moves them as
 * TransferPacks does and counts them as CountAgreementPacks does, behind the kit's {@link AuthInterceptor}
 * as inventory is: TransferPacks answers only calls carrying the order service's own token besides the
 * fleet manager's (ADR 0030), which this service's account gives here.
 */
@ServiceIT
class AgreementTransferIT {

    static final int INVENTORY_PORT = TestPorts.free();

    /** The order service's own account (Keycloak client credentials in production). */
    @TestConfiguration(proxyBeanMethods = false)
    static class OrdersOwnAccount {
        @Bean
        @Primary
        ServiceTokenSource ordersAccount() {
            return () -> Optional.of(TestTokens.peer("order"));
        }
    }

    /** The service's clock: now, or the day after a month the supplier invoices (a month is invoiced once over). */
    static final fr.interieur.neogend.testkit.SettableClock CLOCK = new fr.interieur.neogend.testkit.SettableClock();

    @TestConfiguration(proxyBeanMethods = false)
    static class ServiceClock {
        @Bean
        java.time.Clock clock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.inventory.deadline", () -> "5s");
    }

    /** A running pack as the stand-in holds it: the agreement it is leased under now, and where it came from. */
    static final class Pack {
        final PackType type;
        final String unitCode;
        String agreementId;
        String transferredFrom;

        Pack(PackType type, String unitCode, String agreementId) {
            this.type = type;
            this.unitCode = unitCode;
            this.agreementId = agreementId;
        }
    }

    static final List<Pack> PACKS = new CopyOnWriteArrayList<>();
    /** The TransferPacks calls inventory received. */
    static final List<TransferPacksRequest> TRANSFERS = new CopyOnWriteArrayList<>();
    /** CountAgreementPacks calls the stand-in answers UNAVAILABLE (inventory gone right after a transfer). */
    static final java.util.concurrent.atomic.AtomicInteger COUNTS_FAILING =
            new java.util.concurrent.atomic.AtomicInteger();
    /** How many CountAgreementPacks calls fail once TransferPacks has moved packs. */
    static final java.util.concurrent.atomic.AtomicInteger COUNTS_FAILING_AFTER_A_MOVE =
            new java.util.concurrent.atomic.AtomicInteger();

    /** When set, TransferPacks counts down {@link #AT_INVENTORY} and waits for this latch before moving anything. */
    static volatile java.util.concurrent.CountDownLatch HOLD;

    static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> AT_INVENTORY =
            new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(1));

    static final String OLD = "AC-2026-NEOGEND";
    static final String PHONES_ONLY = "AC-2029-PHONES";
    static final String OTHER_OLD = "AC-2027-OTHER";

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;
    OrderServiceBlockingStub supplier;
    Server inventory;

    @BeforeEach
    void connect() throws IOException {
        OrderTestData.reset(jdbc);
        PACKS.clear();
        TRANSFERS.clear();
        COUNTS_FAILING.set(0);
        COUNTS_FAILING_AFTER_A_MOVE.set(0);
        HOLD = null;
        CLOCK.now = java.time.Instant.now();
        AT_INVENTORY.set(new java.util.concurrent.CountDownLatch(1));
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        // the ending agreement prices smartphones and collective tablets
        fleetManager.createAgreement(create(agreement(OLD, "SUP-DEMO", 140_000)));
        fleetManager.createAgreement(create(agreement(OTHER_OLD, "SUP-DEMO", 140_000)));
        // its successor prices smartphones only, and takes at most 7 packs
        fleetManager.createAgreement(create(successor(PHONES_ONLY, 7)));
        inventory = startInventory();
    }

    @AfterEach
    void disconnect() {
        inventory.shutdownNow();
    }

    /** An agreement in force from June 2029 whose schedule has one pack-lease line: smartphones. */
    static FrameworkAgreement.Builder successor(String id, long maxPacks) {
        return agreement(id, "SUP-DEMO", maxPacks)
                .setMinPacks(0)
                .setNotifiedOn(Date.newBuilder().setYear(2029).setMonth(6).setDay(1))
                .clearPriceSchedule()
                .addPriceSchedule(item("PACK-SMARTPHONE-INDIVIDUAL", ItemKind.ITEM_KIND_PACK_LEASE, "19.90")
                        .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL))
                .addPriceSchedule(item("ACC-CAR-CHARGER", ItemKind.ITEM_KIND_ACCESSORY, "12.35"));
    }

    static Server startInventory() throws IOException {
        var service = new InventoryServiceGrpc.InventoryServiceImplBase() {
            @Override
            public void transferPacks(TransferPacksRequest request, StreamObserver<TransferPacksResponse> out) {
                TRANSFERS.add(request);
                var hold = HOLD;
                if (hold != null) {
                    AT_INVENTORY.get().countDown();
                    try {
                        hold.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                long moved = 0;
                for (Pack p : PACKS) {
                    if (p.agreementId.equals(request.getFromAgreementId())
                            && (request.getPackType() == PackType.PACK_TYPE_UNSPECIFIED
                                    || request.getPackType() == p.type)
                            && p.unitCode.startsWith(request.getUnitCode())) {
                        p.agreementId = request.getToAgreementId();
                        p.transferredFrom = request.getFromAgreementId();
                        moved++;
                    }
                }
                if (moved > 0) {
                    COUNTS_FAILING.set(COUNTS_FAILING_AFTER_A_MOVE.get());
                }
                out.onNext(
                        TransferPacksResponse.newBuilder().setTransferred(moved).build());
                out.onCompleted();
            }

            @Override
            public void countAgreementPacks(
                    CountAgreementPacksRequest request, StreamObserver<CountAgreementPacksResponse> out) {
                if (COUNTS_FAILING.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    out.onError(Status.UNAVAILABLE
                            .withDescription("inventory restarting")
                            .asRuntimeException());
                    return;
                }
                Map<PackType, Long> running = new EnumMap<>(PackType.class);
                Map<PackType, Long> in = new EnumMap<>(PackType.class);
                for (Pack p : PACKS) {
                    if (p.agreementId.equals(request.getAgreementId())) {
                        running.merge(p.type, 1L, Long::sum);
                        if (p.transferredFrom != null) {
                            in.merge(p.type, 1L, Long::sum);
                        }
                    }
                }
                var answer = CountAgreementPacksResponse.newBuilder();
                running.forEach((t, n) -> answer.addRunning(
                        PackTypeCount.newBuilder().setPackType(t).setCount(n)));
                in.forEach((t, n) -> answer.addTransferredIn(
                        PackTypeCount.newBuilder().setPackType(t).setCount(n)));
                out.onNext(answer.build());
                out.onCompleted();
            }
        };
        return Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(service, new AuthInterceptor(TestTokens.decoder())))
                .build()
                .start();
    }

    static void packs(int n, PackType type, String unitCode, String agreementId) {
        for (int i = 0; i < n; i++) {
            PACKS.add(new Pack(type, unitCode, agreementId));
        }
    }

    static TransferPacksToSuccessorRequest.Builder transfer(String from, String to) {
        return TransferPacksToSuccessorRequest.newBuilder()
                .setAgreementId(from)
                .setSuccessorId(to)
                .setEffectiveDate(Date.newBuilder().setYear(2029).setMonth(7).setDay(1));
    }

    static TransferPacksToSuccessorRequest.Builder transfer(String from, String to, int year, int month, int day) {
        return transfer(from, to)
                .setEffectiveDate(
                        Date.newBuilder().setYear(year).setMonth(month).setDay(day));
    }

    /** The supplier's invoice of a month, posted on the next month's second day: its smartphone packs, one line. */
    void invoice(String agreementId, int year, int month, String number) {
        CLOCK.now = java.time.YearMonth.of(year, month)
                .plusMonths(1)
                .atDay(2)
                .atStartOfDay(java.time.ZoneId.of("Europe/Paris"))
                .toInstant();
        supplier.createInvoice(fr.interieur.neogend.order.v1.CreateInvoiceRequest.newBuilder()
                .setAgreementId(agreementId)
                .setInvoice(fr.interieur.neogend.order.v1.Invoice.newBuilder()
                        .setInvoiceNumber(number)
                        .setYear(year)
                        .setMonth(month)
                        .addLines(fr.interieur.neogend.order.v1.InvoiceLine.newBuilder()
                                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                                .setQuantity(3)
                                .setAmount("65.70"))
                        .setTotalExclTax("65.70"))
                .build());
    }

    long packsOf(String agreementId) {
        return PACKS.stream().filter(p -> p.agreementId.equals(agreementId)).count();
    }

    long transferredIn(String agreementId) {
        return fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId(agreementId)
                        .build())
                .getConsumption()
                .getPacksTransferredIn();
    }

    @Test
    void aSuccessorThatPricesNoPackOfATypeThatWouldMoveIsRefusedAndNothingMoves() {
        packs(3, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OLD);
        packs(2, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD29", OLD);
        packs(3, PackType.PACK_TYPE_TABLET_COLLECTIVE, "GN-RBRE-GGD35", OLD);

        // every pack: the tablets would bill nowhere (the successor's statements would fail every month)
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY).build()),
                Status.Code.INVALID_ARGUMENT,
                "successor_id: " + PHONES_ONLY + " prices no TABLET_COLLECTIVE pack");
        // the tablets alone, even within one unit
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(transfer(OLD, PHONES_ONLY)
                        .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)
                        .setUnitCode("GN-RBRE-GGD35")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "pack_type: " + PHONES_ONLY + " prices no TABLET_COLLECTIVE pack");
        assertThat(TRANSFERS).isEmpty();
        assertThat(packsOf(OLD)).isEqualTo(8);
        assertThat(transferredIn(PHONES_ONLY)).isZero();

        // the smartphones, which it prices, go — one unit, then the other, then a repeat moving nothing
        var moved = fleetManager.transferPacksToSuccessor(transfer(OLD, PHONES_ONLY)
                .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                .setUnitCode("GN-RBRE-GGD35")
                .build());
        assertThat(moved.getTransferred()).isEqualTo(3);
        assertThat(fleetManager
                        .transferPacksToSuccessor(transfer(OLD, PHONES_ONLY)
                                .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                                .build())
                        .getTransferred())
                .isEqualTo(2);
        assertThat(fleetManager
                        .transferPacksToSuccessor(transfer(OLD, PHONES_ONLY)
                                .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                                .build())
                        .getTransferred())
                .isZero();
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);
        // only the tablets are left: still refused without their price
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY).build()),
                Status.Code.INVALID_ARGUMENT,
                "prices no TABLET_COLLECTIVE pack");
        assertThat(packsOf(OLD)).isEqualTo(3);
    }

    @Test
    void packsMovedByATransferCutBeforeOrderCountedThemStillCountAgainstTheSuccessorsMaximum() {
        packs(5, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OLD);
        // inventory moves the packs, then is gone (its call and the retry) when order reads the successor's count
        var cut = transfer(OLD, PHONES_ONLY).build();
        COUNTS_FAILING_AFTER_A_MOVE.set(2);
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(cut),
                Status.Code.UNAVAILABLE,
                "the packs moved but the successor's count is not updated");
        COUNTS_FAILING_AFTER_A_MOVE.set(0);
        COUNTS_FAILING.set(0);
        assertThat(packsOf(PHONES_ONLY)).as("inventory moved them").isEqualTo(5);

        // before anyone repeats the transfer: the successor's maximum and its view count the 5 packs
        String number = fleetManager
                .createPurchaseOrder(OrderTestData.order(PHONES_ONLY, 7, 2029, 7, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest.newBuilder()
                .setNumber(number)
                .build());
        assertStatus(
                () -> fleetManager.approvePurchaseOrder(
                        fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest.newBuilder()
                                .setNumber(number)
                                .setBudgetOverrideReason("renewal: the new agreement's envelopes are voted later")
                                .build()),
                Status.Code.FAILED_PRECONDITION,
                "would bring agreement " + PHONES_ONLY + " to 12 packs, over its maximum of 7 (headroom 2)");
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);
        // the repeat moves nothing and keeps the count
        assertThat(fleetManager.transferPacksToSuccessor(cut).getTransferred()).isZero();
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);
    }

    @Test
    void aTransferThatWouldTakeTheSuccessorOverItsMaximumIsRefusedAndNothingMoves() {
        packs(5, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OLD);
        packs(2, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OTHER_OLD);
        packs(1, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD29", OTHER_OLD);
        fleetManager.transferPacksToSuccessor(transfer(OLD, PHONES_ONLY).build());
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);

        // 5 in + 3 running under the other predecessor = 8, over the successor's 7
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OTHER_OLD, PHONES_ONLY).build()),
                Status.Code.FAILED_PRECONDITION,
                "would bring agreement " + PHONES_ONLY + " to 8 packs, over its maximum of 7 (headroom 2)");
        // with a unit filter the predecessor's running packs of the type count whole (an upper bound):
        // refused although the unit holds only 1
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(transfer(OTHER_OLD, PHONES_ONLY)
                        .setUnitCode("GN-RBRE-GGD29")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "an upper bound");
        assertThat(TRANSFERS).hasSize(1);
        assertThat(packsOf(OTHER_OLD)).isEqualTo(3);
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);
    }

    @Test
    void aMonthEitherAgreementHasInvoicedKeepsItsDaysSoNoTransferMovesThem() {
        packs(3, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OLD);
        // the supplier has invoiced the ending agreement's July 2029: its packs' July days are billed there
        invoice(OLD, 2029, 7, "F-2029-07");
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY, 2029, 7, 1).build()),
                Status.Code.INVALID_ARGUMENT,
                "effective_date: moves days of 2029-07, but " + OLD + " is invoiced up to 2029-07 (invoice F-2029-07)"
                        + ": a month invoiced keeps its statement, so the packs move on 2029-08-01 at the earliest");
        // back-dated into an earlier month (the successor's term covers it): refused likewise
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY, 2029, 6, 15).build()),
                Status.Code.INVALID_ARGUMENT,
                "moves days of 2029-06, but " + OLD + " is invoiced up to 2029-07");
        // the last day of the month invoiced is still in it
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY, 2029, 7, 31).build()),
                Status.Code.INVALID_ARGUMENT,
                "is invoiced up to 2029-07");
        assertThat(TRANSFERS).as("nothing asked of inventory").isEmpty();
        assertThat(packsOf(OLD)).isEqualTo(3);
        assertThat(transferredIn(PHONES_ONLY)).isZero();
        // from the next month on, they move
        assertThat(fleetManager
                        .transferPacksToSuccessor(
                                transfer(OLD, PHONES_ONLY, 2029, 8, 1).build())
                        .getTransferred())
                .isEqualTo(3);

        // the successor's September is invoiced: another predecessor's packs cannot join it in September
        packs(2, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD29", OTHER_OLD);
        invoice(PHONES_ONLY, 2029, 9, "S-2029-09");
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OTHER_OLD, PHONES_ONLY, 2029, 9, 30).build()),
                Status.Code.INVALID_ARGUMENT,
                "moves days of 2029-09, but " + PHONES_ONLY + " is invoiced up to 2029-09 (invoice S-2029-09)");
        assertThat(packsOf(OTHER_OLD)).isEqualTo(2);
        assertThat(fleetManager
                        .transferPacksToSuccessor(
                                transfer(OTHER_OLD, PHONES_ONLY, 2029, 10, 1).build())
                        .getTransferred())
                .isEqualTo(2);
        assertThat(transferredIn(PHONES_ONLY)).isEqualTo(5);
    }

    @Test
    void anInvoicePostedWhileATransferOfItsMonthRunsWaitsUntilTheTransferIsOver() throws Exception {
        packs(3, PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, "GN-RBRE-GGD35", OLD);
        var release = new java.util.concurrent.CountDownLatch(1);
        HOLD = release;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // July's transfer has passed its checks and is at inventory, moving the packs
            var moving = pool.submit(() -> fleetManager
                    .transferPacksToSuccessor(
                            transfer(OLD, PHONES_ONLY, 2029, 7, 1).build())
                    .getTransferred());
            assertThat(AT_INVENTORY.get().await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            // the supplier posts July's invoice meanwhile: it is not posted under the transfer's feet
            var posting = pool.submit(() -> invoice(OLD, 2029, 7, "F-2029-07"));
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> posting.get(3, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the invoice was posted while the transfer of its month was moving packs")
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            release.countDown();
            assertThat(moving.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
            // then it is posted, on the statement the transfer left
            posting.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            HOLD = null;
            release.countDown();
            pool.shutdownNow();
        }
        // and now July is invoiced: no transfer moves its days any more
        assertStatus(
                () -> fleetManager.transferPacksToSuccessor(
                        transfer(OLD, PHONES_ONLY, 2029, 7, 15).build()),
                Status.Code.INVALID_ARGUMENT,
                "is invoiced up to 2029-07");
    }
}
