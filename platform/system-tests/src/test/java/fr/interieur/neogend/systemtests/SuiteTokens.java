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

    private SuiteTokens() {}

    /** A genuine Keycloak token of the auditor that has expired: the realm's lifespan is cut to 1 s for one grant. */
    static String expired(Stack stack, TokenClient tokens) throws Exception {
        TokenClient master = new TokenClient(
                "http://localhost:" + stack.keycloak().port() + "/realms/master/protocol/openid-connect/token");
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

    /**
     * Users of the realm with the technician role, created through Keycloak's admin API (password as the
     * user name, as the demo users'), so that tests can enrol more people than the demo realm holds.
     */
    static void technicians(Stack stack, java.util.List<String> names) throws Exception {
        TokenClient master = new TokenClient(
                "http://localhost:" + stack.keycloak().port() + "/realms/master/protocol/openid-connect/token");
        String admin = master.adminCli("admin", stack.keycloakAdminPassword());
        String realmUrl = "http://localhost:" + stack.keycloak().port() + "/admin/realms/neogend";
        String role = send(HttpRequest.newBuilder(URI.create(realmUrl + "/roles/technician")), admin)
                .body();
        for (String name : names) {
            var created = send(
                    HttpRequest.newBuilder(URI.create(realmUrl + "/users"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                            {"username":"%s","enabled":true,"firstName":"Technicien","lastName":"%1$s",
                             "email":"%1$s@example.invalid","emailVerified":true,
                             "credentials":[{"type":"password","value":"%1$s","temporary":false}]}""".formatted(name))),
                    admin);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String location = created.headers().firstValue("Location").orElseThrow();
            var mapped = send(
                    HttpRequest.newBuilder(URI.create(location + "/role-mappings/realm"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("[" + role + "]")),
                    admin);
            assertThat(mapped.statusCode()).as(mapped.body()).isEqualTo(204);
        }
    }

    /**
     * The first step of the console's sign-in (authorization code with PKCE, client {@code neogend-web}) asking
     * Keycloak to send the browser back to {@code redirectUri}: 200 (the login page) for an address the client
     * names, 400 for any other.
     */
    static HttpResponse<String> consoleSignIn(String issuer, String redirectUri) throws Exception {
        String url = issuer + "/protocol/openid-connect/auth?client_id=neogend-web"
                + "&response_type=code&scope=openid&code_challenge_method=S256"
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&redirect_uri="
                + java.net.URLEncoder.encode(redirectUri, java.nio.charset.StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
        return HTTP.send(
                request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int put(String url, String token, String json) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }
}
