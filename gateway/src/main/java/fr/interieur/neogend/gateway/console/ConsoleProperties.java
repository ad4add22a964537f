package fr.interieur.neogend.gateway.console;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fleet console's settings ({@code neogend.gateway.console.*}).
 *
 * @param issuer          the Keycloak realm as browsers reach it (login page, token endpoint)
 * @param clientId        the public PKCE client the console logs in with
 * @param tileUrl         map tiles, {@code http(s)://host/…{z}/{x}/{y}…}; empty: positions are drawn
 *                        on a plain background and no tile server is contacted
 * @param tileAttribution credit shown on the map for the tiles
 */
@ConfigurationProperties("neogend.gateway.console")
public record ConsoleProperties(String issuer, String clientId, String tileUrl, String tileAttribution) {

    public ConsoleProperties {
        issuer = issuer == null ? "" : issuer.trim();
        clientId = clientId == null || clientId.isBlank() ? "neogend-web" : clientId.trim();
        tileUrl = tileUrl == null ? "" : tileUrl.trim();
        tileAttribution = tileAttribution == null ? "" : tileAttribution.trim();
        origin("neogend.gateway.console.issuer (NEOGEND_CONSOLE_ISSUER)", issuer);
        if (!tileUrl.isEmpty()) {
            origin("neogend.gateway.console.tile-url (NEOGEND_CONSOLE_TILE_URL)", tileUrl);
            for (String part : new String[] {"{z}", "{x}", "{y}"}) {
                if (!tileUrl.contains(part)) {
                    throw new IllegalArgumentException(
                            "neogend.gateway.console.tile-url (NEOGEND_CONSOLE_TILE_URL) " + "must contain " + part
                                    + ", e.g. https://tiles.example.org/{z}/{x}/{y}.png; got " + tileUrl);
                }
            }
        }
    }

    /** What the console page reads at start ({@code /console/config.json}). */
    public Map<String, String> browserConfig() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("issuer", issuer);
        out.put("clientId", clientId);
        out.put("tileUrl", tileUrl);
        out.put("tileAttribution", tileAttribution);
        return out;
    }

    /**
     * The console pages' policy: their own scripts and styles only, API calls to the gateway itself
     * and the token endpoint, images from the tile server if one is configured.
     */
    public String contentSecurityPolicy() {
        String tiles = tileUrl.isEmpty() ? "" : " " + origin("tile-url", tileUrl);
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:" + tiles
                + "; connect-src 'self' " + origin("issuer", issuer) + "; frame-ancestors 'none'; form-action 'self'; "
                + "base-uri 'none'";
    }

    /** scheme://host[:port] of an absolute http(s) URL, refused with the setting's name otherwise. */
    static String origin(String setting, String url) {
        try {
            URI uri = new URI(url.replace("{", "%7B").replace("}", "%7D"));
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(setting + " must be an absolute http(s) URL; got '" + url + "'");
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a URL: '" + url + "'", e);
        }
    }
}
