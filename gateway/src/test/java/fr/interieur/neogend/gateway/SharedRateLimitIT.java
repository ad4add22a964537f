package fr.interieur.neogend.gateway;

import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.gateway.web.ClientRateLimit;
import fr.interieur.neogend.gateway.web.RedisRateLimit;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas sharing one Redis (issue 21, ADR 0024): a client's budget is the cluster's, not each
 * replica's; Redis killed, each replica limits on its own and nothing fails; Redis back, the budget is
 * shared again. Real Redis (Debian's redis-server, started and stopped here), two real gateways.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRateLimitIT {

    static final HttpServer JWKS = StandIns.jwks(new AtomicInteger());
    static final Server INVENTORY = StandIns.inventory(new AtomicReference<Metadata>());
    static final String DEVICE = "/api/v1/devices/490154203237518";

    static RedisProcess redis;
    static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        for (int i = 0; i < 2; i++) {
            // as command-line arguments: they win over the gateway's application.yml
            replicas.add(new SpringApplicationBuilder(GatewayApplication.class)
                    .run(
                            "--server.port=0",
                            "--management.server.port=0",
                            "--logging.structured.format.console=",
                            "--neogend.gateway.clock-skew=0s",
                            // a burst of 3, then one request every 20 s: nothing refills during a test
                            "--neogend.gateway.rate-limit.requests-per-second=0.05",
                            "--neogend.gateway.rate-limit.burst=3",
                            "--neogend.gateway.rate-limit.redis-url=" + redis.url(),
                            "--spring.security.oauth2.resourceserver.jwt.issuer-uri=" + TestTokens.ISSUER,
                            "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:"
                                    + JWKS.getAddress().getPort() + "/certs",
                            "--neogend.gateway.backends.inventory=localhost:" + INVENTORY.getPort()));
        }
        awaitShared(true);
    }

    @AfterAll
    static void stop() throws Exception {
        replicas.forEach(ConfigurableApplicationContext::close);
        if (redis != null) {
            redis.close();
        }
        INVENTORY.shutdownNow();
        JWKS.stop(0);
    }

    static void awaitShared(boolean connected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a new attempt every 5 s
        while (replicas.stream()
                .anyMatch(r -> ((RedisRateLimit) r.getBean(ClientRateLimit.class)).connected() != connected)) {
            assertThat(System.nanoTime())
                    .as("replicas connected to Redis: " + connected)
                    .isLessThan(until);
            Thread.sleep(50);
        }
    }

    static int status(int replica, String token) throws Exception {
        int port = ((WebServerApplicationContext) replicas.get(replica))
                .getWebServer()
                .getPort();
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + DEVICE))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Alternating between the two replicas, six requests of one client: 3 pass in all, not 3 each. */
    static List<Integer> alternate(String token) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(status(i % 2, token));
        }
        return statuses;
    }

    @Test
    @Order(1)
    void twoReplicasShareOneBudget() throws Exception {
        assertThat(alternate(TestTokens.user("shared.client", "auditor", "GN")))
                .containsExactly(200, 200, 200, 429, 429, 429);
        // another client has its own budget, on either replica
        assertThat(status(1, TestTokens.user("other.client", "auditor", "GN"))).isEqualTo(200);
    }

    @Test
    @Order(2)
    void redisKilledEachReplicaLimitsOnItsOwnAndNothingFails() throws Exception {
        redis.stop();
        awaitShared(false);
        String token = TestTokens.user("alone.client", "auditor", "GN");
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(status(0, token));
            second.add(status(1, token));
        }
        // each replica's own budget of 3: as without Redis, never a 5xx
        assertThat(first).containsExactly(200, 200, 200, 429);
        assertThat(second).containsExactly(200, 200, 200, 429);
    }

    @Test
    @Order(3)
    void redisBackTheBudgetIsSharedAgain() throws Exception {
        redis.startAgain();
        awaitShared(true);
        assertThat(alternate(TestTokens.user("returning.client", "auditor", "GN")))
                .containsExactly(200, 200, 200, 429, 429, 429);
    }
}
