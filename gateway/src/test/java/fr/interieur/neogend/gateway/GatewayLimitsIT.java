package fr.interieur.neogend.gateway;

import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's limits and browser-facing hardening, with tight settings: 1 request a second and a
 * burst of 3 per client, a 1 KiB body limit, one allowed front-end origin.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "logging.structured.format.console=",
            "neogend.gateway.clock-skew=0s",
            "management.server.port=0",
            "neogend.gateway.rate-limit.requests-per-second=1",
            "neogend.gateway.rate-limit.burst=3",
            "neogend.gateway.max-body-bytes=1024",
            "neogend.gateway.cors.allowed-origins=https://console.neogend.example"
        })
class GatewayLimitsIT {

    static final HttpServer JWKS = StandIns.jwks(new AtomicInteger());
    static final Server INVENTORY = StandIns.inventory(new AtomicReference<Metadata>());
    static final String DEVICE = "/api/v1/devices/490154203237518";

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> TestTokens.ISSUER);
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/certs");
        registry.add("neogend.gateway.backends.inventory", () -> "localhost:" + INVENTORY.getPort());
    }

    @AfterAll
    static void stop() {
        INVENTORY.shutdownNow();
        JWKS.stop(0);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder get(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token);
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfterWhileOthersGoOn() throws Exception {
        String greedy = TestTokens.user("greedy.client", "auditor", "GN");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = send(get(DEVICE, greedy));
            statuses.add(r.statusCode());
            if (r.statusCode() == 429 && refused == null) {
                refused = r;
            }
        }
        assertThat(statuses.subList(0, 3)).containsOnly(200);
        assertThat(statuses).contains(429);
        assertThat(refused.headers().firstValue("Retry-After"))
                .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(refused.body())
                .contains("\"status\":429")
                .contains("\"code\":\"RESOURCE_EXHAUSTED\"")
                .contains("retry after");
        // another client has its own bucket
        assertThat(send(get(DEVICE, TestTokens.user("patient.client", "auditor", "GN")))
                        .statusCode())
                .isEqualTo(200);
        // after the wait it said, the greedy one may go on
        Thread.sleep(
                Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()) * 1000L + 100);
        assertThat(send(get(DEVICE, greedy)).statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIs413AndNeverReachesTheService() throws Exception {
        String big = "{\"device\":{\"imei\":\"490154203237518\",\"model\":\"" + "x".repeat(2000) + "\"}}";
        var r = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/devices"))
                .header("Authorization", "Bearer " + TestTokens.user("big.body", "fleet-manager", "GN"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("PAYLOAD_TOO_LARGE").doesNotContain("Exception");
    }

    @Test
    void aBodyOverTheLimitSentInChunksIsA413ProblemOnEveryRouteDownloadsIncluded() throws Exception {
        String token = TestTokens.user("chunked.body", "fleet-manager", "GN");
        String big = "{\"x\":\"" + "x".repeat(4000) + "\"}";
        for (String path : new String[] {
            "/api/v1/agreements/AC-1/statements/2026/11:detail", // a download, streamed from the service
            DEVICE
        }) {
            // no Content-Length: the body comes in chunks, so the limit is met while it is read
            var r = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method("GET", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(big))));
            assertThat(r.statusCode()).as(path).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type")).as(path).contains("application/problem+json");
            assertThat(r.body()).as(path).contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
        }
    }

    @Test
    void onlyTheConfiguredFrontEndOriginGetsCorsAnswers() throws Exception {
        var allowed = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + DEVICE))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://console.neogend.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization"));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
                .contains("https://console.neogend.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods"))
                .hasValueSatisfying(m -> assertThat(m).contains("GET"));

        var stranger = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + DEVICE))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET"));
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // an actual cross-origin call from elsewhere is refused too, even with a valid token
        var call = send(
                get(DEVICE, TestTokens.user("cors.caller", "auditor", "GN")).header("Origin", "https://evil.example"));
        assertThat(call.statusCode()).isEqualTo(403);
    }

    @Test
    void answersCarrySecurityHeaders() throws Exception {
        var r = send(get(DEVICE, TestTokens.user("headers.reader", "auditor", "GN")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(r.headers().firstValue("Content-Security-Policy"))
                .contains("default-src 'none'; frame-ancestors 'none'");
        assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(r.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(c -> assertThat(c).contains("no-store"));
        var refused = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + DEVICE)));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }
}
