package fr.interieur.neogend.training.keycloakclient;

import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.training.technician.TechnicianDirectory;
import io.grpc.Status;
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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The realm's users read through Keycloak's admin API with the training service's own service
 * account (client {@code neogend-training}, whose service account holds realm-management's
 * {@code view-users} only: it reads users and their roles, changes nothing). A user is looked up by
 * exact user name, then its effective realm roles (groups and composites included). Answers are
 * kept for a short time (a few seconds to a minute; a bounded map), so a session's enrolments do
 * not ask Keycloak for every call, and a role granted or withdrawn is seen within that time.
 * Keycloak unreachable, refusing the account or answering 5xx: UNAVAILABLE, never "unknown".
 */
public final class KeycloakTechnicianDirectory implements TechnicianDirectory {

    private static final Logger log = LoggerFactory.getLogger(KeycloakTechnicianDirectory.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TECHNICIAN_ROLE = "technician";
    private static final int MAX_ENTRIES = 10_000;
    private static final String UNAVAILABLE =
            "the realm's users cannot be read now (Keycloak): nothing was recorded; " + "try again later";

    private record Entry(Answer answer, long expiresAt) {}

    private final URI adminRealm;
    private final ServiceTokenSource tokens;
    private final Duration ttl;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    /**
     * @param adminRealm the realm's admin API, e.g. {@code http://keycloak:8080/admin/realms/neogend}
     * @param ttl        how long an answer is kept
     */
    public KeycloakTechnicianDirectory(URI adminRealm, ServiceTokenSource tokens, Duration ttl, Duration timeout) {
        this.adminRealm = URI.create(adminRealm.toString().replaceAll("/+$", "") + "/");
        this.tokens = tokens;
        this.ttl = ttl;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Answer lookup(String username) {
        long now = System.nanoTime();
        Entry kept = cache.get(username);
        if (kept != null && now - kept.expiresAt() < 0) {
            return kept.answer();
        }
        Answer answer = ask(username);
        if (cache.size() >= MAX_ENTRIES) { // many distinct names (made-up ones included): start afresh
            cache.clear();
        }
        cache.put(username, new Entry(answer, now + ttl.toNanos()));
        return answer;
    }

    private Answer ask(String username) {
        String token = tokens.token().orElseThrow(() -> {
            log.warn("no token for the training service account: the realm's users cannot be read");
            return Status.UNAVAILABLE.withDescription(UNAVAILABLE).asRuntimeException();
        });
        JsonNode users = get(
                "users?exact=true&briefRepresentation=true&username="
                        + URLEncoder.encode(username, StandardCharsets.UTF_8),
                token);
        JsonNode user = null;
        for (JsonNode u : users) { // the very name: Keycloak keeps user names in lower case, "Technician" is not one
            if (u.path("username").asString().equals(username)) {
                user = u;
            }
        }
        if (user == null) {
            return Answer.UNKNOWN;
        }
        if (!user.path("enabled").asBoolean(true)) {
            return Answer.DISABLED;
        }
        String id = user.path("id").asString();
        JsonNode roles =
                get("users/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/role-mappings/realm/composite", token);
        for (JsonNode role : roles) {
            if (TECHNICIAN_ROLE.equals(role.path("name").asString())) {
                return Answer.TECHNICIAN;
            }
        }
        return Answer.NOT_A_TECHNICIAN;
    }

    private JsonNode get(String relative, String token) {
        HttpRequest request = HttpRequest.newBuilder(adminRealm.resolve(relative))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                log.warn(
                        "Keycloak's admin API answered HTTP {} to the training service account ({})",
                        r.statusCode(),
                        request.uri().getPath());
                throw Status.UNAVAILABLE.withDescription(UNAVAILABLE).asRuntimeException();
            }
            JsonNode body = JSON.readTree(r.body());
            if (!body.isArray()) {
                throw Status.UNAVAILABLE.withDescription(UNAVAILABLE).asRuntimeException();
            }
            return body;
        } catch (IOException | tools.jackson.core.JacksonException e) {
            log.warn("Keycloak's admin API unreachable: {}", e.toString());
            throw Status.UNAVAILABLE.withDescription(UNAVAILABLE).asRuntimeException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.UNAVAILABLE.withDescription(UNAVAILABLE).asRuntimeException();
        }
    }
}
