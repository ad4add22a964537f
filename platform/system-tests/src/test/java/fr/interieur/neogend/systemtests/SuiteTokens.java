package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.devstack.Waits;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Tokens the system tests need that Keycloak does not hand out as such. */
final class SuiteTokens {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SuiteTokens() {
    }

    /** A genuine Keycloak token of the auditor that has expired: the realm's lifespan is cut to 1 s for one grant. */
    static String expired(Stack stack, TokenClient tokens) throws Exception {
        TokenClient master = new TokenClient("http://localhost:" + stack.keycloak().port()
                + "/realms/master/protocol/openid-connect/token");
        String admin = master.adminCli("admin", stack.keycloakAdminPassword());
        String realmUrl = "http://localhost:" + stack.keycloak().port() + "/admin/realms/neogend";
        String token;
        try {
            assertThat(put(realmUrl, admin, "{\"accessTokenLifespan\":1}")).isEqualTo(204);
            token = tokens.password("auditor", "auditor");
        } finally {
            assertThat(put(realmUrl, admin, "{\"accessTokenLifespan\":300}")).isEqualTo(204);
        }
        Waits.sleep(2500);
        return token;
    }

    private static int put(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
