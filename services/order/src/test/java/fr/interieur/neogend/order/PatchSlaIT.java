package fr.interieur.neogend.order;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.SumLeaseDaysRequest;
import fr.interieur.neogend.inventory.v1.SumLeaseDaysResponse;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CreateDeliveryRequest;
import fr.interieur.neogend.order.v1.CreateInvoiceRequest;
import fr.interieur.neogend.order.v1.DeliveredDevice;
import fr.interieur.neogend.order.v1.Delivery;
import fr.interieur.neogend.order.v1.ExportLeaseStatementRequest;
import fr.interieur.neogend.order.v1.GetLeaseStatementRequest;
import fr.interieur.neogend.order.v1.GetPatchSlaRequest;
import fr.interieur.neogend.order.v1.Invoice;
import fr.interieur.neogend.order.v1.InvoiceLine;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.LeaseStatement;
import fr.interieur.neogend.order.v1.MonthSla;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.PatchSlaClause;
import fr.interieur.neogend.order.v1.PatchSlaReport;
import fr.interieur.neogend.order.v1.ReconcileInvoiceRequest;
import fr.interieur.neogend.order.v1.ReleaseSla;
import fr.interieur.neogend.order.v1.StatementLine;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesRequest;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesResponse;
import fr.interieur.neogend.telemetry.v1.PatchTimeline;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.testkit.Days.day;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The supplier's patch SLA (issue 20, part 3) through the order service's API on real PostgreSQL, the
 * releases' timelines answered by a telemetry stand-in on a real port: late days against the agreement's
 * clause, counted on Paris days, only for the agreement's supplier, models and term; the statement's
 * deduction line, the CSV and the reconciliation agreeing with the report; who may read it.
 */
@ServiceIT
class PatchSlaIT {

    /** The service's clock: now, or the day the supplier posts December's invoice (a month is invoiced once over). */
    static final fr.interieur.neogend.testkit.SettableClock CLOCK = new fr.interieur.neogend.testkit.SettableClock();

    static final Instant JANUARY_4 = Instant.parse("2027-01-04T09:00:00Z");

    @org.springframework.boot.test.context.TestConfiguration(proxyBeanMethods = false)
    static class ServiceClock {
        @org.springframework.context.annotation.Bean
        java.time.Clock clock() {
            return CLOCK;
        }
    }

    static final int INVENTORY_PORT = TestPorts.free();
    static final int TELEMETRY_PORT = TestPorts.free();
    static final String A = "AC-2026-PHONES";
    static final String B = "AC-2026-TABLETS";
    static final String OTHER = "AC-2026-OTHER";
    /** What the telemetry stand-in knows, and the requests and callers it saw. */
    static final List<PatchTimeline> TIMELINES = new CopyOnWriteArrayList<>();

