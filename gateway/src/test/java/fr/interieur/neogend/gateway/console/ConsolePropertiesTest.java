package fr.interieur.neogend.gateway.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsolePropertiesTest {

    static final String ISSUER = "https://auth.example.gouv.fr/realms/neogend";

    @Test
    void withoutATileServerTheMapNeedsNoImageSourceButItself() {
        var p = new ConsoleProperties(ISSUER, null, null, null);
        assertThat(p.clientId()).isEqualTo("neogend-web");
        assertThat(p.contentSecurityPolicy())
                .contains(
                        "default-src 'none'",
                        "img-src 'self' data:;",
                        "connect-src 'self' https://auth.example.gouv.fr;");
        assertThat(p.browserConfig()).containsEntry("tileUrl", "").containsEntry("issuer", ISSUER);
    }

    @Test
    void aTileServerIsTheOnlyOtherImageSource() {
        var p = new ConsoleProperties(ISSUER, "web", "https://tiles.example.gouv.fr:8443/{z}/{x}/{y}.png", "© IGN");
        assertThat(p.contentSecurityPolicy()).contains("img-src 'self' data: https://tiles.example.gouv.fr:8443;");
    }

    @Test
    void badSettingsStopTheStartWithTheirName() {
        assertThatThrownBy(() -> new ConsoleProperties("auth.example/realms/x", null, null, null))
                .hasMessageContaining("NEOGEND_CONSOLE_ISSUER")
                .hasMessageContaining("absolute http(s) URL");
        assertThatThrownBy(() -> new ConsoleProperties(ISSUER, null, "https://tiles.example.org/{z}/{x}.png", null))
                .hasMessageContaining("NEOGEND_CONSOLE_TILE_URL")
                .hasMessageContaining("{y}");
        assertThatThrownBy(() -> new ConsoleProperties(ISSUER, null, "javascript:alert(1)//{z}{x}{y}", null))
                .hasMessageContaining("NEOGEND_CONSOLE_TILE_URL");
    }
}
