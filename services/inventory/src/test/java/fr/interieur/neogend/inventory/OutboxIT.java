package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.AssignDeviceRequest;
import fr.interieur.neogend.inventory.v1.DeclareDeviceLossRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.LossKind;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
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
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transactional outbox: events reach a telemetry endpoint (a real gRPC server on a real port)
 * that is down at first and comes back later; nothing is lost and nothing is delivered twice.
 */
@ServiceIT
class OutboxIT {

    static final int RECEIVER_PORT = TestPorts.free();

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("neogend.outbox.telemetry-target", () -> "localhost:" + RECEIVER_PORT);
        registry.add("neogend.outbox.poll-interval", () -> "100ms");
        registry.add("neogend.outbox.max-backoff", () -> "400ms");
        registry.add("neogend.outbox.deadline", () -> "2s");
    }

    @TestConfiguration
    static class ServiceAccount {
        @Bean
        ServiceTokenSource serviceTokenSource() {
            return () -> Optional.of(TestTokens.service("inventory"));
        }
    }

    /** A stand-in for the telemetry service's endpoint: counts deliveries per event id, checks the caller. */
    static class Receiver extends TelemetryServiceGrpc.TelemetryServiceImplBase {
        final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        final Map<String, String> kinds = new ConcurrentHashMap<>();

        @Override
        public void recordInventoryEvent(
                RecordInventoryEventRequest request, StreamObserver<RecordInventoryEventResponse> response) {
            var e = request.getEvent();
            int n = deliveries
                    .computeIfAbsent(e.getEventId(), id -> new AtomicInteger())
                    .incrementAndGet();
            kinds.put(e.getEventId(), e.getImei() + ":" + e.getKind().name());
            response.onNext(RecordInventoryEventResponse.newBuilder()
                    .setAlreadyRecorded(n > 1)
                    .build());
            response.onCompleted();
        }
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;
    Server receiverServer;
    final Map<String, String> authorizations = new ConcurrentHashMap<>();

    @BeforeEach
    void connect() {
        fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    @AfterEach
    void disconnect() {
        if (receiverServer != null) {
            receiverServer.shutdownNow();
        }
    }

    Receiver startReceiver() throws IOException {
        Receiver receiver = new Receiver();
        receiverServer = Grpc.newServerBuilderForPort(RECEIVER_PORT, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(receiver, new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                            io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                        String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                        if (auth == null || !auth.startsWith("Bearer ")) {
                            call.close(Status.UNAUTHENTICATED, new Metadata());
                            return new io.grpc.ServerCall.Listener<>() {};
                        }
                        authorizations.put("last", auth);
                        return next.startCall(call, headers);
                    }
                }))
                .build()
                .start();
        return receiver;
    }

    @Test
    void eventsWaitWhileTheReceiverIsDownThenArriveOnceEach() throws Exception {
        for (int i = 1; i <= 6; i++) {
            fleetManager.registerDevice(register(phone(i, "GN-RBRE-GGD35")));
            fleetManager.assignDevice(AssignDeviceRequest.newBuilder()
                    .setImei(imei(i))
                    .setUnitCode("GN-RBRE-GGD35")
                    .setHolderAgentId("AG-" + i)
                    .build());
            fleetManager.declareDeviceLoss(DeclareDeviceLossRequest.newBuilder()
                    .setImei(imei(i))
                    .setKind(i % 2 == 0 ? LossKind.LOSS_KIND_STOLEN : LossKind.LOSS_KIND_LOST)
                    .setPoliceReportReference("PV-" + i)
                    .build());
        }
        // the receiver is down: attempts fail and are recorded, nothing is marked delivered
        awaitTrue(
                () -> jdbc.sql("select count(*) from outbox where attempts > 0 and last_error is not null")
                                .query(Long.class)
                                .single()
                        > 0,
                Duration.ofSeconds(20));
        assertThat(pending()).isEqualTo(6);

        Receiver receiver = startReceiver();
        awaitTrue(() -> pending() == 0, Duration.ofSeconds(30));
        assertThat(receiver.deliveries).hasSize(6);
        assertThat(receiver.deliveries.values()).allMatch(n -> n.get() == 1);
        assertThat(receiver.kinds.values())
                .contains(
                        imei(1) + ":INVENTORY_EVENT_KIND_DEVICE_LOST", imei(2) + ":INVENTORY_EVENT_KIND_DEVICE_STOLEN");
        // delivered under the service's own identity, never a user's
        String jwtPayload = new String(java.util.Base64.getUrlDecoder()
                .decode(authorizations.get("last").substring("Bearer ".length()).split("\\.")[1]));
        assertThat(jwtPayload).contains("service-account-neogend-inventory").contains("internal-service");
        List<String> ids = jdbc.sql("select event_id::text from outbox order by id")
                .query(String.class)
                .list();
        assertThat(receiver.deliveries.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aChangeThatRollsBackLeavesNoEvent() {
        fleetManager.registerDevice(register(phone(20, "GN-RBRE-GGD35")));
        // an illegal transition fails inside the transaction: neither the change nor an event is stored
        var refused = fr.interieur.neogend.testkit.GrpcAssertions.failure(
                () -> fleetManager.returnDevice(fr.interieur.neogend.inventory.v1.ReturnDeviceRequest.newBuilder()
                        .setImei(imei(20))
                        .build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(jdbc.sql("select count(*) from outbox").query(Long.class).single())
                .isZero();
    }

    private long pending() {
        return jdbc.sql("select count(*) from outbox where delivered_at is null")
                .query(Long.class)
                .single();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
