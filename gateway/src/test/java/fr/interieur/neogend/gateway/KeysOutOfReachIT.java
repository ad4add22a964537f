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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keycloak's signing keys out of reach (Keycloak down, restarting, answering 5xx) when the gateway must
 * check a token: the caller is told to retry (503, Retry-After), never refused as if its token were bad
 * nor answered an internal error, and nothing reaches a service. Seen in a loaded system-test run: the
 * keys' fetch timed out and the gateway answered a 500 with Spring's own error body.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"logging.structured.format.console=", "management.server.port=0"})
class KeysOutOfReachIT {

    static final AtomicBoolean KEYCLOAK_DOWN = new AtomicBoolean(true);
    static final HttpServer JWKS = jwks();
    static final AtomicReference<Metadata> REACHED = new AtomicReference<>();
    static final Server INVENTORY = StandIns.inventory(REACHED);

    /** Keycloak's certs endpoint, answering 503 while {@link #KEYCLOAK_DOWN}. */
    static HttpServer jwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/certs", exchange -> {
                byte[] body = KEYCLOAK_DOWN.get()
                        ? "<html>503 Service Unavailable</html>".getBytes(StandardCharsets.UTF_8)
                        : TestTokens.jwks().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .set("Content-Type", KEYCLOAK_DOWN.get() ? "text/html" : "application/json");
                exchange.sendResponseHeaders(KEYCLOAK_DOWN.get() ? 503 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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

    HttpResponse<String> device(String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/devices/490154203237518"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenThatCannotBeCheckedForWantOfKeysIsA503ToRetryAndReachesNoServiceUntilTheKeysAreBack() throws Exception {
        String token = TestTokens.user("keys.waiting", "auditor", "GN");
        var refused = device(token);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(refused.headers().firstValue("Retry-After")).contains("5");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(refused.body()).contains("\"code\":\"UNAVAILABLE\"").contains("retry later");
        assertThat(REACHED.get()).as("nothing reached the service").isNull();

        // Keycloak is back: the same token is taken once the gateway tries the keys again (at most every 2 s
        // while it has none: RateLimitedJwkSource), told to retry until then
        KEYCLOAK_DOWN.set(false);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> served = device(token);
        while (served.statusCode() == 503 && System.nanoTime() < until) {
            Thread.sleep(250);
            served = device(token);
        }
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(REACHED.get()).isNotNull();
    }
}
