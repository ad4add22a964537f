package fr.interieur.neogend.kit.serviceaccount;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * OAuth2 client-credentials tokens from Keycloak, kept until 30 s before they expire. The secret is
 * read from configuration (a Kubernetes Secret in production) and never logged.
 */
public final class ClientCredentialsTokenSource implements ServiceTokenSource {

    private static final Logger log = LoggerFactory.getLogger(ClientCredentialsTokenSource.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI tokenUri;
    private final String clientId;
    private final String clientSecret;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Clock clock;
    private String token;
    private Instant refreshAt = Instant.MIN;
    private boolean warned;

    public ClientCredentialsTokenSource(URI tokenUri, String clientId, String clientSecret, Clock clock) {
        this.tokenUri = tokenUri;
        this.clientId = clientId;
        this.clientSecret = clientSecret == null ? "" : clientSecret;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<String> token() {
        if (clientSecret.isEmpty()) {
            if (!warned) {
                log.warn("no service account secret for client {}: calls on the service's own behalf wait", clientId);
                warned = true;
            }
            return Optional.empty();
        }
        if (token != null && clock.instant().isBefore(refreshAt)) {
            return Optional.of(token);
        }
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(tokenUri)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                log.warn("token endpoint {} refused client {}: HTTP {}", tokenUri, clientId, r.statusCode());
                return Optional.empty();
            }
            JsonNode body = JSON.readTree(r.body());
            token = body.path("access_token").asString();
            long lifetime = body.path("expires_in").asLong(60);
            refreshAt = clock.instant().plusSeconds(Math.max(5, lifetime - 30));
            return Optional.of(token);
        } catch (IOException e) {
            log.warn("token endpoint {} unreachable: {}", tokenUri, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
