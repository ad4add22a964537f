package fr.interieur.neogend.gateway.openapi;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import fr.interieur.neogend.gateway.transcoding.RouteTable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * Serves the API reference: the OpenAPI document at {@code /api/v1/openapi.json} (built once at
 * start from the descriptors the routes come from) and a Swagger UI page at {@code /api/docs/}
 * (the swagger-ui webjar). Router functions come before the gateway's catch-all {@code /api/**}
 * route. Public: the contract is not a secret; calling it still needs a token.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/";

    @Bean
    RouterFunction<ServerResponse> apiReference(
            RouteTable routes, @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer) {
        String swaggerUi = new org.webjars.WebJarVersionLocator().version("swagger-ui");
        String document;
        try (InputStream in = RouteTable.class.getClassLoader().getResourceAsStream(RouteTable.DESCRIPTOR_RESOURCE)) {
            FileDescriptorSet set = FileDescriptorSet.parseFrom(in);
            document = JsonMapper.builder()
                    .build()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(OpenApiDocument.build(routes, set, issuer, "v1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the descriptor set for the OpenAPI document", e);
        }
        return RouterFunctions.route()
                .route(
                        read("/api/v1/openapi.json"),
                        r -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(document))
                .route(
                        read("/api/docs"),
                        r -> ServerResponse.permanentRedirect(URI.create("/api/docs/"))
                                .build())
                .route(
                        read("/api/docs/"),
                        r -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_HTML)
                                .bodyValue(resource("static-docs/index.html")))
                .route(
                        read("/api/docs/init.js"),
                        r -> ServerResponse.ok()
                                .contentType(MediaType.valueOf("text/javascript"))
                                .bodyValue(resource("static-docs/init.js")))
                .resources("/api/docs/swagger-ui/**", new ClassPathResource(SWAGGER_UI + swaggerUi + "/"))
                .build();
    }

    /** GET, and HEAD answered as the GET without its body (WebFlux drops the body of a HEAD). */
    static RequestPredicate read(String path) {
        return RequestPredicates.path(path).and(RequestPredicates.methods(HttpMethod.GET, HttpMethod.HEAD));
    }

    private static String resource(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing " + path, e);
        }
    }
}
