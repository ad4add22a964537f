package fr.interieur.neogend.devstack;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class KeycloakServerTest {

    @Test
    void theConsoleClientsAddressesMoveToTheGatewaysPortAndNothingElseDoes() throws Exception {
        String realm = Files.readString(Path.of("../keycloak/realm-neogend.json"));
        String moved = KeycloakServer.consoleAt(realm, 41234);

        assertThat(moved).doesNotContain("localhost:8080");
        assertThat(moved)
                .contains("\"http://localhost:41234/console/*\"")
                .contains("\"http://localhost:41234\"")
                .contains(
                        "\"post.logout.redirect.uris\": \"http://localhost:41234/console/*##http://localhost:3000/*\"");
        // the web client's other origin (a front-end developer's server) and everything else stay
        assertThat(moved.replace("41234", "8080")).isEqualTo(realm);
        assertThat(KeycloakServer.consoleAt(realm, 8080)).isSameAs(realm);
    }
}
