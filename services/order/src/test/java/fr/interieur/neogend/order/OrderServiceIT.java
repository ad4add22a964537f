package fr.interieur.neogend.order;

import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CancelPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ClosePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.GetPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ListAgreementsRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersResponse;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.OrderState;
import fr.interieur.neogend.order.v1.OrderTransition;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.RejectPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.testkit.ContractRules;
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

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.order;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** The agreement and purchase orders (rules 1–4) over gRPC against real PostgreSQL. */
@ServiceIT
class OrderServiceIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        OrderTestData.reset(jdbc);
        fleetManager = as(TestTokens.fleetManager());
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
    }

    OrderServiceBlockingStub as(String token) {
        return clients.as(token, OrderServiceGrpc::newBlockingStub);
    }

    PurchaseOrder submitted(long phones) {
        PurchaseOrder o = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", phones, 2026, 10, 1))
                .getOrder();
        return fleetManager
                .submitPurchaseOrder(SubmitPurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .build())
                .getOrder();
    }

    @Test
    void theAgreementIsStoredWithItsScheduleAndASupplierSeesOnlyItsOwn() {
        var a = fleetManager
                .getAgreement(GetAgreementRequest.newBuilder()
                        .setId("AC-2026-NEOGEND")
                        .build())
                .getAgreement();
        assertThat(a.getPriceScheduleCount()).isEqualTo(5);
        assertThat(a.getTermEnd().getYear()).isEqualTo(2030);
        assertThat(a.getVatRate()).isEqualTo("0.2");
        assertThat(as(TestTokens.supplier("SUP-DEMO"))
                        .getAgreement(GetAgreementRequest.newBuilder()
                                .setId("AC-2026-NEOGEND")
                                .build())
                        .getAgreement()
                        .getId())
                .isEqualTo("AC-2026-NEOGEND");
        assertStatus(
                () -> as(TestTokens.supplier("SUP-OTHER"))
                        .getAgreement(GetAgreementRequest.newBuilder()
                                .setId("AC-2026-NEOGEND")
                                .build()),
                Status.Code.NOT_FOUND,
                "no agreement");
        // the list: staff see every agreement, one page at a time; a supplier only its own
        fleetManager.createAgreement(create(agreement("AC-2027-OTHER", "SUP-OTHER", 10)));
        var first = fleetManager.listAgreements(
                ListAgreementsRequest.newBuilder().setPageSize(1).build());
        assertThat(first.getAgreementsList())
                .extracting(FrameworkAgreement::getId)
                .containsExactly("AC-2026-NEOGEND");
        assertThat(first.getAgreements(0).getPriceScheduleCount()).isEqualTo(5);
        assertThat(as(TestTokens.auditor())
                        .listAgreements(ListAgreementsRequest.newBuilder()
                                .setPageSize(1)
                                .setPageToken(first.getNextPageToken())
                                .build())
                        .getAgreementsList())
                .extracting(FrameworkAgreement::getId)
                .containsExactly("AC-2027-OTHER");
        assertThat(as(TestTokens.supplier("SUP-DEMO"))
                        .listAgreements(ListAgreementsRequest.getDefaultInstance())
                        .getAgreementsList())
                .extracting(FrameworkAgreement::getId)
                .containsExactly("AC-2026-NEOGEND");
        assertThat(as(TestTokens.supplier("SUP-NOBODY"))
                        .listAgreements(ListAgreementsRequest.getDefaultInstance())
                        .getAgreementsList())
                .isEmpty();
        assertStatus(
                () -> as(TestTokens.unitManager("GN")).listAgreements(ListAgreementsRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
        assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 10))),
                Status.Code.ALREADY_EXISTS,
                "AC-2026-NEOGEND");
        assertStatus(
                () -> fleetManager.createAgreement(create(
                        agreement("AC-BAD", "SUP-DEMO", 10).setVatRate("twenty").setMinPacks(50))),
                Status.Code.INVALID_ARGUMENT,
                "agreement.vat_rate");
        assertStatus(
                () -> as(TestTokens.auditor()).createAgreement(create(agreement("AC-X", "SUP-DEMO", 10))),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
    }

    @Test
    void anAgreementPricesEachPackTypeOnceSoStatementsAndExportsBillAtOnePrice() {
        // a second pack-lease line for smartphones: the statement would bill at one, the detail at the other
        assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-2026-TWICE", "SUP-DEMO", 1_000)
                        .addPriceSchedule(OrderTestData.item(
                                        "PACK-SMARTPHONE-B",
                                        fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_PACK_LEASE,
                                        "25.00")
                                .setPackType(
                                        fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)))),
                Status.Code.INVALID_ARGUMENT,
                "agreement.price_schedule[5].pack_type: SMARTPHONE_INDIVIDUAL is priced already by price_schedule[0]"
                        + " (PACK-SMARTPHONE-INDIVIDUAL)");
        assertStatus(
                () -> fleetManager.getAgreement(
                        GetAgreementRequest.newBuilder().setId("AC-2026-TWICE").build()),
                Status.Code.NOT_FOUND,
                "no agreement");
        // one line per pack type, each its own price, is fine
        fleetManager.createAgreement(create(agreement("AC-2026-THREE", "SUP-DEMO", 1_000)
                .addPriceSchedule(OrderTestData.item(
                                "PACK-TABLET-INDIVIDUAL",
                                fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_PACK_LEASE,
                                "25.00")
                        .setPackType(fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_TABLET_INDIVIDUAL))));
    }

    @Test
    void anOrderOnlyTakesItemsOfItsScheduleWithinTheTerm() {
        var bad = order("AC-2026-NEOGEND", 10, 2031, 1, 1).toBuilder();
        bad.getOrderBuilder()
                .addLines(OrderLine.newBuilder().setItemCode("PACK-UNKNOWN").setQuantity(1))
                .addLines(OrderLine.newBuilder().setItemCode("ACC-CAR-CHARGER").setQuantity(0));
        StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.createPurchaseOrder(bad.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .contains("order.requested_date: must fall inside the agreement's term")
                .contains("order.lines[1].item_code: is not in the price schedule")
                .contains("order.lines[2].quantity");
        assertStatus(
                () -> fleetManager.createPurchaseOrder(order("AC-NONE", 10, 2026, 5, 1)),
                Status.Code.NOT_FOUND,
                "no agreement");

        PurchaseOrder draft = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", 1000, 2026, 10, 1))
                .getOrder();
        assertThat(draft.getState()).isEqualTo(OrderState.ORDER_STATE_DRAFT);
        assertThat(draft.getNumber()).matches("BC-2026-\\d{6}");
        assertThat(draft.getPackCount()).isEqualTo(1000);
        assertThat(draft.getAmount()).isEqualTo("65700.00"); // 1,000 x 21.90 x 3 months (Oct-Dec)
        assertThat(draft.getLines(0).getUnitPrice()).isEqualTo("21.90");
    }

    @Test
    void everyTransitionIsRecordedWithWhoAndWhyAndOnlyFleetManagersMakeThem() {
        PurchaseOrder o = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", 10, 2026, 6, 1))
                .getOrder();
        var submit =
                SubmitPurchaseOrderRequest.newBuilder().setNumber(o.getNumber()).build();
        for (String token : List.of(
                TestTokens.auditor(),
                TestTokens.unitManager("GN"),
                TestTokens.supplier("SUP-DEMO"),
                TestTokens.technician("GN"))) {
            assertThat(GrpcAssertions.failure(() -> as(token).submitPurchaseOrder(submit))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        fleetManager.submitPurchaseOrder(submit);
        assertStatus(
                () -> fleetManager.submitPurchaseOrder(submit),
                Status.Code.FAILED_PRECONDITION,
                "is SUBMITTED; cannot submit it");
        assertStatus(
                () -> fleetManager.rejectPurchaseOrder(RejectPurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        PurchaseOrder approved = fleetManager
                .approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .build())
                .getOrder();
        assertThat(approved.getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        assertStatus(
                () -> fleetManager.closePurchaseOrder(ClosePurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "is APPROVED; cannot close it");
        assertStatus(
                () -> fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .setReason("no longer needed")
                        .setExpectedVersion(0)
                        .build()),
                Status.Code.ABORTED,
                "changed since you read it");
        PurchaseOrder cancelled = fleetManager
                .cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                        .setNumber(o.getNumber())
                        .setReason("no longer needed")
                        .build())
                .getOrder();
        assertThat(cancelled.getTransitionsList())
                .extracting(OrderTransition::getToState)
                .containsExactly(
                        OrderState.ORDER_STATE_DRAFT,
                        OrderState.ORDER_STATE_SUBMITTED,
                        OrderState.ORDER_STATE_APPROVED,
                        OrderState.ORDER_STATE_CANCELLED);
        assertThat(cancelled.getTransitions(3).getReason()).isEqualTo("no longer needed");
        assertThat(cancelled.getTransitions(3).getActor()).isEqualTo("fleet.manager");

        PurchaseOrder other = submitted(5);
        assertThat(fleetManager
                        .rejectPurchaseOrder(RejectPurchaseOrderRequest.newBuilder()
                                .setNumber(other.getNumber())
                                .setReason("duplicate of an earlier order")
                                .build())
                        .getOrder()
                        .getState())
                .isEqualTo(OrderState.ORDER_STATE_REJECTED);
    }

    /**
     * A reason as long as the contract (the field's rule in the proto, shown in the OpenAPI) lets it be is
     * recorded; one character more is refused naming it — the contract had promised 1,000 characters with line
     * breaks, twice what the order service keeps.
     */
    @Test
    void aReasonAsLongAsTheContractAllowsIsRecordedAndOneMoreCharacterIsRefusedNamingIt() {
        int rejectMost = ContractRules.maxLength(RejectPurchaseOrderRequest.getDescriptor(), "reason");
        PurchaseOrder rejected = submitted(5);
        var reject = RejectPurchaseOrderRequest.newBuilder().setNumber(rejected.getNumber());
        assertStatus(
                () -> fleetManager.rejectPurchaseOrder(
                        reject.clone().setReason("é".repeat(rejectMost + 1)).build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertThat(fleetManager
                        .rejectPurchaseOrder(
                                reject.setReason("é".repeat(rejectMost)).build())
                        .getOrder()
                        .getState())
                .isEqualTo(OrderState.ORDER_STATE_REJECTED);

        int cancelMost = ContractRules.maxLength(CancelPurchaseOrderRequest.getDescriptor(), "reason");
        PurchaseOrder cancelled = submitted(5);
        var cancel = CancelPurchaseOrderRequest.newBuilder().setNumber(cancelled.getNumber());
        assertStatus(
                () -> fleetManager.cancelPurchaseOrder(
                        cancel.clone().setReason("é".repeat(cancelMost + 1)).build()),
                Status.Code.INVALID_ARGUMENT,
                "reason");
        assertThat(fleetManager
                        .cancelPurchaseOrder(
                                cancel.setReason("é".repeat(cancelMost)).build())
                        .getOrder()
                        .getState())
                .isEqualTo(OrderState.ORDER_STATE_CANCELLED);
    }

    @Test
    void concurrentApprovalsAroundTheMaximumNeverCrossIt() throws Exception {
        fleetManager.createAgreement(create(agreement("AC-SMALL", "SUP-DEMO", 1_000)
                .clearBudgets()
                .addBudgets(fr.interieur.neogend.order.v1.BudgetEnvelope.newBuilder()
                        .setFiscalYear(2026)
                        .setAmount("99999999.00"))));
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            PurchaseOrder o = fleetManager
                    .createPurchaseOrder(order("AC-SMALL", 150, 2026, 10, 1))
                    .getOrder();
            fleetManager.submitPurchaseOrder(SubmitPurchaseOrderRequest.newBuilder()
                    .setNumber(o.getNumber())
                    .build());
            numbers.add(o.getNumber());
        }
        List<String> results = approveAllAtOnce(numbers);
        assertThat(results.stream().filter("APPROVED"::equals)).hasSize(6); // 6 x 150 = 900 <= 1,000 < 7 x 150
        assertThat(results.stream().filter(r -> !r.equals("APPROVED")))
                .allMatch(r -> r.startsWith("FAILED_PRECONDITION") && r.contains("over its maximum of 1000"));
        var consumption = fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-SMALL")
                        .build())
                .getConsumption();
        assertThat(consumption.getPacksOrdered()).isEqualTo(900);
        assertThat(consumption.getHeadroom()).isEqualTo(100);
    }

    /**
     * Twelve orders approved at once, each within the year's envelope alone, six of them filling it:
     * the approvals are checked one after the other, so the seventh and later need the override and
     * say so — none slips in on a sum read before the others committed. The envelope is then crossed
     * only with an override, recorded with its figures.
     */
    @Test
    void concurrentApprovalsWithinTheEnvelopeAloneButOverItTogetherNeedTheOverride() throws Exception {
        // what one order of 10 smartphone packs from October commits in 2026 (docs/api.md, Money):
        // its monthly price for October to December
        BigDecimal one = new BigDecimal(agreement("X", "S", 1).getPriceScheduleList().stream()
                        .filter(i -> i.getCode().equals("PACK-SMARTPHONE-INDIVIDUAL"))
                        .findFirst()
                        .orElseThrow()
                        .getUnitPrice())
                .multiply(BigDecimal.valueOf(10 * (13 - 10)));
        BigDecimal envelope = one.multiply(BigDecimal.valueOf(6)).add(one.divide(BigDecimal.TWO));
        fleetManager.createAgreement(create(agreement("AC-ENVELOPE", "SUP-DEMO", 140_000)
                .clearBudgets()
                .addBudgets(fr.interieur.neogend.order.v1.BudgetEnvelope.newBuilder()
                        .setFiscalYear(2026)
                        .setAmount(envelope.setScale(2).toPlainString()))));
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            PurchaseOrder o = fleetManager
                    .createPurchaseOrder(order("AC-ENVELOPE", 10, 2026, 10, 1))
                    .getOrder();
            assertThat(new BigDecimal(o.getAmount())).isEqualByComparingTo(one);
            fleetManager.submitPurchaseOrder(SubmitPurchaseOrderRequest.newBuilder()
                    .setNumber(o.getNumber())
                    .build());
            numbers.add(o.getNumber());
        }
        List<String> results = approveAllAtOnce(numbers);
        assertThat(results.stream().filter("APPROVED"::equals)).hasSize(6);
        assertThat(results.stream().filter(r -> !r.equals("APPROVED")))
                .allMatch(r -> r.startsWith("FAILED_PRECONDITION")
                        && r.contains(
                                "over its envelope of " + envelope.setScale(2).toPlainString())
                        && r.contains("budget_override_reason"));
        var year = fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-ENVELOPE")
                        .build())
                .getConsumption()
                .getByFiscalYear(0);
        assertThat(new BigDecimal(year.getCommitted())).isEqualByComparingTo(one.multiply(BigDecimal.valueOf(6)));

        String refused = numbers.get(results.indexOf(
                results.stream().filter(r -> !r.equals("APPROVED")).findFirst().orElseThrow()));
        PurchaseOrder overridden = fleetManager
                .approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                        .setNumber(refused)
                        .setBudgetOverrideReason("second wave of the renewal")
                        .build())
                .getOrder();
        assertThat(overridden.getTransitionsList())
                .filteredOn(t -> t.getToState() == OrderState.ORDER_STATE_APPROVED)
                .singleElement()
                .satisfies(t -> assertThat(t.getReason())
                        .startsWith("budget override ("
                                + one.multiply(BigDecimal.valueOf(7))
                                        .setScale(2)
                                        .toPlainString() + " committed in 2026")
                        .endsWith("second wave of the renewal"));
    }

    /** Runs two calls at the same moment; each answers OK or its status code. */
    static List<String> atOnce(Runnable a, Runnable b) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> calls = new ArrayList<>();
            for (Runnable call : List.of(a, b)) {
                calls.add(pool.submit((Callable<String>) () -> {
                    start.await();
                    try {
                        call.run();
                        return "OK";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode().name();
                    }
                }));
            }
            start.countDown();
            List<String> out = new ArrayList<>();
            for (Future<String> f : calls) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Opposite transitions at the same moment, five rounds each: approve against reject of a submitted
     * order, and the fleet manager's cancel against the supplier's acknowledgement of a sent one
     * (CANCELLED only before acknowledgement). One of each pair wins, the other is refused (ABORTED or
     * FAILED_PRECONDITION), and the order's history holds the winner's transition alone, once, with
     * who made it.
     */
    @Test
    void oppositeTransitionsAtOnceNeverBothHappenAndTheWinnerIsRecordedOnce() throws Exception {
        OrderServiceBlockingStub supplier = as(TestTokens.supplier("SUP-DEMO"));
        for (int round = 0; round < 5; round++) {
            String number = submitted(10).getNumber();
            List<String> outcome = atOnce(
                    () -> fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                            .setNumber(number)
                            .build()),
                    () -> fleetManager.rejectPurchaseOrder(RejectPurchaseOrderRequest.newBuilder()
                            .setNumber(number)
                            .setReason("not this year")
                            .build()));
            assertOneWon(
                    number,
                    outcome,
                    OrderState.ORDER_STATE_SUBMITTED,
                    List.of(OrderState.ORDER_STATE_APPROVED, OrderState.ORDER_STATE_REJECTED),
                    round);
        }
        for (int round = 0; round < 5; round++) {
            String number = submitted(10).getNumber();
            fleetManager.approvePurchaseOrder(
                    ApprovePurchaseOrderRequest.newBuilder().setNumber(number).build());
            jdbc.sql("delete from supplier_outbox").update(); // as if the relay had sent it
            jdbc.sql("update purchase_order set state = 'SENT', version = version + 1 where number = ?")
                    .param(number)
                    .update();
            jdbc.sql("insert into purchase_order_transition (order_number, from_state, to_state, actor, at) "
                            + "values (?, 'APPROVED', 'SENT', 'system:supplier-relay', now())")
                    .param(number)
                    .update();
            List<String> outcome = atOnce(
                    () -> fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                            .setNumber(number)
                            .setReason("ordered twice")
                            .build()),
                    () -> supplier.acknowledgePurchaseOrder(
                            fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest.newBuilder()
                                    .setNumber(number)
                                    .build()));
            assertOneWon(
                    number,
                    outcome,
                    OrderState.ORDER_STATE_SENT,
                    List.of(OrderState.ORDER_STATE_CANCELLED, OrderState.ORDER_STATE_ACKNOWLEDGED),
                    round);
        }
    }

    private void assertOneWon(
            String number, List<String> outcome, OrderState from, List<OrderState> targets, int round) {
        assertThat(outcome)
                .as("round %d of %s: %s", round, targets, outcome)
                .containsOnlyOnce("OK")
                .allMatch(o -> o.equals("OK") || o.equals("ABORTED") || o.equals("FAILED_PRECONDITION"));
        PurchaseOrder o = fleetManager
                .getPurchaseOrder(
                        GetPurchaseOrderRequest.newBuilder().setNumber(number).build())
                .getOrder();
        OrderState won = targets.get(outcome.indexOf("OK"));
        assertThat(o.getState()).as("round %d", round).isEqualTo(won);
        List<OrderTransition> out = o.getTransitionsList().stream()
                .filter(t -> targets.contains(t.getToState()))
                .toList();
        assertThat(out).as("round %d: the transitions to %s", round, targets).hasSize(1);
        assertThat(out.getFirst().getToState()).isEqualTo(won);
        assertThat(out.getFirst().getFromState()).isEqualTo(from);
        assertThat(out.getFirst().getActor()).isNotBlank();
        assertThat(out.getFirst().hasTime()).isTrue();
    }

    /** An order of 2,000 packs from October 2026 submitted under AC-TIGHT, whose 2026 envelope is 100,000.00. */
    PurchaseOrder submittedOverATightEnvelope() {
        fleetManager.createAgreement(create(agreement("AC-TIGHT", "SUP-DEMO", 140_000)
                .clearBudgets()
                .addBudgets(fr.interieur.neogend.order.v1.BudgetEnvelope.newBuilder()
                        .setFiscalYear(2026)
                        .setAmount("100000.00"))));
        PurchaseOrder big = fleetManager
                .createPurchaseOrder(order("AC-TIGHT", 2000, 2026, 10, 1))
                .getOrder();
        fleetManager.submitPurchaseOrder(SubmitPurchaseOrderRequest.newBuilder()
                .setNumber(big.getNumber())
                .build());
        return big;
    }

    @Test
    void aBudgetOverrideWithAReasonAsLongAsTheContractAllowsIsApprovedAndRecordedWhole() {
        int most = ContractRules.maxLength(ApprovePurchaseOrderRequest.getDescriptor(), "budget_override_reason");
        PurchaseOrder big = submittedOverATightEnvelope();
        var approve = ApprovePurchaseOrderRequest.newBuilder().setNumber(big.getNumber());
        assertStatus(
                () -> fleetManager.approvePurchaseOrder(approve.clone()
                        .setBudgetOverrideReason("é".repeat(most + 1))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "budget_override_reason");
        String reason = "é".repeat(most);
        PurchaseOrder approved = fleetManager
                .approvePurchaseOrder(approve.setBudgetOverrideReason(reason).build())
                .getOrder();
        assertThat(approved.getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        assertThat(approved.getTransitions(2).getReason())
                .startsWith("budget override (131400.00 committed in 2026")
                .endsWith("): " + reason);
        assertThat(fleetManager
                        .getPurchaseOrder(GetPurchaseOrderRequest.newBuilder()
                                .setNumber(big.getNumber())
                                .build())
                        .getOrder()
                        .getTransitionsList())
                .extracting(OrderTransition::getReason)
                .last()
                .isEqualTo(approved.getTransitions(2).getReason());
    }

    @Test
    void overBudgetNeedsAnExplicitRecordedOverride() {
        // 20,000 packs from October: 20,000 x 21.90 x 3 months = 1,314,000.00 each, within the 2026 envelope
        for (int i = 0; i < 5; i++) {
            fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                    .setNumber(submitted(20_000).getNumber())
                    .build());
        }
        var consumption = fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .build())
                .getConsumption();
        assertThat(consumption.getByFiscalYear(0).getCommitted()).isEqualTo("6570000.00");
        assertThat(consumption.getByFiscalYear(0).getRemaining()).isEqualTo("6680000.00");

        PurchaseOrder big = submittedOverATightEnvelope();
        assertStatus(
                () -> fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                        .setNumber(big.getNumber())
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "would commit 131400.00 in 2026, over its envelope of 100000.00");
        PurchaseOrder approved = fleetManager
                .approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                        .setNumber(big.getNumber())
                        .setBudgetOverrideReason("urgent renewal after the Rennes theft wave")
                        .build())
                .getOrder();
        assertThat(approved.getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        assertThat(approved.getTransitions(2).getReason())
                .startsWith("budget override (131400.00 committed in 2026")
                .endsWith("urgent renewal after the Rennes theft wave");
        var tight = fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-TIGHT")
                        .build())
                .getConsumption();
        assertThat(tight.getByFiscalYear(0).getRemaining()).isEqualTo("-31400.00");
        assertThat(tight.getByPackTypeList())
                .extracting(p -> p.getPackType() + "=" + p.getPacksOrdered())
                .containsExactly("PACK_TYPE_SMARTPHONE_INDIVIDUAL=2000");
        assertThat(tight.getForecastShortfall()).isEqualTo(tight.getMinPacks() - tight.getForecastPacks());
    }

    @Test
    void suppliersSeeTheirOwnSentOrdersOnly() {
        PurchaseOrder o = submitted(10);
        fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                .setNumber(o.getNumber())
                .build());
        var get = GetPurchaseOrderRequest.newBuilder().setNumber(o.getNumber()).build();
        // approved but not yet sent: the supplier does not see it
        assertStatus(
                () -> as(TestTokens.supplier("SUP-DEMO")).getPurchaseOrder(get),
                Status.Code.NOT_FOUND,
                "no purchase order");
        jdbc.sql("update purchase_order set state = 'SENT' where number = ?")
                .param(o.getNumber())
                .update();
        assertThat(as(TestTokens.supplier("SUP-DEMO"))
                        .getPurchaseOrder(get)
                        .getOrder()
                        .getNumber())
                .isEqualTo(o.getNumber());
        assertStatus(
                () -> as(TestTokens.supplier("SUP-OTHER")).getPurchaseOrder(get),
                Status.Code.NOT_FOUND,
                "no purchase order");
        assertThat(as(TestTokens.supplier("SUP-OTHER"))
                        .listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance())
                        .getItemsCount())
                .isZero();
        assertThat(as(TestTokens.supplier("SUP-DEMO"))
                        .listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance())
                        .getItemsList())
                .extracting(PurchaseOrder::getNumber)
                .containsExactly(o.getNumber());
    }

    /**
     * Order numbers come from one sequence over all years, written with at least six digits: the millionth order is
     * BC-yyyy-1000000, and it is still an order its callers can read and move on.
     */
    @Test
    void theMillionthOrderIsAnOrderLikeTheOthers() {
        long before = jdbc.sql("select nextval('purchase_order_number')")
                .query(Long.class)
                .single();
        jdbc.sql("select setval('purchase_order_number', 999999)")
                .query(Long.class)
                .single();
        PurchaseOrder o;
        try {
            o = fleetManager
                    .createPurchaseOrder(order("AC-2026-NEOGEND", 10, 2026, 6, 1))
                    .getOrder();
        } finally { // the other tests' numbers keep their six digits
            jdbc.sql("select setval('purchase_order_number', ?)")
                    .param(before)
                    .query(Long.class)
                    .single();
        }
        assertThat(o.getNumber()).isEqualTo("BC-2026-1000000");
        String answer;
        try {
            answer = fleetManager
                    .submitPurchaseOrder(SubmitPurchaseOrderRequest.newBuilder()
                            .setNumber(o.getNumber())
                            .build())
                    .getOrder()
                    .getState()
                    .name();
        } catch (StatusRuntimeException e) {
            answer = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
        assertThat(answer).isEqualTo(OrderState.ORDER_STATE_SUBMITTED.name());
        assertThat(fleetManager
                        .getPurchaseOrder(GetPurchaseOrderRequest.newBuilder()
                                .setNumber(o.getNumber())
                                .build())
                        .getOrder()
                        .getTransitionsList())
                .extracting(OrderTransition::getToState)
                .containsExactly(OrderState.ORDER_STATE_DRAFT, OrderState.ORDER_STATE_SUBMITTED);
    }

    @Test
    void listsNewestFirstPageByPage() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(fleetManager
                    .createPurchaseOrder(order("AC-2026-NEOGEND", 1 + i, 2026, 6, 1))
                    .getOrder()
                    .getNumber());
        }
        var stub = as(TestTokens.auditor());
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListPurchaseOrdersResponse page = stub.listPurchaseOrders(ListPurchaseOrdersRequest.newBuilder()
                    .setPageSize(2)
                    .setPageToken(token)
                    .build());
            page.getItemsList().forEach(item -> keys.add(item.getNumber()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).containsExactlyElementsOf(created.reversed());
        assertThat(stub.listPurchaseOrders(ListPurchaseOrdersRequest.newBuilder()
                                .setState(OrderState.ORDER_STATE_SUBMITTED)
                                .build())
                        .getItemsCount())
                .isZero();
    }

    @Test
    void refusesCallersWithoutAValidToken() {
        for (String token : new String[] {null, TestTokens.expired(), TestTokens.foreignSigned()}) {
            var stub = OrderServiceGrpc.newBlockingStub(clients.channel());
            var caller = token == null ? stub : GrpcTestClients.withToken(stub, token);
            assertThat(GrpcAssertions.failure(
                                    () -> caller.listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance()))
                            .getStatus()
                            .getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        assertThat(GrpcAssertions.failure(() -> as(TestTokens.unitManager("GN"))
                                .listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void healthServiceAnswersWithoutAToken() {
        GrpcAssertions.assertHealthServing(clients.channel());
    }

    /** Approves these orders all at once; each one's outcome: APPROVED or its status and description. */
    List<String> approveAllAtOnce(List<String> numbers) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(numbers.size());
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (String number : numbers) {
                outcomes.add(pool.submit((Callable<String>) () -> {
                    start.await();
                    try {
                        fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                                .setNumber(number)
                                .build());
                        return "APPROVED";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
                    }
                }));
            }
            start.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> f : outcomes) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }
}
