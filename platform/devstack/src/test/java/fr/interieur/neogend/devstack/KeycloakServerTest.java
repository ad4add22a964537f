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

    @Test
    void keptDataIsMadeAgainFromTheRealmFileWhenTheFileChangedOrIsNotKnown(@org.junit.jupiter.api.io.TempDir Path home)
            throws Exception {
        // a client added to the realm file (e.g. neogend-accessories) never reached a store made before it:
        // Keycloak imports a realm only when it has none
        Path store = Files.createDirectories(home.resolve("data/h2"));
        Files.writeString(store.resolve("keycloakdb.mv.db"), "users and sessions");
        String before = "{\"realm\":\"neogend\",\"clients\":[]}";
        String after = "{\"realm\":\"neogend\",\"clients\":[{\"clientId\":\"neogend-accessories\"}]}";

        assertThat(KeycloakServer.forgetDataIfRealmChanged(home, before))
                .as("data kept by a run that did not record its realm")
                .isTrue();
        assertThat(store).doesNotExist();

        Files.createDirectories(store);
        Files.writeString(home.resolve(KeycloakServer.IMPORTED), KeycloakServer.sha256(before));
        assertThat(KeycloakServer.forgetDataIfRealmChanged(home, before)).isFalse();
        assertThat(store).exists();
        assertThat(KeycloakServer.forgetDataIfRealmChanged(home, after)).isTrue();
        assertThat(store).doesNotExist();
        // nothing kept yet: nothing to forget
        assertThat(KeycloakServer.forgetDataIfRealmChanged(home, after)).isFalse();
    }
}
