package fr.interieur.neogend.training;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * A stand-in for Keycloak's token endpoint and the admin API calls the training service makes
 * (users by exact name, a user's effective realm roles), the realm as the tests see it:
 * <ul>
 *   <li>{@code technician} and the names {@code t.*}, {@code w.*}, {@code r.*}: enabled technicians;</li>
 *   <li>{@code fleet.manager}: a user without the technician role; {@code t.disabled}: a disabled technician;</li>
 *   <li>{@code T.Upper}: answered with user {@code t.upper}, as Keycloak's case-blind search does;</li>
 *   <li>{@code t.offline}: the connection is cut (Keycloak unreachable); {@code t.failing}: HTTP 503;</li>
 *   <li>any other name: no such user.</li>
 * </ul>
 * The admin API answers only the bearer token its token endpoint issued to client neogend-training
 * with the configured secret (anything else: 401). Started once per test JVM.
 */
public final class KeycloakStandIn implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String SECRET = "training-test-secret";
    private static final String TOKEN = "stand-in-admin-token";
    private static final String USERS = "/admin/realms/neogend/users";
    private static WireMockServer server;

    static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(wireMockConfig().dynamicPort());
            server.start();
            stubs(server);
        }
        return server;
    }

    private static void stubs(WireMockServer s) {
        s.stubFor(post(urlPathEqualTo("/realms/neogend/protocol/openid-connect/token"))
                .withRequestBody(matching(".*client_id=neogend-training.*"))
                .withRequestBody(matching(".*client_secret=" + SECRET + ".*"))
                .willReturn(okJson("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":300}")));
        // anything not answered below, or without the token: refused
        s.stubFor(get(urlPathMatching("/admin/.*"))
                .atPriority(10)
                .willReturn(aResponse().withStatus(401)));
        s.stubFor(get(urlPathEqualTo(USERS))
                .atPriority(9)
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(okJson("[]")));
        user(s, "technician|t\\.[a-z0-9.]+|w\\.[a-z0-9.]+|r\\.[a-z0-9.]+", true);
        user(s, "fleet\\.manager", true);
        user(s, "t\\.disabled", false);
        // Keycloak's search ignores case; its user names are lower case
        s.stubFor(get(urlPathEqualTo(USERS))
                .atPriority(1)
                .withQueryParam("username", equalTo("T.Upper"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(okJson("[{\"id\":\"id-t.upper\",\"username\":\"t.upper\",\"enabled\":true}]")));
        s.stubFor(get(urlPathEqualTo(USERS))
                .atPriority(1)
                .withQueryParam("username", equalTo("t.offline"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        s.stubFor(get(urlPathEqualTo(USERS))
                .atPriority(1)
                .withQueryParam("username", equalTo("t.failing"))
                .willReturn(aResponse().withStatus(503)));
        s.stubFor(get(urlPathMatching(USERS + "/id-[^/]+/role-mappings/realm/composite"))
                .atPriority(5)
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(okJson("[{\"name\":\"default-roles-neogend\"},{\"name\":\"offline_access\"},"
                        + "{\"name\":\"technician\"}]")));
        s.stubFor(get(urlPathEqualTo(USERS + "/id-fleet.manager/role-mappings/realm/composite"))
                .atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(okJson("[{\"name\":\"default-roles-neogend\"},{\"name\":\"fleet-manager\"}]")));
    }

    private static void user(WireMockServer s, String names, boolean enabled) {
        s.stubFor(get(urlPathEqualTo(USERS))
                .atPriority(enabled ? 3 : 2)
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withQueryParam("exact", equalTo("true"))
                .withQueryParam("username", matching(names))
                .willReturn(
                        okJson("[{\"id\":\"id-{{request.query.username}}\",\"username\":\"{{request.query.username}}\","
                                        + "\"enabled\":" + enabled + "}]")
                                .withTransformers("response-template")));
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        String base = "http://localhost:" + server().port();
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "keycloak-stand-in",
                        Map.of(
                                "neogend.technicians.admin-url", base + "/admin/realms/neogend",
                                "neogend.service-account.token-uri",
                                        base + "/realms/neogend/protocol/openid-connect/token",
                                "neogend.service-account.client-secret", SECRET)));
    }
}
