package fr.interieur.neogend.order;

import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.LeaseInterval;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesResponse;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsResponse;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CreateDeliveryRequest;
import fr.interieur.neogend.order.v1.CreateInvoiceRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.DeliveredItem;
import fr.interieur.neogend.order.v1.Delivery;
import fr.interieur.neogend.order.v1.ExportLeaseStatementRequest;
import fr.interieur.neogend.order.v1.GetLeaseStatementRequest;
import fr.interieur.neogend.order.v1.Invoice;
import fr.interieur.neogend.order.v1.InvoiceLine;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.LeaseStatement;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.ReceiveDeliveryRequest;
import fr.interieur.neogend.order.v1.ReconcileInvoiceRequest;
import fr.interieur.neogend.order.v1.Reconciliation;
import fr.interieur.neogend.order.v1.ReconciliationLine;
import fr.interieur.neogend.order.v1.ReconciliationStatus;
import fr.interieur.neogend.order.v1.StatementLine;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import fr.interieur.neogend.training.v1.DeliveredTrainingDays;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
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
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Monthly lease statements (rule 13) and invoice reconciliation (rule 14), with inventory's lease
 * intervals streamed by a stand-in gRPC server on a real port.
 */
@ServiceIT
class BillingIT {

    /** The service's clock: now unless a test sets it (a month is invoiced once it is over, in Paris). */
    static final fr.interieur.neogend.testkit.SettableClock CLOCK = new fr.interieur.neogend.testkit.SettableClock();

    @org.springframework.boot.test.context.TestConfiguration(proxyBeanMethods = false)
    static class ServiceClock {
        @org.springframework.context.annotation.Bean
        java.time.Clock clock() {
            return CLOCK;
        }
    }

    static final int INVENTORY_PORT = TestPorts.free();
    static final int TRAINING_PORT = TestPorts.free();
    static final List<LeaseInterval> INTERVALS = new CopyOnWriteArrayList<>();
    /** Sessions' days the training stand-in answers, by the month they were delivered in. */
    record MonthDays(int year, int month, DeliveredTrainingDays days) {}

    static final List<MonthDays> TRAINING_DAYS = new CopyOnWriteArrayList<>();
    static final List<String> TRAINING_CALLERS = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.training.target", () -> "localhost:" + TRAINING_PORT);
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;
    OrderServiceBlockingStub supplier;
    Server inventory;
    Server training;

