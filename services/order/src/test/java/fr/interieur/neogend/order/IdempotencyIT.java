package fr.interieur.neogend.order;

import com.google.rpc.ErrorInfo;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
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

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.order;
import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency-Key on creating calls (the kit's interceptor, on the order service's real database). */
@ServiceIT
class IdempotencyIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    @BeforeEach
    void connect() {
        OrderTestData.reset(jdbc);
        jdbc.sql("delete from idempotency_record").update();
        as(TestTokens.fleetManager(), null).createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
    }

    OrderServiceBlockingStub as(String token, String key) {
        var stub = clients.as(token, OrderServiceGrpc::newBlockingStub);
        if (key == null) {
            return stub;
        }
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    long orders() {
        return jdbc.sql("select count(*) from purchase_order").query(Long.class).single();
    }

    @Test
    void aRepeatReturnsTheFirstResultAndCreatesNothing() {
        var client = as(TestTokens.fleetManager(), "order-2026-11-29-a");
        PurchaseOrder first = client.createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                .getOrder();
        PurchaseOrder again = client.createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                .getOrder();
        assertThat(again).isEqualTo(first);
        assertThat(orders()).isEqualTo(1);

        // the same key with another request: refused, nothing created
        StatusRuntimeException e =
                GrpcAssertions.failure(() -> client.createPurchaseOrder(order("AC-2026-NEOGEND", 101, 2026, 12, 1)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(StatusProto.fromThrowable(e).getDetailsList()).anyMatch(d -> d.is(ErrorInfo.class));
        assertThat(orders()).isEqualTo(1);

        // keys belong to their client: another user's same key is another request
        var other = as(TestTokens.user("fleet.manager.2", "fleet-manager", "GN"), "order-2026-11-29-a");
        assertThat(other.createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .isNotEqualTo(first.getNumber());
        assertThat(orders()).isEqualTo(2);
        // without a key, every call creates
        as(TestTokens.fleetManager(), null).createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1));
        assertThat(orders()).isEqualTo(3);
    }

    /** A call made through another service: the user's token, that service's own as proof, and a key. */
    OrderServiceBlockingStub through(String service, String token, String key) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), key);
        return GrpcTestClients.withTokens(
                        OrderServiceGrpc.newBlockingStub(clients.channel()), token, TestTokens.peer(service))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    @Test
    void aKeyAServiceSendsOnItsUsersBehalfMeansOneRequestWhicheverUserItIsFor() {
        // accessories proposes an alert's draft under the key stock-alert-<id>; its answer lost, a second
        // fleet manager proposing again through it made a second draft (keys were per user)
        String second = TestTokens.user("fleet.manager.2", "fleet-manager", "GN");
        PurchaseOrder first = through("accessories", TestTokens.fleetManager(), "stock-alert-7")
                .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                .getOrder();
        assertThat(through("accessories", second, "stock-alert-7")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder())
                .isEqualTo(first);
        assertThat(orders()).isEqualTo(1);
        // the service's keys are its own: the same key from a user directly, or through another service, is
        // another request
        assertThat(as(second, "stock-alert-7")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .isNotEqualTo(first.getNumber());
        assertThat(through("training", second, "stock-alert-7")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .isNotEqualTo(first.getNumber());
        assertThat(orders()).isEqualTo(3);

        // a proof that does not hold is refused, never ignored (nothing created)
        for (String proof : List.of(
                TestTokens.fleetManager(),
                TestTokens.userOfClient("someone", "fleet-manager", "GN", "neogend-accessories"),
                TestTokens.expired(),
                TestTokens.foreignSigned(),
                "x")) {
            GrpcAssertions.assertStatus(
                    () -> GrpcTestClients.withTokens(OrderServiceGrpc.newBlockingStub(clients.channel()), second, proof)
                            .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1)),
                    Status.Code.PERMISSION_DENIED,
                    "x-neogend-peer-authorization");
        }
        assertThat(orders()).isEqualTo(3);
    }

    /**
     * Rule 15 (api.md, ProposeReplenishment: "never a second draft, whatever it asks for"): accessories asks for
     * an alert's draft under its own key {@code stock-alert-<id>}. Its answer lost, the alert proposed again a day
     * and more later came after the kit's 24 h retention had swept the key away: order made a second draft. A key
     * a service sends on its own behalf names its order for good; a user's own key still lasts 24 h.
     */
    @Test
    void aServicesKeyStillNamesItsDraftAfterTheKeysOfUsersAreForgotten() {
        PurchaseOrder first = through("accessories", TestTokens.fleetManager(), "stock-alert-11")
                .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                .getOrder();
        PurchaseOrder mine = as(TestTokens.fleetManager(), "my-own-order")
                .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                .getOrder();
        // 25 hours later, swept as the kit sweeps records older than its retention (neogend.idempotency.retention)
        jdbc.sql("update idempotency_record set created_at = created_at - interval '25 hours'")
                .update();
        jdbc.sql("delete from idempotency_record where created_at < now() - interval '24 hours'")
                .update();

        String second = TestTokens.user("fleet.manager.2", "fleet-manager", "GN");
        assertThat(through("accessories", second, "stock-alert-11")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .as("the alert proposed again after 25 hours")
                .isEqualTo(first.getNumber());
        assertThat(orders()).isEqualTo(2);
        // the service's key is still its own: the same key directly from a user is another request
        assertThat(as(second, "stock-alert-11")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .isNotEqualTo(first.getNumber());
        // and a user's key is forgotten after its 24 h, as documented
        assertThat(as(TestTokens.fleetManager(), "my-own-order")
                        .createPurchaseOrder(order("AC-2026-NEOGEND", 100, 2026, 12, 1))
                        .getOrder()
                        .getNumber())
                .isNotEqualTo(mine.getNumber());
        assertThat(orders()).isEqualTo(4);
    }

    @Test
    void aFailedCallFreesItsKeyAndARunningOneAnswersAborted() {
        var client = as(TestTokens.fleetManager(), "order-b");
        var bad = order("AC-2026-NEOGEND", 100, 2031, 1, 1); // outside the term
        assertThat(GrpcAssertions.failure(() -> client.createPurchaseOrder(bad))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(jdbc.sql("select count(*) from idempotency_record")
                        .query(Long.class)
                        .single())
                .isZero();

        // a first call whose outcome is not recorded yet (or never will be): repeats are told, not run
        var request = order("AC-2026-NEOGEND", 100, 2026, 12, 1);
        client.createPurchaseOrder(request);
        jdbc.sql("update idempotency_record set state = 'IN_FLIGHT', response = null")
                .update();
        StatusRuntimeException running = GrpcAssertions.failure(() -> client.createPurchaseOrder(request));
        assertThat(running.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(running.getStatus().getDescription()).contains("still running");
        jdbc.sql("update idempotency_record set created_at = now() - interval '10 minutes'")
                .update();
        StatusRuntimeException stale = GrpcAssertions.failure(() -> client.createPurchaseOrder(request));
        assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(stale.getStatus().getDescription()).contains("did not record its outcome");
        assertThat(orders()).isEqualTo(1);
    }

    @Test
    void concurrentRepeatsCreateOneOrder() throws Exception {
        var client = as(TestTokens.fleetManager(), "order-d");
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            outcomes.add(pool.submit((Callable<String>) () -> {
                start.await();
                try {
                    return client.createPurchaseOrder(order("AC-2026-NEOGEND", 7, 2026, 12, 1))
                            .getOrder()
                            .getNumber();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode().name();
                }
            }));
        }
        start.countDown();
        List<String> results = new ArrayList<>();
        for (Future<String> f : outcomes) {
            results.add(f.get());
        }
        pool.shutdown();
        assertThat(orders()).isEqualTo(1);
        String number = jdbc.sql("select number from purchase_order")
                .query(String.class)
                .single();
        assertThat(results)
                .allMatch(r -> r.equals(number) || r.equals("ABORTED"))
                .contains(number);
    }
}