    static final List<ListPatchTimelinesRequest> REQUESTS = new CopyOnWriteArrayList<>();
    static final List<String> CALLERS = new CopyOnWriteArrayList<>();
    static final List<fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest> MODEL_REQUESTS =
            new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void peers(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.telemetry.target", () -> "localhost:" + TELEMETRY_PORT);
        registry.add("neogend.training.target", () -> "localhost:" + INVENTORY_PORT); // no training delivered
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;
    OrderServiceBlockingStub supplier;
    Server inventory;
    Server telemetry;
    int imeis;

    @BeforeEach
    void setUp() throws IOException {
        OrderTestData.reset(jdbc);
        CLOCK.now = Instant.now();
        TIMELINES.clear();
        REQUESTS.clear();
        CALLERS.clear();
        MODEL_REQUESTS.clear();
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        // two agreements of one supplier (phones, tablets) with a clause, one of another supplier without
        fleetManager.createAgreement(create(agreement(A, "SUP-DEMO", 140_000)
                .setPatchSla(PatchSlaClause.newBuilder().setDelayDays(30).setPenaltyPerDay("12.35"))));
        fleetManager.createAgreement(create(agreement(B, "SUP-DEMO", 10_000)
                .setPatchSla(PatchSlaClause.newBuilder().setDelayDays(30).setPenaltyPerDay("200.00"))));
        fleetManager.createAgreement(create(agreement(OTHER, "SUP-OTHER", 10_000)));
        inventory = Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                .addService(new InventoryServiceGrpc.InventoryServiceImplBase() {
                    @Override
                    public void sumLeaseDays(SumLeaseDaysRequest request, StreamObserver<SumLeaseDaysResponse> out) {
                        // 100 smartphone packs leased every day of the month, on every agreement
                        int days = java.time.YearMonth.of(request.getYear(), request.getMonth())
                                .lengthOfMonth();
                        out.onNext(SumLeaseDaysResponse.newBuilder()
                                .addByPackType(fr.interieur.neogend.inventory.v1.PackTypeDays.newBuilder()
                                        .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                                        .setPacks(100)
                                        .setBilledDays(100L * days))
                                .build());
                        out.onCompleted();
                    }

                    /** B's packs also hold a model no delivery brought (registered outside an order). */
                    @Override
                    public void listLeasedModels(
                            fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest request,
                            StreamObserver<fr.interieur.neogend.inventory.v1.ListLeasedModelsResponse> out) {
                        MODEL_REQUESTS.add(request);
                        var models = fr.interieur.neogend.inventory.v1.ListLeasedModelsResponse.newBuilder();
                        if (request.getAgreementId().equals(B)
                                && request.getModelsList().contains("Field Tab 12")) {
                            models.addModels("Field Tab 12");
                        }
                        out.onNext(models.build());
                        out.onCompleted();
                    }

                    @Override
                    public void findRegisteredImeis(
                            fr.interieur.neogend.inventory.v1.FindRegisteredImeisRequest request,
                            StreamObserver<fr.interieur.neogend.inventory.v1.FindRegisteredImeisResponse> out) {
                        out.onNext(fr.interieur.neogend.inventory.v1.FindRegisteredImeisResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                })
                .addService(new fr.interieur.neogend.training.v1.TrainingServiceGrpc.TrainingServiceImplBase() {
                    @Override
                    public void listDeliveredTrainingDays(
                            fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest request,
                            StreamObserver<fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysResponse> out) {
                        out.onNext(
                                fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysResponse
                                        .getDefaultInstance());
                        out.onCompleted();
                    }
                })
                .build()
                .start();
        telemetry = Grpc.newServerBuilderForPort(TELEMETRY_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(
                        new TelemetryServiceGrpc.TelemetryServiceImplBase() {
                            @Override
                            public void listPatchTimelines(
                                    ListPatchTimelinesRequest request, StreamObserver<ListPatchTimelinesResponse> out) {
                                REQUESTS.add(request);
                                out.onNext(ListPatchTimelinesResponse.newBuilder()
                                        .addAllTimelines(TIMELINES.stream()
                                                .filter(t -> t.getSupplierId().equals(request.getSupplierId()))
                                                .toList())
                                        .build());
                                out.onCompleted();
                            }
                        },
                        new ServerInterceptor() {
                            @Override
                            public <Q, R> ServerCall.Listener<Q> interceptCall(
                                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                                CALLERS.add(headers.get(
                                        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)));
                                return next.startCall(call, headers);
                            }
                        }))
                .build()
                .start();
        deliver(A, "SUP-DEMO", "Rugged X5");
        deliver(B, "SUP-DEMO", "Field Tab 10");
        deliver(OTHER, "SUP-OTHER", "Rugged X5");
        // SUP-DEMO's releases; the Paris day of each publication is in the comment
        release(
                "ROM-000001",
                "Rugged X5",
                "2026-11-02",
                "2026-12-10T10:00:00Z",
                "2026-12-12T08:00:00Z",
                "2026-12-20T23:30:00Z"); // 2026-12-10: 38 days, 8 late; approved 12-12, 95 % on 12-21 (Paris)
        release("ROM-000002", "Rugged X5", "2026-10-05", "2026-11-30T23:30:00Z", null, null); // 2026-12-01: 57, 27
        release("ROM-000003", "Rugged X5", "2026-12-01", "2026-12-15T09:00:00Z", null, null); // 14 days: on time
        release("ROM-000004", "Field Tab 10", "2026-11-02", "2026-12-10T10:00:00Z", null, null); // B's: 8 late
        release("ROM-000005", "Rugged X5", "2025-11-02", "2026-01-10T10:00:00Z", null, null); // before A's term
        release("ROM-000006", "Rugged X5", "2026-11-20", "2027-01-05T10:00:00Z", null, null); // 46 days, 16 late
        release("ROM-000007", "Field Tab 12", "2026-12-01", "2026-12-31T22:59:00Z", null, null); // B's: 30, on time
    }

    @AfterEach
    void tearDown() {
        inventory.shutdownNow();
        telemetry.shutdownNow();
    }

    void release(String id, String model, String bulletin, String published, String approved, String fleet) {
        var t = PatchTimeline.newBuilder()
                .setReleaseId(id)
                .setSupplierId("SUP-DEMO")
                .setModel(model)
                .setBuildFingerprint("neogend/" + id)
                .setSecurityPatchLevel(day(bulletin))
                .setBulletinDate(day(bulletin))
                .setPublishTime(ts(published))
                .setTargeted(fleet == null ? 0 : 40)
                .setConfirmed(fleet == null ? 0 : 38);
        if (approved != null) {
            t.setFirstApproveTime(ts(approved));
        }
        if (fleet != null) {
            t.setFleetConfirmTime(ts(fleet));
        }
        TIMELINES.add(t.build());
    }

    static Timestamp ts(String instant) {
        Instant at = Instant.parse(instant);
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).build();
    }

    /** One device of the model delivered under the agreement (an order sent, acknowledged, a delivery note). */
    void deliver(String agreementId, String supplierId, String model) {
        String number = fleetManager
                .createPurchaseOrder(OrderTestData.order(agreementId, 1, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(number).build());
        jdbc.sql("delete from supplier_outbox").update();
        jdbc.sql("update purchase_order set state = 'SENT' where number = ?")
                .param(number)
                .update();
        var as = clients.as(TestTokens.supplier(supplierId), OrderServiceGrpc::newBlockingStub);
        as.acknowledgePurchaseOrder(
                AcknowledgePurchaseOrderRequest.newBuilder().setNumber(number).build());
        String body = String.format("35888801%06d", ++imeis);
        as.createDelivery(CreateDeliveryRequest.newBuilder()
                .setOrderNumber(number)
                .setDelivery(Delivery.newBuilder()
                        .setDeliveryNoteNumber("BL-" + number)
                        .addDevices(DeliveredDevice.newBuilder()
                                .setImei(body + Imei.checkDigit(body))
                                .setSerialNumber("SN-" + imeis)
                                .setModel(model)
                                .setKind(DeviceKind.DEVICE_KIND_PHONE)
                                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")))
                .build());
    }

    /** The claims of a forwarded bearer token. */
    static String claims(String authorization) {
        assertThat(authorization).startsWith("Bearer ");
        return new String(
                java.util.Base64.getUrlDecoder()
                        .decode(authorization.substring(7).split("\\.")[1]),
                StandardCharsets.UTF_8);
    }

    PatchSlaReport sla(OrderServiceBlockingStub as, String agreementId) {
        return as.getPatchSla(GetPatchSlaRequest.newBuilder()
                        .setAgreementId(agreementId)
                        .build())
                .getSla();
    }

    LeaseStatement statement(String agreementId, int year, int month) {
        return fleetManager
                .getLeaseStatement(GetLeaseStatementRequest.newBuilder()
                        .setAgreementId(agreementId)
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .getStatement();
    }

    @Test
    void lateDaysAreCountedOnParisDaysForTheAgreementsOwnModelsWithinItsTerm() {
        PatchSlaReport a = sla(fleetManager, A);
        // hand-counted: Nov 2 -> Dec 10 is 38 days; Oct 5 -> Dec 1 (23:30 UTC on Nov 30) 57; Dec 1 -> 15 is 14;
        // Nov 20 -> Jan 5 is 46. ROM-000004 is a tablet of B, ROM-000005 came before A's term.
        assertThat(a.getReleasesList())
                .extracting(
                        ReleaseSla::getReleaseId,
                        ReleaseSla::getDaysToPublish,
                        ReleaseSla::getLateDays,
                        ReleaseSla::getPenalty)
                .containsExactly(
                        tuple("ROM-000001", 38, 8, "98.80"),
                        tuple("ROM-000002", 57, 27, "333.45"),
                        tuple("ROM-000003", 14, 0, "0.00"),
                        tuple("ROM-000006", 46, 16, "197.60"));
        ReleaseSla first = a.getReleases(0);
        assertThat(first.getPublishedOn()).isEqualTo(day("2026-12-10"));
        assertThat(first.getApprovedOn()).isEqualTo(day("2026-12-12"));
        assertThat(first.getFleetConfirmedOn())
                .as("23:30 UTC is the next day in Paris")
                .isEqualTo(day("2026-12-21"));
        assertThat(first.getDaysToApprove()).isEqualTo(2);
        assertThat(first.getDaysToFleetConfirmed()).isEqualTo(9);
        assertThat(a.getReleases(1).getPublishedOn()).isEqualTo(day("2026-12-01"));
        assertThat(a.getReleases(1).hasDaysToApprove()).isFalse();
        assertThat(a.getReleases(1).hasFleetConfirmedOn()).isFalse();
        assertThat(sla(fleetManager, B).getReleasesList())
                .extracting(ReleaseSla::getReleaseId, ReleaseSla::getLateDays, ReleaseSla::getPenalty)
                .containsExactly(tuple("ROM-000004", 8, "1600.00"), tuple("ROM-000007", 0, "0.00"));
        // telemetry was asked for the supplier's releases within the term, on the caller's behalf
        assertThat(REQUESTS.getFirst().getSupplierId()).isEqualTo("SUP-DEMO");
        assertThat(REQUESTS.getFirst().getPublishedFrom()).isEqualTo(day("2026-01-15"));
        assertThat(REQUESTS.getFirst().getPublishedBefore()).isEqualTo(day("2030-01-15"));
        assertThat(claims(CALLERS.getFirst())).contains("\"fleet.manager\"");
        // inventory is asked only about the releases' models no delivery note of the agreement names
        assertThat(MODEL_REQUESTS.getFirst().getAgreementId()).isEqualTo(A);
        assertThat(MODEL_REQUESTS.getFirst().getModelsList()).containsExactly("Field Tab 10", "Field Tab 12");
    }

    @Test
    void theMonthsAddUpTheirReleasesAndAgreeWithTheReleaseLines() {
        PatchSlaReport a = sla(fleetManager, A);
        assertThat(a.getMonthsList())
                .extracting(
                        MonthSla::getYear,
                        MonthSla::getMonth,
                        MonthSla::getReleases,
                        MonthSla::getLateReleases,
                        MonthSla::getLateDays,
                        MonthSla::getPenalty,
                        MonthSla::getMaxDaysToPublish,
                        MonthSla::getAverageDaysToPublish)
                // December: 38, 57 and 14 days (109 / 3 = 36.3); 8 + 27 late days × 12.35
                .containsExactly(
                        tuple(2026, 12, 3, 2, 35L, "432.25", 57, 36), tuple(2027, 1, 1, 1, 16L, "197.60", 46, 46));
        java.math.BigDecimal lines = a.getReleasesList().stream()
                .map(r -> new java.math.BigDecimal(r.getPenalty()))
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
        java.math.BigDecimal months = a.getMonthsList().stream()
                .map(m -> new java.math.BigDecimal(m.getPenalty()))
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
        assertThat(months).isEqualByComparingTo(lines);
    }

    @Test
    void theStatementDeductsTheMonthsLateDaysAndItsCsvAndTheReconciliationAgree() {
        LeaseStatement dec = statement(A, 2026, 12);
        // 100 packs × 21.90 for the whole month, less 35 late days × 12.35
        assertThat(dec.getLinesList())
                .extracting(
                        StatementLine::getItemCode,
                        StatementLine::getKind,
                        StatementLine::getQuantity,
                        StatementLine::getUnitPrice,
                        StatementLine::getAmount)
                .containsExactly(
                        tuple("PACK-SMARTPHONE-INDIVIDUAL", ItemKind.ITEM_KIND_PACK_LEASE, 100L, "21.90", "2190.00"),
                        tuple("PATCH-SLA", ItemKind.ITEM_KIND_PATCH_SLA_DEDUCTION, 35L, "12.35", "-432.25"));
        assertThat(dec.getLines(1).getLabel()).isEqualTo("Patch SLA: 35 late days (ROM-000001 8 d, ROM-000002 27 d)");
        assertThat(dec.getTotalExclTax()).isEqualTo("1757.75");
        assertThat(dec.getVat()).isEqualTo("351.55");
        assertThat(dec.getTotalInclTax()).isEqualTo("2109.30");
        String csv = fleetManager
                .exportLeaseStatement(ExportLeaseStatementRequest.newBuilder()
                        .setAgreementId(A)
                        .setYear(2026)
                        .setMonth(12)
                        .build())
                .getFile()
                .getData()
                .toString(StandardCharsets.UTF_8);
        assertThat(csv)
                .contains("PATCH-SLA,PATCH_SLA_DEDUCTION,\"Patch SLA: 35 late days (ROM-000001 8 d, ROM-000002 27 d)\","
                        + "35,0,12.35,-432.25,\r\n")
                .contains("TOTAL_EXCL_TAX,,,,,,1757.75,");
        // November: nothing published (the 23:30 UTC release is December's in Paris): no deduction line
        assertThat(statement(A, 2026, 11).getLinesList())
                .extracting(StatementLine::getItemCode)
                .containsExactly("PACK-SMARTPHONE-INDIVIDUAL");
        // the supplier's invoice deducting the same amount reconciles; one that forgets it does not (posted in
        // January: a month is invoiced once it is over)
        CLOCK.now = JANUARY_4;
        String matching = supplier.createInvoice(invoice(A, "F-2026-12", "2190.00", "-432.25", "1757.75"))
                .getInvoice()
                .getId();
        assertThat(fleetManager
                        .reconcileInvoice(ReconcileInvoiceRequest.newBuilder()
                                .setId(matching)
                                .build())
                        .getReconciliation()
                        .getMatches())
                .isTrue();
        String forgetful = supplier.createInvoice(invoice(A, "F-2026-12b", "2190.00", null, "2190.00"))
                .getInvoice()
                .getId();
        assertThat(fleetManager
                        .reconcileInvoice(ReconcileInvoiceRequest.newBuilder()
                                .setId(forgetful)
                                .build())
                        .getReconciliation()
                        .getMatches())
                .isFalse();
    }

    static CreateInvoiceRequest invoice(String agreementId, String number, String packs, String sla, String total) {
        var i = Invoice.newBuilder()
                .setInvoiceNumber(number)
                .setYear(2026)
                .setMonth(12)
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                        .setQuantity(100)
                        .setAmount(packs))
                .setTotalExclTax(total);
        if (sla != null) {
            i.addLines(InvoiceLine.newBuilder()
                    .setItemCode("PATCH-SLA")
                    .setQuantity(35)
                    .setAmount(sla));
        }
        return CreateInvoiceRequest.newBuilder()
                .setAgreementId(agreementId)
                .setInvoice(i)
                .build();
    }

    @Test
    void onlyTheDeductionLineMayBeNegativeAndOnlyWhereTheClauseHasARate() {
        CLOCK.now = JANUARY_4; // December is over: only the lines are wrong
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(invoice(A, "F-1", "2190.00", "432.25", "2622.25")),
                Status.Code.INVALID_ARGUMENT,
                "must not be positive");
        var i = invoice(A, "F-2", "-2190.00", null, "0.00");
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(i), Status.Code.INVALID_ARGUMENT, "must not be negative");
        var other = clients.as(TestTokens.supplier("SUP-OTHER"), OrderServiceGrpc::newBlockingStub);
        GrpcAssertions.assertStatus(
                () -> other.createInvoice(invoice(OTHER, "F-3", "2190.00", "-10.00", "2180.00")),
                Status.Code.INVALID_ARGUMENT,
                "is not in the price schedule");
        assertThat(jdbc.sql("select count(*) from invoice").query(Long.class).single())
                .isZero();
    }

    @Test
    void anAgreementWithoutAClauseHasNoLateDayAndItsStatementDoesNotAskTelemetry() {
        PatchSlaReport other = sla(fleetManager, OTHER);
        assertThat(other.hasClause()).isFalse();
        assertThat(other.getReleasesList()).isEmpty(); // SUP-OTHER published nothing
        REQUESTS.clear();
        assertThat(statement(OTHER, 2026, 12).getLinesList())
                .extracting(StatementLine::getItemCode)
                .containsExactly("PACK-SMARTPHONE-INDIVIDUAL");
        assertThat(REQUESTS).isEmpty();
    }

    @Test
    void aSupplierReadsItsOwnAgreementsSlaOnlyAndAUnitManagerNone() {
        assertThat(sla(supplier, A).getReleasesCount()).isEqualTo(4);
        assertThat(sla(clients.as(TestTokens.auditor(), OrderServiceGrpc::newBlockingStub), A)
                        .getReleasesCount())
                .isEqualTo(4);
        var other = clients.as(TestTokens.supplier("SUP-OTHER"), OrderServiceGrpc::newBlockingStub);
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> sla(other, A));
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> sla(clients.as(TestTokens.unitManager("GN-RBRE-GGD35"), OrderServiceGrpc::newBlockingStub), A));
        GrpcAssertions.assertCode(Status.Code.NOT_FOUND, () -> sla(fleetManager, "AC-NONE"));
    }

