package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.KeycloakServer;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.devstack.Waits;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Test and benchmark stacks start Keycloak on a copy of a store prepared once per realm file, each copy in a
 * folder of its own (ADR 0004): two started at once from the one shared home both serve the realm, keep
 * what is done in them apart, and send the console's sign-in back to their own gateway only.
 */
@Order(4) // Keycloaks of its own, before the shared stack starts (SharedStack)
class KeycloakTemplateIT {

    static final Path ROOT = Path.of(System.getProperty("neogend.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void twoKeycloaksRunFromOneHomeAtOnceEachOnItsOwnStoreAndConsole() throws Exception {
        Path realm = ROOT.resolve("platform/keycloak/realm-neogend.json");
        Path dir = Files.createTempDirectory("neogend-keycloak-template");
        Set<Integer> ports = new HashSet<>();
        while (ports.size() < 6) {
            ports.add(Waits.freePort());
        }
        int[] p = ports.stream().mapToInt(Integer::intValue).toArray();
        int gatewayA = p[4];
        int gatewayB = p[5];
        try (KeycloakServer a = KeycloakServer.startFromTemplate(
                        KeycloakServer.sharedTestHome(),
                        dir.resolve("a"),
                        realm,
                        p[0],
                        p[1],
                        gatewayA,
                        dir.resolve("a.log"));
                KeycloakServer b = KeycloakServer.startFromTemplate(
                        KeycloakServer.sharedTestHome(),
                        dir.resolve("b"),
                        realm,
                        p[2],
                        p[3],
                        gatewayB,
                        dir.resolve("b.log"))) {
            CompletableFuture.allOf(
                            CompletableFuture.runAsync(() -> a.awaitReady(Duration.ofMinutes(4))),
                            CompletableFuture.runAsync(() -> b.awaitReady(Duration.ofMinutes(4))))
                    .join();
            assertThat(new TokenClient(a.tokenEndpoint()).password("auditor", "auditor"))
                    .isNotBlank();
            assertThat(new TokenClient(b.tokenEndpoint()).password("auditor", "auditor"))
                    .isNotBlank();

            // a user created in one exists in that one only
            String admin = new TokenClient(
                            "http://localhost:" + a.port() + "/realms/master/protocol/openid-connect/token")
                    .adminCli("admin", a.adminPassword());
            var created = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + a.port() + "/admin/realms/neogend/users"))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"username":"only.in.a","enabled":true,"firstName":"Seul","lastName":"A",
                                     "email":"only.in.a@example.invalid","emailVerified":true,
                                     "credentials":[{"type":"password","value":"only.in.a","temporary":false}]}"""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(new TokenClient(a.tokenEndpoint()).password("only.in.a", "only.in.a"))
                    .isNotBlank();
            assertThatThrownBy(() -> new TokenClient(b.tokenEndpoint()).password("only.in.a", "only.in.a"))
                    .hasMessageContaining("refused");

            // each console client names its own gateway, and only it
            assertThat(signIn(a, gatewayA)).isEqualTo(200);
            assertThat(signIn(a, gatewayB)).isEqualTo(400);
            assertThat(signIn(b, gatewayB)).isEqualTo(200);
            assertThat(signIn(b, gatewayA)).isEqualTo(400);
            assertThat(signIn(a, 8080)).isEqualTo(400);
        }
    }

    private static int signIn(KeycloakServer keycloak, int gatewayPort) throws Exception {
        return SuiteTokens.consoleSignIn(keycloak.issuer(), "http://localhost:" + gatewayPort + "/console/")
                .statusCode();
    }
}