    @BeforeEach
    void connect() throws IOException {
        OrderTestData.reset(jdbc);
        CLOCK.now = java.time.Instant.now();
        INTERVALS.clear();
        TRAINING_DAYS.clear();
        TRAINING_CALLERS.clear();
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
        inventory = Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                .addService(new InventoryServiceGrpc.InventoryServiceImplBase() {
                    @Override
                    public void streamLeaseIntervals(
                            StreamLeaseIntervalsRequest request, StreamObserver<StreamLeaseIntervalsResponse> out) {
                        for (int from = 0; from < INTERVALS.size(); from += 1000) {
                            out.onNext(StreamLeaseIntervalsResponse.newBuilder()
                                    .addAllIntervals(INTERVALS.subList(from, Math.min(INTERVALS.size(), from + 1000)))
                                    .build());
                        }
                        out.onCompleted();
                    }

                    /** The same intervals summed per type, as inventory's database does. */
                    @Override
                    public void sumLeaseDays(
                            fr.interieur.neogend.inventory.v1.SumLeaseDaysRequest request,
                            StreamObserver<fr.interieur.neogend.inventory.v1.SumLeaseDaysResponse> out) {
                        var response = fr.interieur.neogend.inventory.v1.SumLeaseDaysResponse.newBuilder();
                        INTERVALS.stream()
                                .filter(i -> i.getBilledDays() > 0)
                                .collect(java.util.stream.Collectors.groupingBy(
                                        LeaseInterval::getPackType,
                                        java.util.TreeMap::new,
                                        java.util.stream.Collectors.toList()))
                                .forEach((type, list) -> response.addByPackTypeBuilder()
                                        .setPackType(type)
                                        .setPacks(list.stream()
                                                .map(LeaseInterval::getPackId)
                                                .distinct()
                                                .count())
                                        .setBilledDays(list.stream()
                                                .mapToLong(LeaseInterval::getBilledDays)
                                                .sum()));
                        out.onNext(response.build());
                        out.onCompleted();
                    }

                    @Override
                    public void registerDevices(
                            RegisterDevicesRequest request, StreamObserver<RegisterDevicesResponse> out) {
                        out.onNext(RegisterDevicesResponse.newBuilder()
                                .setRegisteredCount(request.getDevicesCount())
                                .build());
                        out.onCompleted();
                    }
                })
                .build()
                .start();
        training = Grpc.newServerBuilderForPort(TRAINING_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(
                        new TrainingServiceGrpc.TrainingServiceImplBase() {
                            @Override
                            public void listDeliveredTrainingDays(
                                    ListDeliveredTrainingDaysRequest request,
                                    StreamObserver<ListDeliveredTrainingDaysResponse> out) {
                                out.onNext(ListDeliveredTrainingDaysResponse.newBuilder()
                                        .addAllSessions(TRAINING_DAYS.stream()
                                                .filter(d -> d.year() == request.getYear()
                                                        && d.month() == request.getMonth())
                                                .map(MonthDays::days)
                                                .toList())
                                        .build());
                                out.onCompleted();
                            }
                        },
                        new ServerInterceptor() {
                            @Override
                            public <Q, A> ServerCall.Listener<Q> interceptCall(
                                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                                TRAINING_CALLERS.add(headers.get(
                                        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)));
                                return next.startCall(call, headers);
                            }
                        }))
                .build()
                .start();
    }

    @AfterEach
    void disconnect() {
        inventory.shutdownNow();
        training.shutdownNow();
    }

    /** Days of a session of a course delivered in a month. */
    static void trainingDays(String session, int year, int month, String course, String itemCode, int days) {
        TRAINING_DAYS.add(new MonthDays(
                year,
                month,
                DeliveredTrainingDays.newBuilder()
                        .setSessionId(session)
                        .setCourseCode(course)
                        .setAgreementItemCode(itemCode)
                        .setDays(days)
                        .setAgreementId("AC-2026-NEOGEND")
                        .build()));
    }

    @Test
    void trainingDaysDeliveredInTheMonthAreBilledAtTheAgreementsDayPrice() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 31, 31);
        trainingDays("TS-000001", 2027, 1, "MAINT-N1", "TRAINING-DAY-L1", 2);
        trainingDays("TS-000002", 2027, 1, "MAINT-N1", "TRAINING-DAY-L1", 3);
        trainingDays("TS-000003", 2027, 2, "MAINT-N1", "TRAINING-DAY-L1", 1);
        LeaseStatement jan = statement(2027, 1);
        String dayPrice = OrderTestData.agreement("X", "S", 1).getPriceScheduleList().stream()
                .filter(i -> i.getCode().equals("TRAINING-DAY-L1"))
                .findFirst()
                .orElseThrow()
                .getUnitPrice();
        assertThat(jan.getLinesList())
                .extracting(
                        StatementLine::getItemCode,
                        StatementLine::getKind,
                        StatementLine::getQuantity,
                        StatementLine::getAmount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "PACK-SMARTPHONE-INDIVIDUAL", ItemKind.ITEM_KIND_PACK_LEASE, 1L, "21.90"),
                        org.assertj.core.groups.Tuple.tuple(
                                "TRAINING-DAY-L1",
                                ItemKind.ITEM_KIND_TRAINING_DAY,
                                5L,
                                new BigDecimal(dayPrice)
                                        .multiply(BigDecimal.valueOf(5))
                                        .setScale(2)
                                        .toPlainString()));
        assertThat(new BigDecimal(jan.getTotalExclTax()))
                .isEqualByComparingTo(
                        new BigDecimal("21.90").add(new BigDecimal(dayPrice).multiply(BigDecimal.valueOf(5))));
        // asked on the fleet manager's behalf: the training service checks that token itself
        assertThat(TRAINING_CALLERS)
                .isNotEmpty()
                .allMatch(h -> new String(
                                java.util.Base64.getUrlDecoder()
                                        .decode(h.substring("Bearer ".length()).split("\\.")[1]),
                                StandardCharsets.UTF_8)
                        .contains("\"preferred_username\":\"fleet.manager\""));
        // a day billed at a code the agreement does not price as a training day is refused, not dropped
        trainingDays("TS-000004", 2027, 1, "MISPRICED", "ACC-CAR-CHARGER", 1);
        assertThat(GrpcAssertions.failure(() -> statement(2027, 1)).getStatus().getDescription())
                .contains("agreement AC-2026-NEOGEND has no training-day price with that code");
        // training down: no statement rather than one without its training days
        training.shutdownNow();
        assertThat(GrpcAssertions.failure(() -> statement(2027, 2)).getStatus().getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    /**
     * Training days put on a purchase order, "delivered" on a note and received like accessories: rule
     * 13 bills training per session day held, one line per course — never per reception. The month
     * with a 3-day session held and 4 training days received bills the 3 days of the course, once.
     */
    @Test
    void trainingDaysReceivedOnADeliveryAreBilledOnlyAsTheSessionDaysHeld() {
        String number = acknowledgedOrder(
                OrderLine.newBuilder().setItemCode("TRAINING-DAY-L1").setQuantity(4),
                OrderLine.newBuilder().setItemCode("ACC-CAR-CHARGER").setQuantity(1));
        Delivery d = supplier.createDelivery(CreateDeliveryRequest.newBuilder()
                        .setOrderNumber(number)
                        .setDelivery(Delivery.newBuilder()
                                .setDeliveryNoteNumber("BL-TR-1")
                                .addItems(DeliveredItem.newBuilder()
                                        .setItemCode("TRAINING-DAY-L1")
                                        .setQuantity(4))
                                .addItems(DeliveredItem.newBuilder()
                                        .setItemCode("ACC-CAR-CHARGER")
                                        .setQuantity(1)))
                        .build())
                .getDelivery();
        fleetManager.receiveDelivery(
                ReceiveDeliveryRequest.newBuilder().setId(d.getId()).build());
        jdbc.sql("update item_reception set received_on = date '2027-01-20'").update();
        trainingDays("TS-000010", 2027, 1, "MAINT-N1", "TRAINING-DAY-L1", 3);

        LeaseStatement jan = statement(2027, 1);
        assertThat(jan.getLinesList())
                .filteredOn(l -> l.getKind() == ItemKind.ITEM_KIND_TRAINING_DAY)
                .as("training: one line per course, its session days held")
                .extracting(StatementLine::getItemCode, StatementLine::getQuantity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("TRAINING-DAY-L1", 3L));
        assertThat(jan.getLinesList())
                .filteredOn(l -> l.getKind() == ItemKind.ITEM_KIND_ACCESSORY)
                .as("the charger, billed in the month of its reception")
                .extracting(StatementLine::getItemCode, StatementLine::getQuantity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ACC-CAR-CHARGER", 1L));
        BigDecimal lines = jan.getLinesList().stream()
                .map(l -> new BigDecimal(l.getAmount()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(new BigDecimal(jan.getTotalExclTax())).isEqualByComparingTo(lines);
    }

    static void pack(String id, PackType type, int days, int daysInMonth) {
        INTERVALS.add(LeaseInterval.newBuilder()
                .setPackId(id)
                .setPackType(type)
                .setBilledDays(days)
                .setDaysInMonth(daysInMonth)
                .build());
    }

    LeaseStatement statement(int year, int month) {
        return fleetManager
                .getLeaseStatement(GetLeaseStatementRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .getStatement();
    }

    /** An order of these lines (agreement AC-2026-NEOGEND, for 2026-12-01) approved, sent and acknowledged. */
    String acknowledgedOrder(OrderLine.Builder... lines) {
        PurchaseOrder.Builder order = PurchaseOrder.newBuilder()
                .setAgreementId("AC-2026-NEOGEND")
                .setDeliverySite("Rennes")
                .setRequestedDate(com.google.type.Date.newBuilder()
                        .setYear(2026)
                        .setMonth(12)
                        .setDay(1));
        for (OrderLine.Builder line : lines) {
            order.addLines(line);
        }
        String number = fleetManager
                .createPurchaseOrder(
                        CreatePurchaseOrderRequest.newBuilder().setOrder(order).build())
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
        supplier.acknowledgePurchaseOrder(
                AcknowledgePurchaseOrderRequest.newBuilder().setNumber(number).build());
        return number;
    }

    /** 3 car chargers received on the given day through an order, a delivery and a reception. */
    void chargersReceivedOn(String day) {
        String number = acknowledgedOrder(
                OrderLine.newBuilder().setItemCode("ACC-CAR-CHARGER").setQuantity(3));
        Delivery d = supplier.createDelivery(CreateDeliveryRequest.newBuilder()
                        .setOrderNumber(number)
                        .setDelivery(Delivery.newBuilder()
                                .setDeliveryNoteNumber("BL-CH-" + number)
                                .addItems(DeliveredItem.newBuilder()
                                        .setItemCode("ACC-CAR-CHARGER")
                                        .setQuantity(3)))
                        .build())
                .getDelivery();
        fleetManager.receiveDelivery(
                ReceiveDeliveryRequest.newBuilder().setId(d.getId()).build());
        jdbc.sql("update item_reception set received_on = ?::date").param(day).update();
    }

    /**
     * Rule 13: an accessory is billed once, in the month of its reception — under its agreement, whose statements
     * cover the months of its term only. A charger received on a day outside the term (Paris days: at 00:30 in Paris
     * the day after the last day, UTC still reads the last day) had no statement to be billed in.
     */
    @Test
    void whatIsReceivedIsBilledOnceSoNothingIsReceivedOutsideTheAgreementsTermInParis() {
        // AC-2026-NEOGEND: from 2026-01-15 for 48 months, its last day 2030-01-14
        String number = acknowledgedOrder(
                OrderLine.newBuilder().setItemCode("ACC-CAR-CHARGER").setQuantity(3));
        String id = supplier.createDelivery(CreateDeliveryRequest.newBuilder()
                        .setOrderNumber(number)
                        .setDelivery(Delivery.newBuilder()
                                .setDeliveryNoteNumber("BL-LATE-1")
                                .addItems(DeliveredItem.newBuilder()
                                        .setItemCode("ACC-CAR-CHARGER")
                                        .setQuantity(3)))
                        .build())
                .getDelivery()
                .getId();
        java.util.function.Function<String, String> receiveOneAt = instant -> {
            CLOCK.now = java.time.Instant.parse(instant);
            try {
                fleetManager.receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(id)
                        .addItems(DeliveredItem.newBuilder()
                                .setItemCode("ACC-CAR-CHARGER")
                                .setQuantity(1))
                        .build());
                return "OK";
            } catch (io.grpc.StatusRuntimeException e) {
                return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
            }
        };
        assertThat(receiveOneAt.apply("2030-01-14T22:30:00Z"))
                .as("23:30 in Paris on the last day")
                .isEqualTo("OK");
        List<String> outside = List.of(
                receiveOneAt.apply("2030-01-14T23:30:00Z"), // 00:30 in Paris on 15 January, UTC still the 14th
                receiveOneAt.apply("2030-01-31T23:30:00Z")); // 00:30 in Paris on 1 February: a month with no statement
        long received = fleetManager
                .listDeliveries(fr.interieur.neogend.order.v1.ListDeliveriesRequest.newBuilder()
                        .setOrderNumber(number)
                        .build())
                .getDeliveries(0)
                .getItems(0)
                .getReceivedQuantity();
        long billed = 0;
        for (java.time.YearMonth m = java.time.YearMonth.of(2026, 1);
                !m.isAfter(java.time.YearMonth.of(2030, 1));
                m = m.plusMonths(1)) {
            billed += statement(m.getYear(), m.getMonthValue()).getLinesList().stream()
                    .filter(l -> l.getItemCode().equals("ACC-CAR-CHARGER"))
                    .mapToLong(StatementLine::getQuantity)
                    .sum();
        }
        assertThat(billed)
                .as("chargers billed over every statement of the term")
                .isEqualTo(received);
        assertThat(outside)
                .as("receptions on days outside the term")
                .allSatisfy(answer -> assertThat(answer)
                        .startsWith("FAILED_PRECONDITION")
                        .contains("AC-2026-NEOGEND")
                        .contains("2030-01-14"));
        assertThat(received).isEqualTo(1);
    }

    /**
     * Rule 1: an order is made under its agreement within the term. One created or approved on a Paris day after
     * the term's last day (its requested date inside the term) would go to the supplier and never be received
     * (receptions are refused outside the term): creation and approval are refused from the next Paris day on.
     */
    @Test
    void noOrderIsCreatedOrApprovedOnAParisDayAfterTheAgreementsTerm() {
        // AC-2026-NEOGEND: from 2026-01-15 for 48 months, its last day 2030-01-14; the orders ask for a day of the
        // term whose fiscal year has an envelope
        java.util.function.Supplier<String> create = () -> fleetManager
                .createPurchaseOrder(OrderTestData.order("AC-2026-NEOGEND", 10, 2027, 6, 1))
                .getOrder()
                .getNumber();
        java.util.function.Function<Runnable, String> answer = call -> {
            try {
                call.run();
                return "OK";
            } catch (io.grpc.StatusRuntimeException e) {
                return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
            }
        };
        CLOCK.now = java.time.Instant.parse("2030-01-14T22:30:00Z"); // 23:30 in Paris on the last day
        String approvedInTime = create.get();
        String approvedLate = create.get();
        for (String number : List.of(approvedInTime, approvedLate)) {
            fleetManager.submitPurchaseOrder(
                    SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        }
        assertThat(answer.apply(() -> fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                        .setNumber(approvedInTime)
                        .build())))
                .as("approved at 23:30 in Paris on the last day")
                .isEqualTo("OK");

        CLOCK.now = java.time.Instant.parse("2030-01-14T23:30:00Z"); // 00:30 in Paris on 15 January, UTC the 14th
        List<String> late = new java.util.ArrayList<>();
        late.add(answer.apply(() -> fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(approvedLate).build())));
        late.add(answer.apply(create::get));
        CLOCK.now = java.time.Instant.parse("2030-02-01T09:00:00Z");
        late.add(answer.apply(create::get));

        assertThat(late)
                .as("approval and creations on Paris days after the term")
                .allSatisfy(a -> assertThat(a)
                        .startsWith("FAILED_PRECONDITION")
                        .contains("AC-2026-NEOGEND")
                        .contains("2030-01-14"));
        assertThat(fleetManager
                        .getPurchaseOrder(fr.interieur.neogend.order.v1.GetPurchaseOrderRequest.newBuilder()
                                .setNumber(approvedLate)
                                .build())
                        .getOrder()
                        .getState())
                .isEqualTo(fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_SUBMITTED);
        assertThat(jdbc.sql("select count(*) from purchase_order")
                        .query(Long.class)
                        .single())
                .as("orders made")
                .isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from supplier_outbox where order_number = ?")
                        .param(approvedLate)
                        .query(Long.class)
                        .single())
                .as("outbox rows of the order approved late")
                .isZero();
    }

    @Test
    void packsAreBilledProRataOfTheirDaysAndItemsInTheMonthOfTheirReception() {
        // January 2027, 31 days: two whole months, one received on the 31st, one exchanged mid-month
        // (inventory gives one unbroken interval for it), one collective tablet returned on the 16th
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 31, 31);
        pack("PK-2", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 31, 31);
        pack("PK-3", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 1, 31);
        pack("PK-4", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 31, 31);
        pack("PK-5", PackType.PACK_TYPE_TABLET_COLLECTIVE, 15, 31);
        chargersReceivedOn("2027-01-20");

        LeaseStatement jan = statement(2027, 1);
        assertThat(jan.getDaysInMonth()).isEqualTo(31);
        assertThat(jan.getLinesList())
                .extracting(
                        StatementLine::getItemCode,
                        StatementLine::getQuantity,
                        StatementLine::getBilledDays,
                        StatementLine::getAmount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "PACK-SMARTPHONE-INDIVIDUAL", 4L, 94L, "66.41"), // 21.90 x 94 / 31
                        org.assertj.core.groups.Tuple.tuple(
                                "PACK-TABLET-COLLECTIVE", 1L, 15L, "13.31"), // 27.50 x 15 / 31
                        org.assertj.core.groups.Tuple.tuple("ACC-CAR-CHARGER", 3L, 0L, "37.05"));
        assertThat(jan.getTotalExclTax()).isEqualTo("116.77");
        assertThat(jan.getVat()).isEqualTo("23.35"); // 116.77 x 0.20 = 23.354
        assertThat(jan.getTotalInclTax()).isEqualTo("140.12");
        // the chargers belong to January only
        assertThat(statement(2027, 2).getLinesList())
                .extracting(StatementLine::getItemCode)
                .containsExactly("PACK-SMARTPHONE-INDIVIDUAL", "PACK-TABLET-COLLECTIVE");
    }

    @Test
    void februaryAndLeapYearsDivideByTheirOwnDays() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 29, 29);
        pack("PK-2", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 14, 29);
        LeaseStatement feb2028 = statement(2028, 2);
        assertThat(feb2028.getDaysInMonth()).isEqualTo(29);
        assertThat(feb2028.getLines(0).getAmount()).isEqualTo("32.47"); // 21.90 x 43 / 29 = 32.472
        INTERVALS.clear();
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 28, 28);
        assertThat(statement(2027, 2).getDaysInMonth()).isEqualTo(28);
        assertThat(statement(2027, 2).getLines(0).getAmount()).isEqualTo("21.90");
        assertThat(GrpcAssertions.failure(() -> statement(2027, 13)).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        INTERVALS.add(LeaseInterval.newBuilder()
                .setPackId("PK-9")
                .setPackType(PackType.PACK_TYPE_TABLET_INDIVIDUAL)
                .setBilledDays(3)
                .build());
        assertThat(GrpcAssertions.failure(() -> statement(2027, 2)).getStatus().getDescription())
                .contains("TABLET_INDIVIDUAL are leased but agreement AC-2026-NEOGEND has no price");
    }

    @Test
    void totalsAreTheSumOfTheLinesToTheCentOverThousandsOfPacks() {
        Random random = new Random(13);
        long[] days = new long[2];
        for (int i = 0; i < 3_500; i++) {
            boolean tablet = random.nextInt(5) == 0;
            int d = 1 + random.nextInt(30);
            days[tablet ? 1 : 0] += d;
            pack(
                    "PK-" + i,
                    tablet ? PackType.PACK_TYPE_TABLET_COLLECTIVE : PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL,
                    d,
                    30);
        }
        LeaseStatement nov = statement(2026, 11);
        BigDecimal phones = new BigDecimal("21.90")
                .multiply(BigDecimal.valueOf(days[0]))
                .divide(BigDecimal.valueOf(30), 2, RoundingMode.HALF_UP);
        BigDecimal tablets = new BigDecimal("27.50")
                .multiply(BigDecimal.valueOf(days[1]))
                .divide(BigDecimal.valueOf(30), 2, RoundingMode.HALF_UP);
        assertThat(new BigDecimal(nov.getLines(0).getAmount())).isEqualByComparingTo(phones);
        assertThat(new BigDecimal(nov.getLines(1).getAmount())).isEqualByComparingTo(tablets);
        BigDecimal sum = nov.getLinesList().stream()
                .map(l -> new BigDecimal(l.getAmount()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(new BigDecimal(nov.getTotalExclTax())).isEqualByComparingTo(sum);
        assertThat(new BigDecimal(nov.getTotalInclTax())).isEqualByComparingTo(sum.add(new BigDecimal(nov.getVat())));
    }

    @Test
    void theStatementDownloadsAsCsv() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 30, 30);
        var file = fleetManager
                .exportLeaseStatement(ExportLeaseStatementRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setYear(2026)
                        .setMonth(11)
                        .build())
                .getFile();
        assertThat(file.getContentType()).isEqualTo("text/csv; charset=utf-8");
        assertThat(file.getData().toString(StandardCharsets.UTF_8))
                .isEqualTo("item_code,kind,label,quantity,billed_days,unit_price,amount_excl_tax,course_code\r\n"
                        + "PACK-SMARTPHONE-INDIVIDUAL,PACK_LEASE,\"pack-smartphone-individual\",1,30,21.90,21.90,\r\n"
                        + "TOTAL_EXCL_TAX,,,,,,21.90,\r\n"
                        + "VAT,,\"VAT 0.2\",,,,4.38,\r\n"
                        + "TOTAL_INCL_TAX,,,,,,26.28,\r\n");
    }

    /**
     * Rule 13: the statement CSV's first column is the item code, and its totals rows are labelled there too
     * (TOTAL_EXCL_TAX, VAT, TOTAL_INCL_TAX). An item coded VAT would be read as the VAT row, or the VAT row as
     * the item; the price schedule refuses these codes, naming the line.
     */
    @Test
    void anItemCodedAsARowOfTheStatementsTotalsIsRefusedSoTheCsvReadsOneWay() {
        for (String reserved : List.of("VAT", "TOTAL_EXCL_TAX", "TOTAL_INCL_TAX")) {
            var refused = GrpcAssertions.failure(() -> {
                fleetManager.createAgreement(create(agreement("AC-2026-ROWS", "SUP-DEMO", 1_000)
                        .addPriceSchedule(OrderTestData.item(reserved, ItemKind.ITEM_KIND_ACCESSORY, "3.00"))));
                throw new AssertionError("an agreement pricing an item " + reserved + " was created: its statement"
                        + " CSV would hold two rows " + reserved);
            });
            assertThat(refused.getStatus().getCode()).as(reserved).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).as(reserved).contains("agreement.price_schedule[5].code");
        }
        assertThat(jdbc.sql("select count(*) from framework_agreement where id = 'AC-2026-ROWS'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aMonthIsInvoicedOnceSoADuplicateUnderAnotherNumberNeverMatches() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 30, 30);
        pack("PK-2", PackType.PACK_TYPE_TABLET_COLLECTIVE, 30, 30);
        Invoice.Builder right = novemberInvoice();
        // a first invoice that forgets the tablet, then its replacement, then the replacement again under a
        // third number
        Invoice.Builder forgetful = right.clone().removeLines(1).setTotalExclTax("21.90");
        String wrong = post(forgetful.setInvoiceNumber("F-2026-11"));
        String replacement = post(right.clone().setInvoiceNumber("F-2026-11-R"));
        String duplicate = post(right.clone().setInvoiceNumber("F-2026-11-R2"));

        assertThat(reconcile(wrong).getMatches()).isFalse();
        Reconciliation replaced = reconcile(replacement);
        assertThat(replaced.getMatches())
                .as("a replacement of an invoice that did not match")
                .isTrue();
        assertThat(replaced.getMonthInvoicedBy()).isEmpty();
        Reconciliation twice = reconcile(duplicate);
        assertThat(twice.getMatches()).as("November paid a second time").isFalse();
        assertThat(twice.getMonthInvoicedBy()).isEqualTo(replacement);
        // its lines are what it says: the same as the statement's
        assertThat(twice.getLinesList())
                .extracting(ReconciliationLine::getStatus)
                .containsOnly(ReconciliationStatus.RECONCILIATION_STATUS_MATCHES);
        // read again later, each answers the same: the month's invoice is the first that matched
        assertThat(reconcile(replacement).getMatches()).isTrue();
        assertThat(reconcile(duplicate).getMatches()).isFalse();
    }

    @Test
    void aMonthIsInvoicedOnlyOnceItIsOverInParis() {
        Invoice.Builder december = novemberInvoice().setMonth(12).setInvoiceNumber("F-2026-12");
        // 23:59 in Paris on 31 December (22:59 UTC): December still has a minute of pack-days to come
        CLOCK.now = java.time.Instant.parse("2026-12-31T22:59:00Z");
        GrpcAssertions.assertStatus(
                () -> post(december.clone()),
                Status.Code.INVALID_ARGUMENT,
                "invoice.month: 2026-12 is not over (Paris time): it is invoiced from 2027-01-01");
        // a month to come, within the term, likewise (it would also hold every transfer of packs until then)
        GrpcAssertions.assertStatus(
                () -> post(novemberInvoice().setYear(2029).setMonth(3).setInvoiceNumber("F-2029-03")),
                Status.Code.INVALID_ARGUMENT,
                "invoice.month: 2029-03 is not over");
        assertThat(jdbc.sql("select count(*) from invoice").query(Long.class).single())
                .isZero();
        // midnight in Paris on 1 January, still 31 December in UTC: December is over
        CLOCK.now = java.time.Instant.parse("2026-12-31T23:00:00Z");
        assertThat(post(december.clone())).startsWith("INV-");
    }

    @Test
    void aCorrectedInvoiceReplacesTheOneItCorrectsSoEachMonthCountsOnceInTheAmountInvoiced() {
        CLOCK.now = java.time.Instant.parse("2027-02-02T09:00:00Z"); // January 2027 is over: every month invoiced
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 30, 30);
        pack("PK-2", PackType.PACK_TYPE_TABLET_COLLECTIVE, 30, 30);
        // a second agreement of the same supplier, its own November invoice under the same number
        fleetManager.createAgreement(create(agreement("AC-2026-OTHER", "SUP-DEMO", 1_000)));
        Invoice.Builder right = novemberInvoice();
        // November: forgets the tablet, is corrected, then the month is invoiced again with a screen added
        String wrong =
                post(right.clone().removeLines(1).setTotalExclTax("21.90").setInvoiceNumber("F-2026-11"));
        String corrected = post(right.clone().setInvoiceNumber("F-2026-11-R"));
        String again = post(right.clone()
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("SP-SCREEN-X5")
                        .setQuantity(1)
                        .setAmount("48.00"))
                .setTotalExclTax("97.40")
                .setInvoiceNumber("F-2026-11-R2"));
        // December: one invoice (it does not match; it is still the month's claim)
        String december = post(right.clone().setMonth(12).setInvoiceNumber("F-2026-12"));
        // January 2027: neither matches; the later one corrects the first
        String january = post(right.clone().setYear(2027).setMonth(1).setInvoiceNumber("F-2027-01"));
        String januaryCorrected = post(right.clone()
                .setYear(2027)
                .setMonth(1)
                .removeLines(0)
                .setTotalExclTax("27.50")
                .setInvoiceNumber("F-2027-01-R"));
        String other = supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-OTHER")
                        .setInvoice(right.clone().setInvoiceNumber("F-2026-11"))
                        .build())
                .getInvoice()
                .getId();

        // the reconciliations say which invoice is each month's: the first that matches, else the latest posted
        assertThat(reconcile(wrong).getMatches()).isFalse();
        assertThat(reconcile(corrected).getMatches()).isTrue();
        assertThat(reconcile(again).getMonthInvoicedBy()).isEqualTo(corrected);
        assertThat(reconcile(january).getMatches()).isFalse();
        assertThat(reconcile(januaryCorrected).getMatches()).isFalse();
        BigDecimal in2026 = new BigDecimal(reconcile(corrected).getInvoiceTotal())
                .add(new BigDecimal(reconcile(december).getInvoiceTotal()));
        BigDecimal in2027 = new BigDecimal(reconcile(januaryCorrected).getInvoiceTotal());

        var consumption = consumption("AC-2026-NEOGEND");
        assertThat(consumption.getByFiscalYearList())
                .as("invoiced per fiscal year: each month's invoice in force, once")
                .filteredOn(y -> y.getFiscalYear() == 2026 || y.getFiscalYear() == 2027)
                .extracting(y -> new BigDecimal(y.getInvoiced()))
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(in2026, in2027);
        assertThat(new BigDecimal(consumption.getAmountInvoiced()))
                .as("amount invoiced")
                .isEqualByComparingTo(in2026.add(in2027));
        // the other agreement's view holds its own invoice only, and this one's none of it
        assertThat(new BigDecimal(consumption("AC-2026-OTHER").getAmountInvoiced()))
                .isEqualByComparingTo(new BigDecimal(reconcile(other).getInvoiceTotal()));
    }

    private fr.interieur.neogend.order.v1.AgreementConsumption consumption(String agreementId) {
        return fleetManager
                .getAgreementConsumption(fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId(agreementId)
                        .build())
                .getConsumption();
    }

    /** November's invoice as the statement of one smartphone and one collective tablet pack billed 30 days has it. */
    static Invoice.Builder novemberInvoice() {
        return Invoice.newBuilder()
                .setYear(2026)
                .setMonth(11)
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                        .setQuantity(1)
                        .setAmount("21.90"))
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("PACK-TABLET-COLLECTIVE")
                        .setQuantity(1)
                        .setAmount("27.50"))
                .setTotalExclTax("49.40");
    }

    private String post(Invoice.Builder invoice) {
        return supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(invoice)
                        .build())
                .getInvoice()
                .getId();
    }

    private Reconciliation reconcile(String invoice) {
        return fleetManager
                .reconcileInvoice(
                        ReconcileInvoiceRequest.newBuilder().setId(invoice).build())
                .getReconciliation();
    }

    @Test
    void anInvoiceIsReconciledLineByLine() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 30, 30);
        pack("PK-2", PackType.PACK_TYPE_TABLET_COLLECTIVE, 30, 30);
        Invoice.Builder right = novemberInvoice().setInvoiceNumber("F-2026-11");
        String ok = supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(right)
                        .build())
                .getInvoice()
                .getId();
        Reconciliation good = fleetManager
                .reconcileInvoice(ReconcileInvoiceRequest.newBuilder().setId(ok).build())
                .getReconciliation();
        assertThat(good.getMatches()).isTrue();
        assertThat(good.getDifference()).isEqualTo("0.00");

        Invoice.Builder wrong = Invoice.newBuilder()
                .setInvoiceNumber("F-2026-11-B")
                .setYear(2026)
                .setMonth(11)
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                        .setQuantity(2)
                        .setAmount("43.80"))
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("SP-SCREEN-X5")
                        .setQuantity(1)
                        .setAmount("48.00"))
                .setTotalExclTax("91.80");
        String bad = supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(wrong)
                        .build())
                .getInvoice()
                .getId();
        Reconciliation r = fleetManager
                .reconcileInvoice(
                        ReconcileInvoiceRequest.newBuilder().setId(bad).build())
                .getReconciliation();
        assertThat(r.getMatches()).isFalse();
        assertThat(r.getLinesList())
                .extracting(
                        ReconciliationLine::getItemCode,
                        ReconciliationLine::getStatus,
                        ReconciliationLine::getDifference)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "PACK-SMARTPHONE-INDIVIDUAL",
                                ReconciliationStatus.RECONCILIATION_STATUS_DIFFERS,
                                "21.90"),
                        org.assertj.core.groups.Tuple.tuple(
                                "PACK-TABLET-COLLECTIVE",
                                ReconciliationStatus.RECONCILIATION_STATUS_NOT_INVOICED,
                                "-27.50"),
                        org.assertj.core.groups.Tuple.tuple(
                                "SP-SCREEN-X5", ReconciliationStatus.RECONCILIATION_STATUS_NOT_IN_STATEMENT, "48.00"));
        assertThat(r.getDifference()).isEqualTo("42.40");
        var consumption = fleetManager
                .getAgreementConsumption(fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .build())
                .getConsumption();
        // November's invoice is the one that matched: the later one is not counted on top of it
        assertThat(consumption.getAmountInvoiced()).isEqualTo(good.getInvoiceTotal());
        assertThat(consumption.getByFiscalYearList())
                .filteredOn(y -> y.getFiscalYear() == 2026)
                .extracting(fr.interieur.neogend.order.v1.FiscalYearConsumption::getInvoiced)
                .containsExactly(good.getInvoiceTotal());

        assertThat(GrpcAssertions.failure(() -> supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                                .setAgreementId("AC-2026-NEOGEND")
                                .setInvoice(right)
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.ALREADY_EXISTS);
        var other = clients.as(TestTokens.supplier("SUP-X"), OrderServiceGrpc::newBlockingStub);
        assertThat(GrpcAssertions.failure(() -> other.createInvoice(CreateInvoiceRequest.newBuilder()
                                .setAgreementId("AC-2026-NEOGEND")
                                .setInvoice(right.setInvoiceNumber("F-X"))
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(GrpcAssertions.failure(() -> supplier.reconcileInvoice(
                                ReconcileInvoiceRequest.newBuilder().setId(ok).build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aMonthOutsideTheTermHasNoStatementAndTheDetailAddsUpToTheStatement() {
        GrpcAssertions.assertStatus(() -> statement(2025, 12), Status.Code.INVALID_ARGUMENT, "is outside its term");
        GrpcAssertions.assertStatus(() -> statement(2030, 2), Status.Code.INVALID_ARGUMENT, "is outside its term");
        statement(2030, 1); // the term ends on 2030-01-14: its last month is billed
        INTERVALS.add(LeaseInterval.newBuilder()
                .setPackId("PK-0000001")
                .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                .setUnitCode("GN-RBRE")
                .addDeviceImeis("352990110000011")
                .addDeviceImeis("352990110000029")
                .setBilledFrom(com.google.type.Date.newBuilder()
                        .setYear(2027)
                        .setMonth(1)
                        .setDay(1))
                .setBilledUntil(com.google.type.Date.newBuilder()
                        .setYear(2027)
                        .setMonth(1)
                        .setDay(15))
                .setBilledDays(14)
                .setDaysInMonth(31)
                .build());
        INTERVALS.add(LeaseInterval.newBuilder()
                .setPackId("PK-0000002")
                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)
                .setBilledFrom(com.google.type.Date.newBuilder()
                        .setYear(2027)
                        .setMonth(1)
                        .setDay(1))
                .setBilledUntil(com.google.type.Date.newBuilder()
                        .setYear(2027)
                        .setMonth(2)
                        .setDay(1))
                .setBilledDays(31)
                .setDaysInMonth(31)
                .build());
        String csv = detail(fleetManager, 2027, 1);
        assertThat(csv.split("\r\n"))
                .containsExactly(
                        "pack_id,pack_type,unit_code,device_imeis,billed_from,billed_until,billed_days,monthly_price",
                        "PK-0000001,SMARTPHONE_INDIVIDUAL,GN-RBRE,352990110000011 352990110000029,2027-01-01,2027-01-14,14,21.90",
                        "PK-0000002,TABLET_COLLECTIVE,,,2027-01-01,2027-01-31,31,27.50");
        LeaseStatement jan = statement(2027, 1);
        assertThat(jan.getLinesList())
                .extracting(StatementLine::getItemCode, StatementLine::getBilledDays)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("PACK-SMARTPHONE-INDIVIDUAL", 14L),
                        org.assertj.core.groups.Tuple.tuple("PACK-TABLET-COLLECTIVE", 31L));
        // another supplier's agreement: not found, whatever the month
        GrpcAssertions.assertStatus(
                () -> detail(clients.as(TestTokens.supplier("SUP-OTHER"), OrderServiceGrpc::newBlockingStub), 2027, 1),
                Status.Code.NOT_FOUND,
                "no agreement");
        GrpcAssertions.assertStatus(
                () -> detail(fleetManager, 2025, 12), Status.Code.INVALID_ARGUMENT, "is outside its term");
    }

    @Test
    void aLargeDetailComesInPiecesThatJoinIntoEveryPackOnce() {
        for (int n = 1; n <= 5_000; n++) {
            INTERVALS.add(LeaseInterval.newBuilder()
                    .setPackId(String.format("PK-%07d", n))
                    .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                    .setUnitCode("GN-RBRE")
                    .addDeviceImeis("352990110000011")
                    .setBilledFrom(com.google.type.Date.newBuilder()
                            .setYear(2027)
                            .setMonth(1)
                            .setDay(1 + n % 28))
                    .setBilledUntil(com.google.type.Date.newBuilder()
                            .setYear(2027)
                            .setMonth(2)
                            .setDay(1))
                    .setBilledDays(31 - n % 28)
                    .setDaysInMonth(31)
                    .build());
        }
        var pieces = new java.util.ArrayList<String>();
        fleetManager
                .exportLeaseDetail(fr.interieur.neogend.order.v1.ExportLeaseDetailRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setYear(2027)
                        .setMonth(1)
                        .build())
                .forEachRemaining(r -> {
                    assertThat(r.getFile().getContentType()).isEqualTo("text/csv; charset=utf-8");
                    pieces.add(r.getFile().getData().toStringUtf8());
                });
        assertThat(pieces).hasSizeGreaterThan(3).allSatisfy(p -> assertThat(p).endsWith("\r\n"));
        String[] rows = String.join("", pieces).split("\r\n");
        assertThat(rows).hasSize(5_001);
        assertThat(java.util.Arrays.stream(rows)
                        .skip(1)
                        .map(r -> r.split(",")[0])
                        .distinct()
                        .count())
                .isEqualTo(5_000);
        long days = java.util.Arrays.stream(rows)
                .skip(1)
                .mapToLong(r -> Long.parseLong(r.split(",")[6]))
                .sum();
        assertThat(statement(2027, 1).getLinesList())
                .filteredOn(l -> l.getItemCode().equals("PACK-SMARTPHONE-INDIVIDUAL"))
                .singleElement()
                .satisfies(l -> {
                    assertThat(l.getBilledDays()).isEqualTo(days);
                    assertThat(l.getQuantity()).isEqualTo(5_000);
                });
    }

    /** The detail export, its pieces joined. */
    String detail(OrderServiceGrpc.OrderServiceBlockingStub as, int year, int month) {
        StringBuilder csv = new StringBuilder();
        as.exportLeaseDetail(fr.interieur.neogend.order.v1.ExportLeaseDetailRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .forEachRemaining(r -> csv.append(r.getFile().getData().toStringUtf8()));
        return csv.toString();
    }

    @Test
    void anInvoiceAddsUpFallsInTheTermAndHoldsNoNegativeAmount() {
        Invoice.Builder base = Invoice.newBuilder()
                .setInvoiceNumber("F-CHECK")
                .setYear(2026)
                .setMonth(11)
                .addLines(InvoiceLine.newBuilder()
                        .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                        .setQuantity(1)
                        .setAmount("21.90"));
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(base.clone().setTotalExclTax("99.00"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "invoice.total_excl_tax: must be the sum of the lines' amounts, 21.90");
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(base.clone().setYear(2025).setMonth(3).setTotalExclTax("21.90"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "invoice.month: is outside the term");
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(base.clone()
                                .setLines(
                                        0,
                                        InvoiceLine.newBuilder()
                                                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                                                .setQuantity(1)
                                                .setAmount("-21.90"))
                                .setTotalExclTax("-21.90"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "must not be negative");
    }

    /**
     * Rule 14: a line of nothing (quantity 0) bills nothing and no statement line has quantity 0, so the
     * reconciliation could only list it as a difference and keep an otherwise exact invoice from matching.
     * It is refused when posted, naming the line, and the exact invoice matches.
     */
    @Test
    void anInvoiceLineOfNothingIsRefusedNamingItSoItCannotKeepAnExactInvoiceFromMatching() {
        pack("PK-1", PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL, 30, 30);
        pack("PK-2", PackType.PACK_TYPE_TABLET_COLLECTIVE, 30, 30);
        String[] amounts = {"0.00", "5.00"};
        for (int i = 0; i < amounts.length; i++) {
            String amount = amounts[i];
            Invoice.Builder withNothing = novemberInvoice()
                    .setInvoiceNumber("F-2026-11-ZERO-" + i)
                    .addLines(InvoiceLine.newBuilder()
                            .setItemCode("SP-SCREEN-X5")
                            .setQuantity(0)
                            .setAmount(amount))
                    .setTotalExclTax(new java.math.BigDecimal("49.40")
                            .add(new java.math.BigDecimal(amount))
                            .toPlainString());
            var refused = GrpcAssertions.failure(() -> {
                Reconciliation r = reconcile(post(withNothing));
                throw new AssertionError("an invoice with SP-SCREEN-X5 0 x " + amount + " was posted; matches "
                        + r.getMatches() + ", lines "
                        + r.getLinesList().stream()
                                .map(l -> l.getItemCode() + " " + l.getStatus())
                                .toList());
            });
            assertThat(refused.getStatus().getCode()).as(amount).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).as(amount).contains("invoice.lines[2].quantity");
        }
        Reconciliation exact = reconcile(post(novemberInvoice().setInvoiceNumber("F-2026-11")));
        assertThat(exact.getMatches()).isTrue();
        assertThat(exact.getMonthInvoicedBy()).isEmpty();
    }

    @Test
    void anInvoiceLineOfAHostileQuantityIsRefusedNamingTheField() {
        GrpcAssertions.assertStatus(
                () -> supplier.createInvoice(CreateInvoiceRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .setInvoice(Invoice.newBuilder()
                                .setInvoiceNumber("F-HOSTILE")
                                .setYear(2026)
                                .setMonth(11)
                                .addLines(InvoiceLine.newBuilder()
                                        .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                                        .setQuantity(Long.MAX_VALUE)
                                        .setAmount("21.90"))
                                .setTotalExclTax("21.90"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "invoice.lines[0].quantity: must be at most 10000000");
    }
}