    @Test
    void whenTelemetryIsDownTheSlaAndTheStatementSayTryAgainRatherThanOmitTheDeduction() {
        telemetry.shutdownNow();
        GrpcAssertions.assertStatus(() -> sla(fleetManager, A), Status.Code.UNAVAILABLE, "try again later");
        GrpcAssertions.assertStatus(() -> statement(A, 2026, 12), Status.Code.UNAVAILABLE, "try again later");
    }

    @Test
    void aClauseIsCheckedWhenTheAgreementIsRecordedAndItsDeductionCodeIsReserved() {
        GrpcAssertions.assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-BAD-1", "SUP-DEMO", 10)
                        .setPatchSla(PatchSlaClause.newBuilder().setDelayDays(4000)))),
                Status.Code.INVALID_ARGUMENT,
                "agreement.patch_sla.delay_days");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-BAD-2", "SUP-DEMO", 10)
                        .setPatchSla(
                                PatchSlaClause.newBuilder().setDelayDays(30).setPenaltyPerDay("-5.00")))),
                Status.Code.INVALID_ARGUMENT,
                "agreement.patch_sla.penalty_per_day");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-BAD-3", "SUP-DEMO", 10)
                        .addPriceSchedule(OrderTestData.item("PATCH-SLA", ItemKind.ITEM_KIND_ACCESSORY, "1.00")))),
                Status.Code.INVALID_ARGUMENT,
                "code");
        GrpcAssertions.assertStatus(
                () -> fleetManager.createAgreement(create(agreement("AC-BAD-4", "SUP-DEMO", 10)
                        .addPriceSchedule(
                                OrderTestData.item("ACC-X", ItemKind.ITEM_KIND_PATCH_SLA_DEDUCTION, "1.00")))),
                Status.Code.INVALID_ARGUMENT,
                "kind");
        assertThat(fleetManager
                        .getAgreement(fr.interieur.neogend.order.v1.GetAgreementRequest.newBuilder()
                                .setId(A)
                                .build())
                        .getAgreement()
                        .getPatchSla())
                .isEqualTo(PatchSlaClause.newBuilder()
                        .setDelayDays(30)
                        .setPenaltyPerDay("12.35")
                        .build());
        assertThat(jdbc.sql("select count(*) from framework_agreement where id like 'AC-BAD-%'")
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
