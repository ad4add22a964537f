package fr.interieur.neogend.order;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CancelPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ExchangeRequest;
import fr.interieur.neogend.order.v1.ExchangeRequestState;
import fr.interieur.neogend.order.v1.GetPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ListExchangeRequestsRequest;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.OrderState;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeRequest;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Approved orders reach the supplier (rule 6) through the outbox, the OpenFeign client and
 * Resilience4j, against a WireMock supplier that is down, slow, answers 409 or refuses: nothing is
 * lost, nothing is received twice, every attempt carries the same Idempotency-Key.
 */
@ServiceIT
class SupplierIntakeIT {

    static final WireMockServer SUPPLIER = new WireMockServer(options().dynamicPort());

    static {
        SUPPLIER.start();
    }

    static final int INVENTORY_PORT = TestPorts.free();
    /** The devices the inventory stand-in knows, by IMEI: GetDevice answers them, NOT_FOUND otherwise. */
    static final Map<String, Device> FLEET = new ConcurrentHashMap<>();

    static final Server INVENTORY;

    static {
        try {
            INVENTORY = Grpc.newServerBuilderForPort(INVENTORY_PORT, InsecureServerCredentials.create())
                    .addService(new InventoryServiceGrpc.InventoryServiceImplBase() {
                        @Override
                        public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> out) {
                            Device d = FLEET.get(request.getImei());
                            if (d == null) {
                                out.onError(Status.NOT_FOUND
                                        .withDescription("no device " + request.getImei())
                                        .asRuntimeException());
                                return;
                            }
                            out.onNext(
                                    GetDeviceResponse.newBuilder().setDevice(d).build());
                            out.onCompleted();
                        }
                    })
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A device of the fleet, in a pack leased under an agreement. */
    static Device inPack(String imei, DeviceState state, String agreementId) {
        return Device.newBuilder()
                .setImei(imei)
                .setModel("Rugged X5")
                .setState(state)
                .setPackId("PK-" + imei.substring(9))
                .setAgreementId(agreementId)
                .build();
    }

    @DynamicPropertySource
    static void supplier(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
        registry.add("neogend.inventory.deadline", () -> "5s");
        registry.add("neogend.supplier.url", () -> "http://localhost:" + SUPPLIER.port() + "/api");
        registry.add("neogend.supplier.poll-interval", () -> "100ms");
        registry.add("neogend.supplier.max-backoff", () -> "300ms");
        // above what a loaded machine adds to an answer (a 201 cut at the limit is sent again: two receipts), below
        // the 4 s of the slow supplier's answers (a floor: they always pass it)
        registry.add("neogend.supplier.time-limit", () -> "3s");
        registry.add("neogend.supplier.retry.wait", () -> "50ms");
        registry.add("neogend.supplier.circuit-breaker.open-for", () -> "500ms");
    }

    @AfterAll
    static void stopSupplier() {
        SUPPLIER.stop();
        INVENTORY.shutdownNow();
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        SUPPLIER.resetAll();
        FLEET.clear();
        OrderTestData.reset(jdbc);
        jdbc.sql("delete from supplier_outbox").update();
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
    }

    /** The supplier's next answers: the newest stub wins, so there is never a moment without one (a 404). */
    void supplierAnswers(int status, int delayMillis) {
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/orders"))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withFixedDelay(delayMillis)
                        .withBody(
                                status == 201
                                        ? "{\"supplierReference\":\"CMD-1\",\"receivedAt\":\"2026-11-29T10:00:00Z\"}"
                                        : "{\"error\":\"status " + status + "\"}")));
    }

    String approved(long phones) {
        PurchaseOrder o = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", phones, 2026, 12, 1))
                .getOrder();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(o.getNumber()).build());
        fleetManager.approvePurchaseOrder(ApprovePurchaseOrderRequest.newBuilder()
                .setNumber(o.getNumber())
                .build());
        return o.getNumber();
    }

    PurchaseOrder read(String number) {
        return fleetManager
                .getPurchaseOrder(
                        GetPurchaseOrderRequest.newBuilder().setNumber(number).build())
                .getOrder();
    }

    /**
     * The orders the supplier was sent in this test. A relay pass of the test before may still be sending one of
     * its orders when the next test starts (its last attempts then land in the cleared journal): those are not
     * counted, their orders are gone from the database.
     */
    List<LoggedRequest> calls() {
        List<String> orders = jdbc.sql("select number from purchase_order")
                .query(String.class)
                .list();
        return SUPPLIER.findAll(postRequestedFor(urlPathEqualTo("/api/orders"))).stream()
                .filter(r -> orders.contains(r.getHeader("Idempotency-Key")))
                .toList();
    }

    @Test
    void theRunbooksSupplierOutboxQueryRunsAndCountsWhatWaits() throws Exception {
        String runbook =
                java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("neogend.root", "../.."))
                        .resolve("docs/operations.md"));
        var blocks = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(runbook);
        java.util.List<String> queries = new java.util.ArrayList<>();
        while (blocks.find()) {
            if (blocks.group(1).contains("supplier_outbox")) {
                queries.add(blocks.group(1).trim());
            }
        }
        assertThat(queries).hasSize(1);
        supplierAnswers(503, 0);
        approved(10);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        java.util.List<java.util.Map<String, Object>> rows;
        do {
            Thread.sleep(100);
            rows = jdbc.sql(queries.get(0).replaceAll(";$", "")).query().listOfRows();
            assertThat(System.nanoTime())
                    .as("the waiting order in the runbook's query")
                    .isLessThan(until);
            // an attempt refused by the circuit breaker (opened by the failures of the tests before: one breaker for
            // the class) records "circuit breaker open…": the order still waits, its 503 comes at the next try
        } while (rows.isEmpty()
                || rows.get(0).get("last_error") == null
                || !rows.get(0).get("last_error").toString().contains("503"));
        assertThat(rows.get(0)).containsEntry("kind", "ORDER").containsEntry("count", 1L);
        assertThat(rows.get(0).get("last_error").toString()).contains("503");
    }

    @Test
    void anOrderWaitsWhileTheSupplierIsDownThenArrivesExactlyOnce() throws Exception {
        supplierAnswers(503, 0);
        String number = approved(500);
        awaitTrue(() -> calls().size() >= 4, Duration.ofSeconds(20));
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        assertThat(jdbc.sql("select last_error from supplier_outbox where order_number = ?")
                        .param(number)
                        .query(String.class)
                        .single())
                .isNotBlank();

        supplierAnswers(201, 0);
        SUPPLIER.resetRequests();
        awaitTrue(() -> read(number).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        Thread.sleep(600); // a few more relay passes: nothing more is sent
        // delivered once: one attempt accepted (an attempt refused with 503 just before the switch may reach
        // the journal after its reset, as seen in a clean-clone run: it is counted by status, not by arrival)
        assertThat(SUPPLIER.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().startsWith("/api/orders"))
                        .filter(e -> e.getResponse().getStatus() == 201)
                        .count())
                .isEqualTo(1);
        SUPPLIER.verify(
                com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly(1),
                postRequestedFor(urlPathEqualTo("/api/orders"))
                        .withHeader("Idempotency-Key", equalTo(number))
                        .withRequestBody(matchingJsonPath("$.orderNumber", equalTo(number)))
                        .withRequestBody(matchingJsonPath("$.lines[0].itemCode", equalTo("PACK-SMARTPHONE-INDIVIDUAL")))
                        .withRequestBody(matchingJsonPath("$.lines[0].quantity", equalTo("500"))));
        PurchaseOrder sent = read(number);
        assertThat(sent.getTransitionsList().getLast().getActor()).isEqualTo("system:supplier-relay");
        assertThat(sent.getTransitionsList().getLast().getReason()).isEqualTo("supplier reference CMD-1");
    }

    @Test
    void aSlowSupplierIsCutOffAtTheTimeLimitAndRetriedWithTheSameKey() throws Exception {
        supplierAnswers(201, 4000);
        String number = approved(10);
        awaitTrue(() -> calls().size() >= 2, Duration.ofSeconds(20));
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        supplierAnswers(201, 0);
        awaitTrue(() -> read(number).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        // the slow calls and the one that succeeded: all the same order under the same key
        assertThat(calls())
                .hasSizeGreaterThan(2)
                .allMatch(r -> r.getHeader("Idempotency-Key").equals(number));
    }

    @Test
    void aDuplicateAnswerCountsAsReceivedAndARefusalStopsTheRetries() throws Exception {
        supplierAnswers(409, 0);
        String duplicate = approved(10);
        awaitTrue(() -> read(duplicate).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        assertThat(calls()).hasSize(1);

        supplierAnswers(422, 0);
        SUPPLIER.resetRequests();
        String refused = approved(10);
        awaitTrue(
                () -> jdbc.sql("select refused_at is not null from supplier_outbox where order_number = ?")
                        .param(refused)
                        .query(Boolean.class)
                        .single(),
                Duration.ofSeconds(20));
        Thread.sleep(600);
        assertThat(calls()).hasSize(1);
        assertThat(read(refused).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        assertThat(jdbc.sql("select last_error from supplier_outbox where order_number = ?")
                        .param(refused)
                        .query(String.class)
                        .single())
                .startsWith("HTTP 422");
    }

    @Test
    void anOrderCancelledBeforeItReachedTheSupplierIsNeverSent() throws Exception {
        supplierAnswers(503, 0);
        String number = approved(10);
        awaitTrue(() -> !calls().isEmpty(), Duration.ofSeconds(20));
        fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                .setNumber(number)
                .setReason("wrong delivery site")
                .build());
        supplierAnswers(201, 0);
        SUPPLIER.resetRequests();
        Thread.sleep(800);
        assertThat(calls()).isEmpty();
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);
    }

    @Test
    void anOrderCancelledAfterTheSupplierReceivedItIsNotifiedOnceThroughTheOutboxAndStaysVisibleToIt()
            throws Exception {
        supplierAnswers(201, 0);
        String number = approved(10);
        awaitTrue(() -> read(number).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        String path = "/api/orders/" + number + "/cancellation";
        SUPPLIER.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(503)));
        fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                .setNumber(number)
                .setReason("budget gelé")
                .build());
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);
        // the supplier is down: the cancellation waits in the outbox and is tried again, same key
        awaitTrue(() -> SUPPLIER.findAll(postRequestedFor(urlPathEqualTo(path))).size() >= 2, Duration.ofSeconds(20));
        supplierTakesCancellations(path, "ANN-1");
        awaitTrue(
                () -> jdbc.sql("select count(*) from supplier_outbox where delivered_at is null")
                                .query(Long.class)
                                .single()
                        == 0,
                Duration.ofSeconds(20));
        // every attempt carried the same key, the order and the reason
        assertThat(SUPPLIER.findAll(postRequestedFor(urlPathEqualTo(path))))
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(r -> {
                    assertThat(r.getHeader("Idempotency-Key")).isEqualTo(number + "-CANCELLATION");
                    assertThat(r.getBodyAsString()).contains(number).contains("budget gelé");
                });
        SUPPLIER.resetRequests();
        Thread.sleep(600);
        assertThat(SUPPLIER.findAll(postRequestedFor(urlPathEqualTo(path)))).isEmpty(); // delivered: no more calls
        var supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        assertThat(supplier.getPurchaseOrder(GetPurchaseOrderRequest.newBuilder()
                                .setNumber(number)
                                .build())
                        .getOrder()
                        .getState())
                .isEqualTo(OrderState.ORDER_STATE_CANCELLED);
    }

    @Test
    void aSupplierAcknowledgingAnOrderBeforeItsReceiptWasConfirmedAcknowledgesItAndItIsNotSentAgain() throws Exception {
        // the supplier records the order at once, but its answers come after the relay's time limit (3 s here):
        // its acknowledgement overtakes our record that it received the order
        supplierAnswers(201, 4000);
        String number = approved(10);
        awaitTrue(() -> !calls().isEmpty(), Duration.ofSeconds(20)); // the supplier has the order now
        var other = clients.as(TestTokens.supplier("SUP-X"), OrderServiceGrpc::newBlockingStub);
        GrpcAssertions.assertStatus(
                () -> other.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                        .setNumber(number)
                        .build()),
                Status.Code.NOT_FOUND,
                "no purchase order");
        var supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        PurchaseOrder acknowledged = supplier.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                        .setNumber(number)
                        .setSupplierReference("CMD-77")
                        .build())
                .getOrder();
        assertThat(acknowledged.getState()).isEqualTo(OrderState.ORDER_STATE_ACKNOWLEDGED);
        // every transition recorded, SENT included, with who
        assertThat(acknowledged.getTransitionsList())
                .extracting(t -> t.getToState())
                .containsExactly(
                        OrderState.ORDER_STATE_DRAFT,
                        OrderState.ORDER_STATE_SUBMITTED,
                        OrderState.ORDER_STATE_APPROVED,
                        OrderState.ORDER_STATE_SENT,
                        OrderState.ORDER_STATE_ACKNOWLEDGED);
        assertThat(acknowledged.getTransitionsList().get(3).getActor()).isNotBlank();
        // received, so never sent again
        assertThat(jdbc.sql("select delivered_at is not null from supplier_outbox where order_number = ?"
                                + " and kind = 'ORDER'")
                        .param(number)
                        .query(Boolean.class)
                        .single())
                .isTrue();
        // the same acknowledgement replayed changes nothing
        GrpcAssertions.assertStatus(
                () -> supplier.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                        .setNumber(number)
                        .setSupplierReference("CMD-77")
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "is ACKNOWLEDGED");
        assertThat(read(number).getTransitionsList()).hasSize(5);
    }

    @Test
    void anOrderTheSupplierRefusedOrNeverReceivedCannotBeAcknowledged() throws Exception {
        supplierAnswers(422, 0);
        String refused = approved(10);
        awaitTrue(() -> refused(refused), Duration.ofSeconds(20));
        var supplier = clients.as(TestTokens.supplier("SUP-DEMO"), OrderServiceGrpc::newBlockingStub);
        GrpcAssertions.assertStatus(
                () -> supplier.acknowledgePurchaseOrder(AcknowledgePurchaseOrderRequest.newBuilder()
                        .setNumber(refused)
                        .build()),
                Status.Code.NOT_FOUND,
                "no purchase order");
        assertThat(read(refused).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
    }

    @Test
    void aSupplierReferenceLongerThanWeKeepNeitherStopsItsOrderNorTheOnesQueuedBehindIt() throws Exception {
        supplierAnswers(201, 0);
        String first = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", 10, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(first).build());
        // the contract sets no length to the supplier's reference: this supplier's is 300 characters, with a
        // line break, and it answers each repeat as the first time
        String reference = "CMD-" + "7".repeat(150) + "\n" + "8".repeat(145);
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/orders"))
                .withRequestBody(matchingJsonPath("$.orderNumber", equalTo(first)))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"supplierReference\":\"" + reference.replace("\n", "\\n")
                                + "\",\"receivedAt\":\"2026-11-29T10:00:00Z\"}")));
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(first).build());
        String behind = approved(10);

        awaitTrue(
                () -> read(first).getState() == OrderState.ORDER_STATE_SENT
                        && read(behind).getState() == OrderState.ORDER_STATE_SENT,
                Duration.ofSeconds(20));
        // the reference kept as plain text, cut to what is stored
        String kept = read(first).getTransitionsList().getLast().getReason();
        assertThat(kept).startsWith("supplier reference CMD-777").doesNotContain("\n");
        assertThat(read(behind).getTransitionsList().getLast().getReason()).isEqualTo("supplier reference CMD-1");
    }

    @Test
    void aRefusalWithABinaryBodyIsKeptAndTheOrdersQueuedBehindItStillGo() throws Exception {
        supplierAnswers(201, 0);
        String first = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", 10, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(first).build());
        // a proxy's compressed error page, or a supplier's binary dump: a refusal whose body holds NUL bytes
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/orders"))
                .withRequestBody(matchingJsonPath("$.orderNumber", equalTo(first)))
                .willReturn(aResponse().withStatus(422).withBody(new byte[] {
                    0x1f, (byte) 0x8b, 0x08, 0x00, 0x00, 'r', 'e', 'f', 'u', 's', 'e', 'd'
                })));
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(first).build());
        String behind = approved(10);

        awaitTrue(
                () -> refused(first) && read(behind).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        assertThat(jdbc.sql("select last_error from supplier_outbox where order_number = ?")
                        .param(first)
                        .query(String.class)
                        .single())
                .startsWith("HTTP 422")
                .contains("refused");
        assertThat(read(first).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
    }

    @Test
    void aTwoHundredAnswerIsReceivedWhateverItsBody() throws Exception {
        // 2xx is received (partner guide §7), even when the body is not the contract's receipt
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/orders"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "text/plain")
                        .withBody("received, thank you")));
        String plain = approved(10);
        awaitTrue(() -> read(plain).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        SUPPLIER.stubFor(
                post(urlPathEqualTo("/api/orders")).willReturn(aResponse().withStatus(202)));
        String empty = approved(10);
        awaitTrue(() -> read(empty).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/orders"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"supplierReference\":")));
        String broken = approved(10);
        awaitTrue(() -> read(broken).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
    }

    List<LoggedRequest> cancellations(String number) {
        return SUPPLIER.findAll(postRequestedFor(urlPathEqualTo("/api/orders/" + number + "/cancellation")));
    }

    /** The outbox's error of the order's last attempt (the order's own message, not its cancellation). */
    String lastError(String number) {
        return jdbc.sql(
                        "select coalesce(last_error, '') from supplier_outbox where order_number = ? and kind = 'ORDER'")
                .param(number)
                .query(String.class)
                .single();
    }

    boolean refused(String number) {
        return jdbc.sql(
                        "select coalesce(bool_or(refused_at is not null), false) from supplier_outbox where order_number = ?")
                .param(number)
                .query(Boolean.class)
                .single();
    }

    @Test
    void anOrderCancelledAfterASendThatTimedOutIsCancelledAtTheSupplierToo() throws Exception {
        // the supplier records the order at once but answers after the relay's time limit (3 s here)
        supplierAnswers(201, 4000);
        String number = approved(10);
        supplierTakesCancellations("/api/orders/" + number + "/cancellation", "ANN-3");
        awaitTrue(() -> !calls().isEmpty(), Duration.ofSeconds(20)); // the supplier has the order now
        PurchaseOrder cancelled = fleetManager
                .cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                        .setNumber(number)
                        .setReason("livraison annulée")
                        .build())
                .getOrder();
        assertThat(cancelled.getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);
        supplierAnswers(201, 0); // the supplier answers normally again

        // the supplier may hold the order: it is told of the cancellation, under the cancellation's key
        awaitTrue(() -> !cancellations(number).isEmpty(), Duration.ofSeconds(20));
        assertThat(cancellations(number)).allSatisfy(r -> {
            assertThat(r.getHeader("Idempotency-Key")).isEqualTo(number + "-CANCELLATION");
            assertThat(r.getBodyAsString()).contains("livraison annulée");
        });
        awaitTrue(
                () -> jdbc.sql("select count(*) from supplier_outbox where delivered_at is null")
                                .query(Long.class)
                                .single()
                        == 0,
                Duration.ofSeconds(20));
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);
    }

    @Test
    void aSupplierAnswering404Or401IsRetriedUntilItTakesTheOrderAndItsCancellation() throws Exception {
        // a proxy or a supplier being redeployed answers 404, then 401: not the supplier refusing the order
        supplierAnswers(404, 0);
        String number = approved(10);
        awaitTrue(() -> calls().size() >= 2 || refused(number), Duration.ofSeconds(20));
        assertThat(refused(number))
                .as("order %s refused for good after a 404", number)
                .isFalse();
        supplierAnswers(401, 0);
        SUPPLIER.resetRequests();
        // a pass that met the 401 is over, its outcome recorded: two 401s in the journal are not enough (they are
        // logged as they arrive, before their pass commits; the last attempt of the pass before may have met the
        // 404 and left the outbox's error at that while the next pass is under way)
        awaitTrue(
                () -> refused(number)
                        || (calls().size() >= 2 && lastError(number).startsWith("HTTP 401")),
                Duration.ofSeconds(20));
        assertThat(refused(number))
                .as("order %s refused for good after a 401", number)
                .isFalse();
        assertThat(read(number).getState()).isEqualTo(OrderState.ORDER_STATE_APPROVED);
        supplierAnswers(201, 0);
        awaitTrue(() -> read(number).getState() == OrderState.ORDER_STATE_SENT, Duration.ofSeconds(20));
        assertThat(calls()).allMatch(r -> r.getHeader("Idempotency-Key").equals(number));

        // the cancellation of the order it received: a 404 is retried too, never dropped
        String path = "/api/orders/" + number + "/cancellation";
        SUPPLIER.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(404)));
        fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                .setNumber(number)
                .setReason("budget gelé")
                .build());
        awaitTrue(() -> cancellations(number).size() >= 2 || refused(number), Duration.ofSeconds(20));
        assertThat(refused(number))
                .as("cancellation of %s dropped after a 404", number)
                .isFalse();
        supplierTakesCancellations(path, "ANN-4");
        awaitTrue(
                () -> jdbc.sql("select count(*) from supplier_outbox where delivered_at is null")
                                .query(Long.class)
                                .single()
                        == 0,
                Duration.ofSeconds(20));
        assertThat(jdbc.sql(
                                "select supplier_reference from supplier_outbox where order_number = ? and kind = 'CANCELLATION'")
                        .param(number)
                        .query(String.class)
                        .single())
                .isEqualTo("ANN-4");
    }

    /** Whether the relay holds the order's outbox row: sending it now, its transaction still open. */
    boolean relaySending(String number) {
        return jdbc.sql("""
                        select exists (select 1 from supplier_outbox where order_number = ? and kind = 'ORDER'
                                       and delivered_at is null)
                           and not exists (select 1 from supplier_outbox where order_number = ? and kind = 'ORDER'
                                           and delivered_at is null for update skip locked)""").params(number, number).query(Boolean.class).single();
    }

    @Test
    void anOrderCancelledWhileTheRelayIsSendingItIsCancelledAndTheSupplierIsToldWithoutADeadlock() throws Exception {
        // the supplier takes 0.7 s to accept (within the relay's time limit): the relay holds the order's
        // outbox row all that time, then marks the order SENT
        supplierAnswers(201, 700);
        String number = approved(10);
        String path = "/api/orders/" + number + "/cancellation";
        supplierTakesCancellations(path, "ANN-2");
        awaitTrue(() -> relaySending(number), Duration.ofSeconds(20));

        // cancelled during the send: never a deadlock (nor any error) for the caller
        PurchaseOrder cancelled = fleetManager
                .cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                        .setNumber(number)
                        .setReason("commande en double")
                        .build())
                .getOrder();
        assertThat(cancelled.getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);

        // the supplier accepted the order, so it must be told of the cancellation, once, under its key
        awaitTrue(
                () -> !SUPPLIER.findAll(postRequestedFor(urlPathEqualTo(path))).isEmpty(), Duration.ofSeconds(20));
        assertThat(SUPPLIER.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().equals("/api/orders"))
                        .filter(e -> e.getResponse().getStatus() == 201)
                        .count())
                .isEqualTo(1);
        assertThat(SUPPLIER.findAll(postRequestedFor(urlPathEqualTo(path))))
                .allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo(number + "-CANCELLATION"));
        PurchaseOrder after = read(number);
        assertThat(after.getState()).isEqualTo(OrderState.ORDER_STATE_CANCELLED);
        assertThat(after.getTransitionsList())
                .extracting(t -> t.getToState())
                .containsSubsequence(OrderState.ORDER_STATE_SENT, OrderState.ORDER_STATE_CANCELLED);
    }

    void supplierAnswersExchanges(int status) {
        SUPPLIER.stubFor(post(urlPathEqualTo("/api/exchange-requests"))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(
                                status == 201
                                        ? "{\"supplierReference\":\"ECH-7\",\"receivedAt\":\"2026-11-29T10:00:00Z\"}"
                                        : "{\"error\":\"status " + status + "\"}")));
    }

    ExchangeRequest exchangeRequested(OrderServiceBlockingStub as, String imei) {
        return as.requestDeviceExchange(RequestDeviceExchangeRequest.newBuilder()
                        .setExchangeRequest(ExchangeRequest.newBuilder()
                                .setImei(imei)
                                .setModel("Rugged X5")
                                .setReason("mainboard dead")
                                .setRepairReference("RP-000001"))
                        .build())
                .getExchangeRequest();
    }

    ExchangeRequest exchange(String imei) {
        return fleetManager
                .listExchangeRequests(
                        ListExchangeRequestsRequest.newBuilder().setImei(imei).build())
                .getExchangeRequests(0);
    }

    @Test
    void anExchangeRequestWaitsForTheSupplierThenArrivesOnceAndARefusalAllowsANewOne() throws Exception {
        supplierAnswersExchanges(503);
        var technician = clients.as(TestTokens.technician("GN-RBRE"), OrderServiceGrpc::newBlockingStub);
        String imei = "352990110000011";
        FLEET.put(imei, inPack(imei, DeviceState.DEVICE_STATE_IN_REPAIR, "AC-2026-NEOGEND"));
        int yearBefore =
                java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")).getYear();
        ExchangeRequest asked = exchangeRequested(technician, imei);
        int yearAfter =
                java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")).getYear();
        // numbered in the Paris year it was asked (the test runs any day, a New Year's midnight too)
        assertThat(asked.getNumber()).matches("EX-(" + yearBefore + "|" + yearAfter + ")-\\d{6}");
        assertThat(asked.getAgreementId()).isEqualTo("AC-2026-NEOGEND"); // its pack's
        assertThat(asked.getState()).isEqualTo(ExchangeRequestState.EXCHANGE_REQUEST_STATE_REQUESTED);
        assertThat(asked.getRequestedBy()).isEqualTo("technician");
        GrpcAssertions.assertStatus(
                () -> exchangeRequested(technician, imei),
                Status.Code.ALREADY_EXISTS,
                "an exchange of device " + imei + " is requested already");
        GrpcAssertions.assertStatus(
                () -> exchangeRequested(technician, "352990110000012"),
                Status.Code.INVALID_ARGUMENT,
                "exchange_request.imei");
        GrpcAssertions.assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> exchangeRequested(clients.as(TestTokens.auditor(), OrderServiceGrpc::newBlockingStub), imei));
        // its own attempts: a relay pass of the test before may still post that test's exchange requests (answered
        // 404, no stub) into the journal cleared for this one
        awaitTrue(
                () -> SUPPLIER.findAll(postRequestedFor(urlPathEqualTo("/api/exchange-requests"))
                                        .withHeader("Idempotency-Key", equalTo(asked.getNumber())))
                                .size()
                        >= 2,
                Duration.ofSeconds(20));
        assertThat(exchange(imei).getState()).isEqualTo(ExchangeRequestState.EXCHANGE_REQUEST_STATE_REQUESTED);

        supplierAnswersExchanges(201);
        SUPPLIER.resetRequests();
        awaitTrue(
                () -> exchange(imei).getState() == ExchangeRequestState.EXCHANGE_REQUEST_STATE_SENT,
                Duration.ofSeconds(20));
        Thread.sleep(600);
        // delivered once: one attempt accepted (an attempt refused with 503 just before the switch may reach
        // the journal after its reset: it is counted by status, not by arrival)
        assertThat(SUPPLIER.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().startsWith("/api/exchange-requests"))
                        .filter(e -> e.getResponse().getStatus() == 201)
                        .count())
                .isEqualTo(1);
        SUPPLIER.verify(
                com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly(1),
                postRequestedFor(urlPathEqualTo("/api/exchange-requests"))
                        .withHeader("Idempotency-Key", equalTo(asked.getNumber()))
                        .withRequestBody(matchingJsonPath("$.imei", equalTo(imei)))
                        .withRequestBody(matchingJsonPath("$.agreementId", equalTo("AC-2026-NEOGEND")))
                        .withRequestBody(matchingJsonPath("$.repairReference", equalTo("RP-000001"))));
        assertThat(exchange(imei).getSupplierReference()).isEqualTo("ECH-7");

        // refused by the supplier: kept with its reason, and the device may be asked for again
        String other = "352990110000029";
        FLEET.put(other, inPack(other, DeviceState.DEVICE_STATE_ASSIGNED, "AC-2026-NEOGEND"));
        supplierAnswersExchanges(422);
        ExchangeRequest refused = exchangeRequested(technician, other);
        awaitTrue(
                () -> exchange(other).getState() == ExchangeRequestState.EXCHANGE_REQUEST_STATE_REFUSED,
                Duration.ofSeconds(20));
        assertThat(exchange(other).getRefusalReason()).startsWith("HTTP 422");
        assertThat(exchangeRequested(technician, other).getNumber()).isNotEqualTo(refused.getNumber());
    }

    @Test
    void withSeveralAgreementsInForceTheExchangeTakesTheAgreementOfTheDevicesPack() {
        fleetManager.createAgreement(create(agreement("AC-2027-SUCCESSOR", "SUP-DEMO", 140_000)));
        String old = "352990110000037";
        String successor = "352990110000045";
        FLEET.put(old, inPack(old, DeviceState.DEVICE_STATE_IN_REPAIR, "AC-2026-NEOGEND"));
        FLEET.put(successor, inPack(successor, DeviceState.DEVICE_STATE_IN_REPAIR, "AC-2027-SUCCESSOR"));
        assertThat(exchangeRequested(fleetManager, old).getAgreementId()).isEqualTo("AC-2026-NEOGEND");
        assertThat(exchangeRequested(fleetManager, successor).getAgreementId()).isEqualTo("AC-2027-SUCCESSOR");
        // naming another agreement than the pack's is refused, and nothing is queued for it
        String third = "352990110000052";
        FLEET.put(third, inPack(third, DeviceState.DEVICE_STATE_ASSIGNED, "AC-2026-NEOGEND"));
        GrpcAssertions.assertStatus(
                () -> fleetManager.requestDeviceExchange(RequestDeviceExchangeRequest.newBuilder()
                        .setExchangeRequest(ExchangeRequest.newBuilder()
                                .setImei(third)
                                .setAgreementId("AC-2027-SUCCESSOR")
                                .setReason("screen"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "leased under AC-2026-NEOGEND, not AC-2027-SUCCESSOR");
        assertThat(jdbc.sql("select count(*) from exchange_request where imei = ?")
                        .param(third)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aDeviceOutsideTheFleetOrTheCallersReachOrInAStateThatCannotLeaveIsNeverSentToTheSupplier() {
        // unknown to inventory, or outside the caller's reach (inventory answers NOT_FOUND for both)
        GrpcAssertions.assertStatus(
                () -> exchangeRequested(fleetManager, "352990110000011"),
                Status.Code.NOT_FOUND,
                "no device with IMEI 352990110000011");
        // a spare (no pack) and a returned device cannot be exchanged
        String spare = "352990110000037";
        FLEET.put(
                spare,
                Device.newBuilder()
                        .setImei(spare)
                        .setModel("Rugged X5")
                        .setState(DeviceState.DEVICE_STATE_IN_STOCK)
                        .build());
        GrpcAssertions.assertStatus(
                () -> exchangeRequested(fleetManager, spare), Status.Code.FAILED_PRECONDITION, "in no pack");
        String returned = "352990110000045";
        FLEET.put(returned, inPack(returned, DeviceState.DEVICE_STATE_RETURNED, "AC-2026-NEOGEND"));
        GrpcAssertions.assertStatus(
                () -> exchangeRequested(fleetManager, returned), Status.Code.FAILED_PRECONDITION, "is RETURNED");
        assertThat(jdbc.sql("select count(*) from supplier_outbox")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from exchange_request")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** From now on the supplier takes the cancellations posted to this path, answering this reference. */
    static void supplierTakesCancellations(String path, String reference) {
        SUPPLIER.stubFor(post(urlPathEqualTo(path))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"supplierReference\":\"" + reference
                                + "\",\"receivedAt\":\"2026-11-29T10:00:00Z\"}")));
    }
}
