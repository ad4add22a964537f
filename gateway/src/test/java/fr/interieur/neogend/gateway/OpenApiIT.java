package fr.interieur.neogend.gateway;

import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.gateway.transcoding.RouteTable;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Server;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The API reference: the OpenAPI document, read by a real OpenAPI parser, and its page. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"logging.structured.format.console=", "management.server.port=0"})
class OpenApiIT {

    static final HttpServer JWKS = StandIns.jwks(new AtomicInteger());
    static final Server INVENTORY = StandIns.inventory(new AtomicReference<Metadata>());

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> TestTokens.ISSUER);
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/certs");
        registry.add("neogend.gateway.backends.inventory", () -> "localhost:" + INVENTORY.getPort());
        registry.add("neogend.gateway.console.tile-url", () -> "https://tiles.example.org/osm/{z}/{x}/{y}.png");
    }

    @AfterAll
    static void stop() {
        INVENTORY.shutdownNow();
        JWKS.stop(0);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The served document, parsed. */
    OpenAPI api() throws Exception {
        return new OpenAPIV3Parser()
                .readContents(get("/api/v1/openapi.json").body())
                .getOpenAPI();
    }

    static io.swagger.v3.oas.models.media.Schema<?> property(OpenAPI api, String schema, String property) {
        return (io.swagger.v3.oas.models.media.Schema<?>)
                api.getComponents().getSchemas().get(schema).getProperties().get(property);
    }

    @Test
    void theDocumentIsJsonOpenApi31ThatParsesWithoutAMessage() throws Exception {
        var r = get("/api/v1/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body());
        assertThat(parsed.getMessages()).as("parser messages").isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    }

    @Test
    void everyRouteIsInTheDocumentWithItsOperationIdRolesAndSecurity() throws Exception {
        OpenAPI api = api();
        List<String> missing = new ArrayList<>();
        var routes = RouteTable.fromClasspath().routes();
        for (var route : routes) {
            PathItem item = api.getPaths().get(route.template().toString());
            Operation op =
                    item == null ? null : item.readOperationsMap().get(PathItem.HttpMethod.valueOf(route.httpMethod()));
            if (op == null) {
                missing.add(route.httpMethod() + " " + route.template());
            } else {
                assertThat(op.getOperationId()).isEqualTo(route.method().getName());
                assertThat(op.getSecurity()).isNotEmpty();
                assertThat(op.getExtensions()).containsKey("x-neogend-roles");
            }
        }
        assertThat(routes).hasSizeGreaterThan(70);
        assertThat(missing).as("routes missing from the document").isEmpty();
    }

    @Test
    void schemasComeFromTheMessagesWithJsonNamesEnumsCommentsAndReadOnlyFields() throws Exception {
        OpenAPI api = api();
        var device = api.getComponents().getSchemas().get("neogend.inventory.v1.Device");
        assertThat(device.getProperties()).containsKeys("imei", "serialNumber", "packType", "unitCode");
        assertThat(device.getDescription()).isNotBlank();
        var getDevice = api.getPaths().get("/api/v1/devices/{imei}").getGet();
        assertThat(getDevice.getParameters())
                .extracting(p -> p.getName() + ":" + p.getIn())
                .contains("imei:path");
        assertThat(getDevice.getDescription()).contains("Roles: fleet-manager, unit-manager, technician, auditor.");
        assertThat(property(api, "neogend.order.v1.PurchaseOrder", "number").getReadOnly())
                .isTrue();
        assertThat(property(api, "neogend.inventory.v1.Device", "state").getEnum())
                .map(String::valueOf)
                .contains("DEVICE_STATE_STOLEN", "DEVICE_STATE_PENDING_RETURN");
        assertThat(api.getPaths().get("/api/v1/devices").getGet().getParameters())
                .extracting(p -> p.getName() + ":" + p.getIn())
                .contains("page_size:query", "unit_code:query", "state:query");
    }

    @Test
    void aDayIsADateInAQueryAndTheGoogleTypeDateObjectInABody() throws Exception {
        OpenAPI api = api();
        assertThat(api.getPaths().get("/api/v1/sessions").getGet().getParameters())
                .filteredOn(p -> p.getName().equals("ends_on_or_after"))
                .singleElement()
                .satisfies(p -> assertThat(p.getSchema().getFormat()).isEqualTo("date"));
        assertThat(api.getPaths().get("/api/v1/stock-movements").getGet().getParameters())
                .extracting(p -> p.getName() + ":" + p.getSchema().getFormat())
                .contains("from_date:date", "to_date:date");
        assertThat(property(api, "neogend.training.v1.Session", "startDate").get$ref())
                .endsWith("google.type.Date");
    }

    @Test
    void callersAuthenticateWithKeycloakAndDevicesWithTheirCredential() throws Exception {
        OpenAPI api = api();
        var oauth = api.getComponents().getSecuritySchemes().get("keycloak");
        assertThat(oauth.getFlows().getClientCredentials().getTokenUrl())
                .isEqualTo(TestTokens.ISSUER + "/protocol/openid-connect/token");
        assertThat(api.getPaths()
                        .get("/api/v1/device-readings")
                        .getPost()
                        .getSecurity()
                        .getFirst())
                .containsKey("device");
    }

    @Test
    void theRequestRulesOfTheProtosAreSchemaConstraints() throws Exception {
        OpenAPI api = api();
        assertThat(property(api, "neogend.inventory.v1.Device", "model").getMaxLength())
                .isEqualTo(100);
        var pageSize = api.getPaths().get("/api/v1/devices").getGet().getParameters().stream()
                .filter(p -> p.getName().equals("page_size"))
                .findFirst()
                .orElseThrow()
                .getSchema();
        assertThat(pageSize.getMinimum()).isEqualByComparingTo("0");
        assertThat(property(api, "neogend.order.v1.CatalogueItem", "unitPrice").getPattern())
                .isEqualTo("^[0-9]{1,12}(\\.[0-9]{1,2})?$");
        assertThat(property(api, "neogend.telemetry.v1.UploadReadingsRequest", "readings")
                        .getMaxItems())
                .isEqualTo(1000);
        assertThat(property(api, "neogend.telemetry.v1.Reading", "securityPatchLevel")
                        .getFormat())
                .isEqualTo("date");
    }

    @Test
    void problemsAndTheStatementCsvAreDescribedAsTheGatewayWritesThem() throws Exception {
        OpenAPI api = api();
        assertThat(property(api, "Problem", "errors").getItems().getProperties())
                .as("what Problems writes")
                .containsOnlyKeys("field", "message");
        var csv = api.getPaths()
                .get("/api/v1/agreements/{agreement_id}/statements/{year}/{month}:csv")
                .getGet();
        assertThat(csv.getResponses().get("200").getContent()).containsKey("*/*");
    }

    @Test
    void theReferencePageIsServedWithItsAssetsUnderAPolicyThatAllowsOnlyThem() throws Exception {
        var page = get("/api/docs/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui-bundle.js").contains("init.js");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("default-src 'self'").doesNotContain("unsafe-eval"));
        assertThat(get("/api/docs/swagger-ui/swagger-ui-bundle.js").statusCode())
                .isEqualTo(200);
        assertThat(get("/api/docs/init.js").body()).contains("/api/v1/openapi.json");
        // the rest of the API still needs a token, and its answers keep the strict policy
        var api = get("/api/v1/devices");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("Content-Security-Policy"))
                .contains("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void theConsoleIsServedWithItsSettingsAndAssetsUnderItsOwnPolicy() throws Exception {
        var page = get("/console/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("app.js").contains("vendor/leaflet/leaflet.js");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp)
                        .contains(
                                "script-src 'self'",
                                "connect-src 'self' " + TestTokens.ISSUER.replaceAll("(https?://[^/]+).*", "$1"),
                                "img-src 'self' data: https://tiles.example.org",
                                "frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline", "unsafe-eval"));
        var settings = get("/console/config.json");
        assertThat(settings.body())
                .contains(
                        "\"issuer\":\"" + TestTokens.ISSUER + "\"",
                        "\"clientId\":\"neogend-web\"",
                        "\"tileUrl\":\"https://tiles.example.org/osm/{z}/{x}/{y}.png\"");
        for (String asset : new String[] {
            "/console/app.js",
            "/console/auth.js",
            "/console/api.js",
            "/console/console.css",
            "/console/vendor/leaflet/leaflet.js",
            "/console/vendor/leaflet/leaflet.css"
        }) {
            assertThat(get(asset).statusCode()).as(asset).isEqualTo(200);
        }
        // the console's ES modules: every module any other imports is served, as JavaScript
        for (String module : new String[] {
            "dom.js",
            "labels.js",
            "router.js",
            "session.js",
            "pages/overview.js",
            "pages/device.js",
            "pages/compliance.js",
            "pages/map.js",
            "pages/orders.js",
            "pages/workshop.js",
            "pages/training.js"
        }) {
            var served = get("/console/" + module);
            assertThat(served.statusCode()).as(module).isEqualTo(200);
            assertThat(served.headers().firstValue("Content-Type"))
                    .as(module)
                    .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        }
        assertThat(get("/console").statusCode()).isEqualTo(308);
        assertThat(get("/console/nothing-here.js").statusCode()).isEqualTo(404);
        // a write to the console's path is not a page: denied like anything unlisted
        var post = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/console/config.json"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isIn(401, 403);
    }

    HttpResponse<String> head(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .HEAD();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHeadOfAPublicPageAnswersAsItsGetWithoutABodyAndEverythingElseStaysClosed() throws Exception {
        var answers = new java.util.LinkedHashMap<String, String>();
        for (String path : new String[] {
            "/api/v1/openapi.json",
            "/api/docs/",
            "/api/docs/init.js",
            "/api/docs/swagger-ui/swagger-ui-bundle.js",
            "/console/",
            "/console/config.json",
            "/console/app.js"
        }) {
            var get = get(path);
            var head = head(path, null);
            answers.put(
                    path,
                    head.statusCode() + " "
                            + head.headers().firstValue("Content-Type").orElse("-"));
            if (head.statusCode() != get.statusCode()) {
                continue; // every path is reported at the end
            }
            assertThat(head.body()).as(path).isEmpty();
            assertThat(head.headers().firstValue("Content-Type"))
                    .as(path)
                    .isEqualTo(get.headers().firstValue("Content-Type"));
            assertThat(head.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .isEqualTo(get.headers().firstValue("Content-Security-Policy"));
            head.headers()
                    .firstValue("Content-Length")
                    .ifPresent(length -> assertThat(Long.parseLong(length))
                            .as(path)
                            .isEqualTo(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        }
        assertThat(answers)
                .allSatisfy((path, answer) -> assertThat(answer)
                        .as("HEAD %s, answered as its GET", path)
                        .startsWith("200 "));
        // the rest is as closed to HEAD as to GET: a token is still needed, and the routes say what they allow
        var api = head("/api/v1/devices", null);
        assertThat(api.statusCode()).isEqualTo(401);
        var routed = head("/api/v1/devices", TestTokens.fleetManager());
        assertThat(routed.statusCode()).isEqualTo(405);
        assertThat(routed.headers().firstValue("Allow"))
                .hasValueSatisfying(a -> assertThat(a).contains("GET"));
        assertThat(head("/elsewhere", null).statusCode()).isIn(401, 403, 404);
        assertThat(head("/elsewhere", TestTokens.fleetManager()).statusCode()).isIn(403, 404);
    }
}
