package fr.interieur.neogend.gateway.console;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Serves the fleet console, a static single-page application at {@code /console/} (files under
 * {@code console/} on the classpath, Leaflet from its webjar), and the settings it reads at start.
 * The pages are public; every figure they show comes from the API with the user's own token
 * (authorization code + PKCE against Keycloak), so the API's checks apply unchanged.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleConfiguration {

    static final String LEAFLET = "META-INF/resources/webjars/leaflet/";

    @Bean
    RouterFunction<ServerResponse> console(ConsoleProperties properties) {
        String leaflet = new org.webjars.WebJarVersionLocator().version("leaflet");
        String index = resource("console/index.html");
        return RouterFunctions.route()
                .route(
                        read("/console"),
                        r -> ServerResponse.permanentRedirect(URI.create("/console/"))
                                .build())
                .route(
                        read("/console/"),
                        r -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_HTML)
                                .cacheControl(CacheControl.noStore())
                                .bodyValue(index))
                .route(
                        read("/console/config.json"),
                        r -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .cacheControl(CacheControl.noStore())
                                .bodyValue(properties.browserConfig()))
                .resources("/console/vendor/leaflet/**", new ClassPathResource(LEAFLET + leaflet + "/dist/"))
                .resources("/console/**", new ClassPathResource("console/"))
                .build();
    }

    /** GET, and HEAD answered as the GET without its body (WebFlux drops the body of a HEAD). */
    static RequestPredicate read(String path) {
        return RequestPredicates.path(path).and(RequestPredicates.methods(HttpMethod.GET, HttpMethod.HEAD));
    }

    private static String resource(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing " + path, e);
        }
    }
}
