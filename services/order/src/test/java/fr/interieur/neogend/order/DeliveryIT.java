package fr.interieur.neogend.order;

import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesResponse;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CreateDeliveryRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.DeliveredDevice;
import fr.interieur.neogend.order.v1.DeliveredItem;
import fr.interieur.neogend.order.v1.Delivery;
import fr.interieur.neogend.order.v1.DeliveryState;
import fr.interieur.neogend.order.v1.GetPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ListDeliveriesRequest;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.OrderState;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.ReceiveDeliveryRequest;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery notes from the supplier and their reception (rule 5), with inventory stood in for by a
 * gRPC server on a real port that records what it registers (and can be down).
 */
@ServiceIT
class DeliveryIT {

    static final int INVENTORY_PORT = TestPorts.free();

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.inventory.deadline", () -> "5s");
    }

    /** What inventory was asked to register, and with which token. */
    static final List<RegisterDevicesRequest> REGISTERED = new CopyOnWriteArrayList<>();

    static final List<String> TOKENS = new CopyOnWriteArrayList<>();
    /** The tokens inventory's other RPCs (the IMEI lookup when a note is posted) were called with. */
    static final List<String> LOOKUP_TOKENS = new CopyOnWriteArrayList<>();
    /** IMEIs the inventory stand-in says are in the fleet already. */
    static final java.util.Set<String> IN_FLEET = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When set, each registration waits there: receptions racing each other meet inside inventory. */
    static volatile java.util.concurrent.CyclicBarrier registrationsMeet;

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;
    OrderServiceBlockingStub supplier;
    Server inventory;
    String fleetManagerToken;

    @BeforeEach
    void connect() throws IOException {
        OrderTestData.reset(jdbc);
        jdbc.sql("delete from idempotency_record").update();
        REGISTERED.clear();
        TOKENS.clear();
        LOOKUP_TOKENS.clear();
        IN_FLEET.clear();
        registrationsMeet = null;
        fleetManagerToken = TestTokens.fleetManager();
        fleetManager = clients.as(fleetManagerToken, OrderServiceGrpc::newBlockingStub);
        supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
        inventory = startInventory();
    }

    @AfterEach
    void disconnect() {
        inventory.shutdownNow();
    }

    static Server startInventory() throws IOException {
        var service = new InventoryServiceGrpc.InventoryServiceImplBase() {
            @Override
            public void registerDevices(RegisterDevicesRequest request, StreamObserver<RegisterDevicesResponse> out) {
                REGISTERED.add(request);
                java.util.concurrent.CyclicBarrier meet = registrationsMeet;
                if (meet != null) {
                    try { // both receptions have read the delivery by now; neither has recorded anything
                        meet.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // one came alone: go on, the test's assertions say what happened
                    }
                }
                out.onNext(RegisterDevicesResponse.newBuilder()
                        .setRegisteredCount(request.getDevicesCount())
                        .build());
                out.onCompleted();
            }

            @Override
            public void findRegisteredImeis(
                    fr.interieur.neogend.inventory.v1.FindRegisteredImeisRequest request,
                    StreamObserver<fr.interieur.neogend.inventory.v1.FindRegisteredImeisResponse> out) {
                out.onNext(fr.interieur.neogend.inventory.v1.FindRegisteredImeisResponse.newBuilder()
                        .addAllRegisteredImeis(request.getImeisList().stream()
                                .filter(IN_FLEET::contains)
                                .toList())
                        .build());
                out.onCompleted();
            }
        };
        return Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(service, new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                            io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                        String token = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                        (call.getMethodDescriptor().getBareMethodName().equals("RegisterDevices")
                                        ? TOKENS
                                        : LOOKUP_TOKENS)
                                .add(token);
                        return next.startCall(call, headers);
                    }
                }))
                .build()
                .start();
    }

    /** An acknowledged order for 2 smartphone packs and 3 car chargers. */
    String acknowledgedOrder() {
        return acknowledgedOrder("AC-2026-NEOGEND");
    }

    /** An acknowledged order of that agreement for 2 smartphone packs and 3 car chargers. */
    String acknowledgedOrder(String agreementId) {
        var request = CreatePurchaseOrderRequest.newBuilder()
                .setOrder(PurchaseOrder.newBuilder()
                        .setAgreementId(agreementId)
                        .setDeliverySite("Dépôt central, Rennes")
                        .setRequestedDate(com.google.type.Date.newBuilder()
                                .setYear(2026)
                                .setMonth(12)
                                .setDay(1))
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                                .setQuantity(2))
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("ACC-CAR-CHARGER")
                                .setQuantity(3)))
                .build();
        String number = fleetManager.createPurchaseOrder(request).getOrder().getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(number).build());
        jdbc.sql("delete from supplier_outbox").update(); // as if the relay had sent it
        jdbc.sql("update purchase_order set state = 'SENT' where number = ?")
                .param(number)
                .update();
        supplier.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                .setNumber(number)
                .setSupplierReference("CMD-77")
                .build());
        return number;
    }

    static DeliveredDevice.Builder device(int n) {
        String body = String.format("35888801%06d", n);
        return DeliveredDevice.newBuilder()
                .setImei(body + Imei.checkDigit(body))
                .setSerialNumber("SN-" + n)
                .setModel("Rugged X5")
                .setKind(DeviceKind.DEVICE_KIND_PHONE)
                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL");
    }

    static CreateDeliveryRequest note(String order, String noteNumber, DeliveredDevice.Builder... devices) {
        Delivery.Builder d = Delivery.newBuilder().setDeliveryNoteNumber(noteNumber);
        for (DeliveredDevice.Builder dev : devices) {
            d.addDevices(dev);
        }
        return CreateDeliveryRequest.newBuilder()
                .setOrderNumber(order)
                .setDelivery(d)
                .build();
    }

    OrderState state(String number) {
        return fleetManager
                .getPurchaseOrder(
                        GetPurchaseOrderRequest.newBuilder().setNumber(number).build())
                .getOrder()
                .getState();
    }

    @Test
    void deliveriesAreReceivedPartlyThenInFullAndTheDevicesGoToInventoryAsPacks() {
        String order = acknowledgedOrder();
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_ACKNOWLEDGED);
        var first = note(order, "BL-SUP-0001", device(1)).toBuilder();
        first.getDeliveryBuilder()
                .addItems(DeliveredItem.newBuilder()
                        .setItemCode("ACC-CAR-CHARGER")
                        .setQuantity(3));
        Delivery posted = supplier.createDelivery(first.build()).getDelivery();
        assertThat(posted.getState()).isEqualTo(DeliveryState.DELIVERY_STATE_POSTED);

        // receive the chargers only
        Delivery part = fleetManager
                .receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(posted.getId())
                        .addItems(DeliveredItem.newBuilder()
                                .setItemCode("ACC-CAR-CHARGER")
                                .setQuantity(3))
                        .build())
                .getDelivery();
        assertThat(part.getState()).isEqualTo(DeliveryState.DELIVERY_STATE_PARTIALLY_RECEIVED);
        assertThat(REGISTERED).isEmpty();
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_PARTIALLY_DELIVERED);

        // then everything left: the device goes to inventory as a smartphone pack, with the receiver's token
        Delivery whole = fleetManager
                .receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(posted.getId())
                        .build())
                .getDelivery();
        assertThat(whole.getState()).isEqualTo(DeliveryState.DELIVERY_STATE_RECEIVED);
        assertThat(whole.getDevices(0).hasReceivedOn()).isTrue();
        assertThat(REGISTERED).hasSize(1);
        assertThat(REGISTERED.getFirst().getDevices(0).getPackType().name())
                .isEqualTo("PACK_TYPE_SMARTPHONE_INDIVIDUAL");
        assertThat(REGISTERED.getFirst().getDevices(0).getImei())
                .isEqualTo(device(1).getImei());
        assertThat(TOKENS).containsExactly("Bearer " + fleetManagerToken); // on the receiver's behalf
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_PARTIALLY_DELIVERED);

        Delivery second =
                supplier.createDelivery(note(order, "BL-SUP-0002", device(2))).getDelivery();
        fleetManager.receiveDelivery(
                ReceiveDeliveryRequest.newBuilder().setId(second.getId()).build());
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_DELIVERED);
        assertThat(fleetManager
                        .getAgreementConsumption(
                                fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest.newBuilder()
                                        .setAgreementId("AC-2026-NEOGEND")
                                        .build())
                        .getConsumption()
                        .getPacksReceived())
                .isEqualTo(2);
        assertThat(supplier.listDeliveries(ListDeliveriesRequest.newBuilder()
                                .setOrderNumber(order)
                                .build())
                        .getDeliveriesList())
                .extracting(Delivery::getDeliveryNoteNumber)
                .containsExactly("BL-SUP-0001", "BL-SUP-0002");
        assertStatus(
                () -> fleetManager.receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(second.getId())
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "nothing is waiting for reception");
    }

    @Test
    void aSerialNumberWithSpacesOrLookAlikesIsRefusedAtTheNoteNotAtReception() {
        String order = acknowledgedOrder();
        var bad = note(
                order,
                "BL-SUP-0040",
                device(1).setSerialNumber("SN 1"),
                device(2).setSerialNumber("\uFF33\uFF2E-2"),
                device(3).setSerialNumber(" SN-3 ")); // around it: trimmed, as before
        StatusRuntimeException e = GrpcAssertions.failure(() -> supplier.createDelivery(bad));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // the look-alike is refused by the request rules, which answer first and alone
        assertThat(e.getStatus().getDescription()).contains("delivery.devices[1].serial_number");
        var spaced = note(
                order,
                "BL-SUP-0041",
                device(1).setSerialNumber("SN 1"),
                device(3).setSerialNumber(" SN-3 "));
        e = GrpcAssertions.failure(() -> supplier.createDelivery(spaced));
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[0].serial_number: must not hold spaces")
                .doesNotContain("devices[1]");
        // a model written with a no-break or zero-width space would be another model, as inventory says
        var lookAlikeModels = note(
                order,
                "BL-SUP-0042",
                device(1).setModel("Rugged\u00a0X5"),
                device(2).setModel("Rugged X5\u200b"));
        e = GrpcAssertions.failure(() -> supplier.createDelivery(lookAlikeModels));
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[0].model: must not hold invisible characters")
                .contains("delivery.devices[1].model: must not hold invisible characters");
        // nor one with its accents decomposed (E + U+0301) or two spaces where one is: inventory refuses them too
        var decomposedOrDoubled = note(
                order,
                "BL-SUP-0043",
                device(1).setModel("Robuste E\u0301te\u0301 X5"),
                device(2).setModel("Rugged  X5"));
        e = GrpcAssertions.failure(() -> supplier.createDelivery(decomposedOrDoubled));
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[0].model: must be written with single spaces and composed accents")
                .contains("delivery.devices[1].model: must be written with single spaces and composed accents");
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isZero();
    }

    /**
     * Rule 7 within one note: inventory registers a note's devices together at reception and refuses a serial number
     * repeated among them (whatever its case or its model's case) and a model written two ways; the note cannot
     * be corrected once posted (its IMEIs are delivered, its lines counted), so the note refuses them itself.
     */
    @Test
    void aSerialOrAModelWrittenTwoWaysInOneNoteIsRefusedAtTheNoteNotAtReception() {
        String order = acknowledgedOrder();
        var twice = note(
                order,
                "BL-SUP-0050",
                device(1).setSerialNumber("SN-1"),
                device(2).setSerialNumber("sn-1").setModel("RUGGED X5"));
        StatusRuntimeException e = GrpcAssertions.failure(() -> {
            supplier.createDelivery(twice);
            throw new AssertionError("a note delivering SN-1 of Rugged X5 and sn-1 of RUGGED X5 was posted: "
                    + jdbc.sql("select count(*) from delivered_device")
                            .query(Long.class)
                            .single()
                    + " devices delivered, which inventory registers together or not at all");
        });
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[1].model")
                .contains("\"Rugged X5\"");
        var sameModel = note(
                order,
                "BL-SUP-0051",
                device(1).setSerialNumber("SN-1"),
                device(2).setSerialNumber("sn-1"));
        e = GrpcAssertions.failure(() -> supplier.createDelivery(sameModel));
        assertThat(e.getStatus().getDescription()).contains("delivery.devices[1].serial_number");
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isZero();
    }

    @Test
    void overDeliveryUnknownItemsAndRepeatedDevicesAreRefusedLineByLine() {
        String order = acknowledgedOrder();
        var bad = note(order, "BL-SUP-0009", device(1), device(2), device(3), device(1)).toBuilder();
        bad.getDeliveryBuilder()
                .addItems(DeliveredItem.newBuilder().setItemCode("SP-SCREEN-X5").setQuantity(1))
                .addItems(DeliveredItem.newBuilder()
                        .setItemCode("ACC-CAR-CHARGER")
                        .setQuantity(4));
        StatusRuntimeException e = GrpcAssertions.failure(() -> supplier.createDelivery(bad.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[3].imei: repeats an earlier device")
                .contains("delivery.items[0].item_code: is not a line of order " + order)
                .contains("delivery.lines[PACK-SMARTPHONE-INDIVIDUAL]: would bring 4 delivered for 2 ordered")
                .contains("delivery.lines[ACC-CAR-CHARGER]: would bring 4 delivered for 3 ordered");
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isZero();

        supplier.createDelivery(note(order, "BL-SUP-0010", device(1)));
        assertStatus(
                () -> supplier.createDelivery(note(order, "BL-SUP-0011", device(1))),
                Status.Code.INVALID_ARGUMENT,
                "delivery.devices[0].imei: was delivered before");
        assertStatus(
                () -> supplier.createDelivery(note(order, "BL-SUP-0010", device(2))),
                Status.Code.ALREADY_EXISTS,
                "BL-SUP-0010");
        assertStatus(
                () -> supplier.createDelivery(note(
                        order,
                        "BL-SUP-0012",
                        device(2).setImei("358888010000021").setKind(DeviceKind.DEVICE_KIND_UNSPECIFIED))),
                Status.Code.INVALID_ARGUMENT,
                "check digit");
        var otherSupplier = clients.as(TestTokens.supplier("SUP-OTHER"), OrderServiceGrpc::newBlockingStub);
        assertStatus(
                () -> otherSupplier.createDelivery(note(order, "BL-X-1", device(5))),
                Status.Code.NOT_FOUND,
                "no purchase order");
        assertStatus(
                () -> fleetManager.createDelivery(note(order, "BL-X-2", device(5))),
                Status.Code.PERMISSION_DENIED,
                "supplier");
    }

    /**
     * Rule 5 raced: one IMEI in two delivery notes posted at once — of two orders of one agreement, and of orders of two
     * agreements of the supplier. One note has it; the other is refused (naming the device, or ABORTED: read again),
     * never an internal error, and the device is delivered once.
     */
    @Test
    void oneDeviceInTwoNotesPostedAtOnceIsDeliveredOnceWhicheverOrderOrAgreementTheyAreFor() throws Exception {
        fleetManager.createAgreement(create(agreement("AC-SECOND", "SUP-DEMO", 140_000)));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                String first = acknowledgedOrder();
                String second = acknowledgedOrder(round % 2 == 0 ? "AC-2026-NEOGEND" : "AC-SECOND");
                DeliveredDevice.Builder shared = device(100 + round);
                List<String> outcomes = postedAtOnce(
                        pool,
                        List.of(
                                note(first, "BL-RACE-A" + round, shared.clone()),
                                note(second, "BL-RACE-B" + round, shared.clone())));
                assertThat(outcomes).as("round %d", round).containsOnlyOnce("OK");
                assertThat(outcomes)
                        .as("round %d", round)
                        .filteredOn(o -> !o.equals("OK"))
                        .singleElement()
                        .satisfiesAnyOf(
                                o -> assertThat(o)
                                        .startsWith("INVALID_ARGUMENT")
                                        .contains("was delivered before"),
                                o -> assertThat(o).startsWith("ABORTED"));
                assertThat(jdbc.sql("select count(*) from delivered_device where imei = ?")
                                .param(shared.getImei())
                                .query(Long.class)
                                .single())
                        .isEqualTo(1L);
                assertThat(jdbc.sql("select count(*) from delivery where delivery_note_number like ?")
                                .param("BL-RACE-_" + round)
                                .query(Long.class)
                                .single())
                        .as("the refused note left nothing")
                        .isEqualTo(1L);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** The notes posted by the supplier at the same instant; each one's outcome, "OK" or its status and description. */
    List<String> postedAtOnce(java.util.concurrent.ExecutorService pool, List<CreateDeliveryRequest> notes)
            throws Exception {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
        for (CreateDeliveryRequest note : notes) {
            answers.add(pool.submit(() -> {
                start.await();
                try {
                    supplier.createDelivery(note);
                    return "OK";
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
                }
            }));
        }
        start.countDown();
        List<String> outcomes = new java.util.ArrayList<>();
        for (var f : answers) {
            outcomes.add(f.get());
        }
        return outcomes;
    }

    /** Rule 5 raced: four notes posted at once for an order of 2 phones, each bringing one phone: two are taken. */
    @Test
    void notesPostedAtOnceNeverDeliverMoreThanTheOrderedQuantityBetweenThem() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                String order = acknowledgedOrder();
                List<CreateDeliveryRequest> notes = new java.util.ArrayList<>();
                for (int n = 0; n < 4; n++) {
                    var request = note(order, "BL-SPLIT-" + round + "-" + n, device(200 + 10 * round + n)).toBuilder();
                    request.getDeliveryBuilder()
                            .addItems(DeliveredItem.newBuilder()
                                    .setItemCode("ACC-CAR-CHARGER")
                                    .setQuantity(1));
                    notes.add(request.build());
                }
                List<String> outcomes = postedAtOnce(pool, notes);
                assertThat(outcomes)
                        .as("round %d", round)
                        .filteredOn("OK"::equals)
                        .hasSize(2);
                assertThat(outcomes)
                        .as("round %d", round)
                        .filteredOn(o -> !o.equals("OK"))
                        .allSatisfy(o -> assertThat(o)
                                .startsWith("INVALID_ARGUMENT")
                                .contains("delivery.lines[PACK-SMARTPHONE-INDIVIDUAL]: would bring 3 delivered for 2"));
                var delivered = fleetManager
                        .listDeliveries(ListDeliveriesRequest.newBuilder()
                                .setOrderNumber(order)
                                .build())
                        .getDeliveriesList();
                assertThat(delivered.stream()
                                .mapToLong(d -> d.getDevicesCount())
                                .sum())
                        .isEqualTo(2);
                assertThat(delivered.stream()
                                .flatMap(d -> d.getItemsList().stream())
                                .mapToLong(DeliveredItem::getQuantity)
                                .sum())
                        .isEqualTo(2);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aHostileQuantityNeverWrapsPastTheOrderedQuantity() {
        String order = acknowledgedOrder(); // 3 car chargers
        var first = note(order, "BL-SUP-0030").toBuilder();
        first.getDeliveryBuilder()
                .addItems(DeliveredItem.newBuilder()
                        .setItemCode("ACC-CAR-CHARGER")
                        .setQuantity(1));
        supplier.createDelivery(first.build());
        // 1 delivered before + Long.MAX_VALUE wraps negative in a long sum: it must still be refused,
        // naming the field, and nothing recorded
        for (long hostile : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, 10_000_001}) {
            var bad = note(order, "BL-SUP-0031").toBuilder();
            bad.getDeliveryBuilder()
                    .addItems(DeliveredItem.newBuilder()
                            .setItemCode("ACC-CAR-CHARGER")
                            .setQuantity(hostile));
            assertStatus(
                    () -> supplier.createDelivery(bad.build()),
                    Status.Code.INVALID_ARGUMENT,
                    "delivery.items[0].quantity: must be at most 10000000");
        }
        // within the bound but over what is left: the service's own check, overflow-safe
        var over = note(order, "BL-SUP-0032").toBuilder();
        over.getDeliveryBuilder()
                .addItems(DeliveredItem.newBuilder()
                        .setItemCode("ACC-CAR-CHARGER")
                        .setQuantity(10_000_000));
        assertStatus(
                () -> supplier.createDelivery(over.build()),
                Status.Code.INVALID_ARGUMENT,
                "delivery.lines[ACC-CAR-CHARGER]: would bring 10000001 delivered for 3 ordered (1 delivered before)");
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isOne();
        assertThat(jdbc.sql("select coalesce(sum(quantity), 0) from delivered_item")
                        .query(Long.class)
                        .single())
                .isOne();
        // an order line and a receipt are bounded the same way
        assertStatus(
                () -> fleetManager.createPurchaseOrder(
                        OrderTestData.order("AC-2026-NEOGEND", Long.MAX_VALUE, 2026, 12, 1)),
                Status.Code.INVALID_ARGUMENT,
                "order.lines[0].quantity: must be at most 10000000");
    }

    @Test
    void aDeviceAlreadyInTheFleetIsRefusedOnItsLineAndNothingIsRecorded() {
        String order = acknowledgedOrder();
        IN_FLEET.add(device(2).getImei());
        StatusRuntimeException e =
                GrpcAssertions.failure(() -> supplier.createDelivery(note(order, "BL-SUP-0020", device(1), device(2))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .contains("delivery.devices[1].imei: is in the fleet already")
                .doesNotContain("devices[0]");
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isZero();
        // the supplier's own token asked inventory, and the clean line alone goes through
        assertThat(LOOKUP_TOKENS)
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t).isNotEqualTo("Bearer " + fleetManagerToken));
        supplier.createDelivery(note(order, "BL-SUP-0021", device(1)));
        assertThat(jdbc.sql("select count(*) from delivery").query(Long.class).single())
                .isOne();
    }

    @Test
    void aDeliveryWaitsForAcknowledgementAndReceptionWaitsForInventory() throws Exception {
        String number = fleetManager
                .createPurchaseOrder(OrderTestData.order("AC-2026-NEOGEND", 1, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(number).build());
        jdbc.sql("update purchase_order set state = 'SENT' where number = ?")
                .param(number)
                .update();
        assertStatus(
                () -> supplier.createDelivery(note(number, "BL-SUP-0100", device(9))),
                Status.Code.FAILED_PRECONDITION,
                "is SENT; deliveries are posted once it is ACKNOWLEDGED");
        supplier.acknowledgePurchaseOrder(
                AcknowledgePurchaseOrderRequest.newBuilder().setNumber(number).build());
        Delivery posted =
                supplier.createDelivery(note(number, "BL-SUP-0100", device(9))).getDelivery();

        inventory.shutdownNow().awaitTermination();
        StatusRuntimeException down = GrpcAssertions.failure(() -> fleetManager.receiveDelivery(
                ReceiveDeliveryRequest.newBuilder().setId(posted.getId()).build()));
        assertThat(down.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
        assertThat(state(number)).isEqualTo(OrderState.ORDER_STATE_ACKNOWLEDGED);
        inventory = startInventory();
        fleetManager.receiveDelivery(
                ReceiveDeliveryRequest.newBuilder().setId(posted.getId()).build());
        assertThat(state(number)).isEqualTo(OrderState.ORDER_STATE_DELIVERED);
    }

    /**
     * Two fleet managers receive the two devices of one delivery at the same moment, each its own
     * device. The delivery and its order are two views of one figure: once both answered, every device
     * is received, so the delivery must be RECEIVED and the order (2 packs, all in that delivery)
     * DELIVERED — never one complete and the other partial. Several rounds.
     */
    @Test
    void twoManagersReceivingPartsOfOneDeliveryAtOnceLeaveItAndItsOrderAgreeing() throws Exception {
        var other = clients.as(
                TestTokens.user("other.fleet.manager", "fleet-manager", "GN"), OrderServiceGrpc::newBlockingStub);
        for (int round = 0; round < 4; round++) {
            String number = fleetManager
                    .createPurchaseOrder(OrderTestData.order("AC-2026-NEOGEND", 2, 2026, 12, 1))
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
            supplier.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                    .setNumber(number)
                    .build());
            var a = device(100 + 2 * round);
            var b = device(101 + 2 * round);
            Delivery posted = supplier.createDelivery(note(number, "BL-RACE-" + round, a, b))
                    .getDelivery();

            registrationsMeet = new java.util.concurrent.CyclicBarrier(2);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var first = pool.submit(() -> fleetManager.receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(posted.getId())
                        .addImeis(a.getImei())
                        .build()));
                var second = pool.submit(() -> other.receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                        .setId(posted.getId())
                        .addImeis(b.getImei())
                        .build()));
                first.get(30, java.util.concurrent.TimeUnit.SECONDS);
                second.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
                registrationsMeet = null;
            }

            Delivery after = fleetManager
                    .listDeliveries(ListDeliveriesRequest.newBuilder()
                            .setOrderNumber(number)
                            .build())
                    .getDeliveries(0);
            assertThat(after.getDevicesList())
                    .as("round %d: every device received", round)
                    .allSatisfy(d -> assertThat(d.hasReceivedOn()).isTrue());
            assertThat(List.of(after.getState().name(), state(number).name()))
                    .as(
                            "round %d: the delivery, every device of it received, and its order, every line received",
                            round)
                    .containsExactly("DELIVERY_STATE_RECEIVED", "ORDER_STATE_DELIVERED");
        }
    }

    /**
     * Two fleet managers each receive a device and 2 of the 3 car chargers of one delivery at the same
     * moment: both were within what was left when each read the delivery, not together. One reception
     * goes through; the other is refused as a change to read again (ABORTED), never an internal error,
     * and nothing of it is recorded: 2 chargers received, one reception of them dated.
     */
    @Test
    void twoReceptionsOfTheSameItemsAtOnceNeverReceiveMoreThanDeliveredNorFailInternally() throws Exception {
        var other = clients.as(
                TestTokens.user("other.fleet.manager", "fleet-manager", "GN"), OrderServiceGrpc::newBlockingStub);
        String order = acknowledgedOrder(); // 2 smartphone packs, 3 car chargers
        var posted = note(order, "BL-RACE-ITEMS", device(1), device(2)).toBuilder();
        posted.getDeliveryBuilder()
                .addItems(DeliveredItem.newBuilder()
                        .setItemCode("ACC-CAR-CHARGER")
                        .setQuantity(3));
        String id = supplier.createDelivery(posted.build()).getDelivery().getId();

        registrationsMeet = new java.util.concurrent.CyclicBarrier(2);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Status.Code> codes = new CopyOnWriteArrayList<>();
        try {
            var calls = List.of(
                    pool.submit(
                            () -> receiveCounting(fleetManager, id, device(1).getImei(), codes)),
                    pool.submit(() -> receiveCounting(other, id, device(2).getImei(), codes)));
            for (var call : calls) {
                call.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            registrationsMeet = null;
        }
        assertThat(codes).containsExactlyInAnyOrder(Status.Code.OK, Status.Code.ABORTED);
        assertThat(jdbc.sql("select received_quantity from delivered_item where delivery_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from item_reception where delivery_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isOne();
        assertThat(jdbc.sql("select count(*) from delivered_device where delivery_id = ? and received_on is not null")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isOne();
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_PARTIALLY_DELIVERED);

        // the refused one reads again and receives what is left: its device (registered in inventory
        // already, nothing registered twice) and the last charger
        Delivery rest = fleetManager
                .receiveDelivery(ReceiveDeliveryRequest.newBuilder().setId(id).build())
                .getDelivery();
        assertThat(rest.getState()).isEqualTo(DeliveryState.DELIVERY_STATE_RECEIVED);
        assertThat(rest.getItems(0).getReceivedQuantity()).isEqualTo(3);
        assertThat(state(order)).isEqualTo(OrderState.ORDER_STATE_DELIVERED);
    }

    private static Void receiveCounting(OrderServiceBlockingStub as, String id, String imei, List<Status.Code> codes) {
        try {
            as.receiveDelivery(ReceiveDeliveryRequest.newBuilder()
                    .setId(id)
                    .addImeis(imei)
                    .addItems(DeliveredItem.newBuilder()
                            .setItemCode("ACC-CAR-CHARGER")
                            .setQuantity(2))
                    .build());
            codes.add(Status.Code.OK);
        } catch (StatusRuntimeException e) {
            codes.add(e.getStatus().getCode());
        }
        return null;
    }
}
