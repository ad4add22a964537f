package fr.interieur.neogend.gateway;

import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway alone: real Spring Cloud Gateway and resource-server chain, keys served over HTTP
 * like Keycloak's JWKS, and a stand-in inventory gRPC server that records what reached it.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "logging.structured.format.console=",
            "neogend.gateway.clock-skew=0s",
            "management.server.port=0",
            "neogend.gateway.circuit-breaker.minimum-number-of-calls=4",
            "neogend.gateway.circuit-breaker.sliding-window-size=4",
            "neogend.gateway.circuit-breaker.wait-in-open-state=60s"
        })
class GatewayIT {

    static final AtomicReference<Metadata> LAST_HEADERS = new AtomicReference<>();
    static final java.util.concurrent.atomic.AtomicInteger JWKS_FETCHES =
            new java.util.concurrent.atomic.AtomicInteger();
    static final HttpServer JWKS = StandIns.jwks(JWKS_FETCHES);
    static final Server INVENTORY = StandIns.inventory(LAST_HEADERS);

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> TestTokens.ISSUER);
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/certs");
        registry.add("neogend.gateway.backends.inventory", () -> "localhost:" + INVENTORY.getPort());
        registry.add("neogend.gateway.backends.order", () -> "127.0.0.1:" + closedPort()); // a service that is down
    }

    @AfterAll
    static void stop() {
        INVENTORY.shutdownNow();
        JWKS.stop(0);
    }

    @Test
    void forwardedHeadersFromAnUntrustedClientAreNeitherBelievedNorPassedOn() throws Exception { // CVE-2025-41235
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/devices/490154203237518"))
                .header("Authorization", "Bearer " + TestTokens.fleetManager())
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "https")
                .header("Forwarded", "for=6.6.6.6;host=evil.example")
                // the proof a service sends on RPCs called only through it (ADR 0030): never from outside
                .header("X-Neogend-Peer-Authorization", "Bearer " + TestTokens.peer("order"))
                .build();
        var r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Metadata seen = LAST_HEADERS.get();
        for (String name : new String[] {
            "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded", "x-neogend-peer-authorization"
        }) {
            assertThat(seen.containsKey(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)))
                    .as(name)
                    .isFalse();
        }
        assertThat(r.body()).doesNotContain("evil.example");
    }

    @Test
    void validTokenReachesTheServiceWithTokenAndCorrelationId() throws Exception {
        String token = TestTokens.fleetManager();
        var r = send("GET", "/api/v1/devices/490154203237518", token, null, "corr-123");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.body())
                .contains("\"imei\":\"490154203237518\"")
                .contains("\"model\":\"Rugged X5\"")
                .doesNotContain("\"device\""); // response_body unwraps the device
        assertThat(r.headers().firstValue("X-Correlation-Id")).contains("corr-123");
        Metadata seen = LAST_HEADERS.get();
        assertThat(seen.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("Bearer " + token);
        assertThat(seen.get(Metadata.Key.of("x-correlation-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("corr-123");
    }

    @Test
    void keysAreFetchedOnceNotPerRequest() throws Exception {
        String token = TestTokens.fleetManager();
        assertThat(send("GET", "/api/v1/devices/490154203237518", token, null, null)
                        .statusCode())
                .isEqualTo(200);
        int before = JWKS_FETCHES.get();
        for (int i = 0; i < 50; i++) {
            assertThat(send(
                                    "GET",
                                    "/api/v1/devices/490154203237518",
                                    i % 2 == 0 ? token : TestTokens.auditor(),
                                    null,
                                    null)
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(JWKS_FETCHES.get() - before).isZero();
    }

    @Test
    void aServiceThatIsDownIsCutOffWhileOthersStillAnswer() throws Exception {
        String token = TestTokens.auditor();
        for (int i = 0; i < 4; i++) {
            var down = send("GET", "/api/v1/purchase-orders", token, null, null);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"code\":\"UNAVAILABLE\"").contains("retry later");
        }
        var paused = send("GET", "/api/v1/purchase-orders", token, null, null);
        assertThat(paused.statusCode()).isEqualTo(503);
        assertThat(paused.body()).contains("calls to it are paused");
        assertThat(paused.headers().firstValue("Retry-After")).contains("60");
        assertThat(send("GET", "/api/v1/devices/490154203237518", token, null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void businessErrorsNeverOpenTheCircuit() throws Exception {
        for (int i = 0; i < 8; i++) {
            assertThat(send("GET", "/api/v1/devices/404000000000000", TestTokens.auditor(), null, null)
                            .statusCode())
                    .isEqualTo(404);
        }
        assertThat(send("GET", "/api/v1/devices/490154203237518", TestTokens.auditor(), null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    private static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void queryParametersAndBodyAreTranscoded() throws Exception {
        var list = send(
                "GET", "/api/v1/devices?state=IN_STOCK&page_size=2&unitCode=GN-RBRE", TestTokens.auditor(), null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"nextPageToken\":\"DEVICE_STATE_IN_STOCK|2|GN-RBRE\"");
        var post = send(
                "POST",
                "/api/v1/devices",
                TestTokens.fleetManager(),
                "{\"imei\":\"490154203237518\",\"serialNumber\":\"S1\",\"model\":\"M\",\"kind\":\"DEVICE_KIND_PHONE\"}",
                null);
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).contains("\"serialNumber\":\"S1\"");
    }

    @Test
    void refusesMissingExpiredForeignAndMisaddressedTokens() throws Exception {
        for (String token : new String[] {
            null, "not-a-jwt", TestTokens.expired(), TestTokens.foreignSigned(), TestTokens.otherAudience()
        }) {
            LAST_HEADERS.set(null);
            var r = send("GET", "/api/v1/devices/490154203237518", token, null, null);
            assertThat(r.statusCode()).as("token %s", token).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(LAST_HEADERS.get()).as("the service was not called").isNull();
        }
    }

    @Test
    void refusesForgedAndMisissuedTokensWithAProblemThatShowsNothingInternal() throws Exception {
        var tokens = new java.util.LinkedHashMap<String, String>();
        tokens.put("wrong issuer", TestTokens.otherIssuer());
        tokens.put("wrong audience", TestTokens.otherAudience());
        tokens.put("expired", TestTokens.expired());
        tokens.put("alg none", TestTokens.unsigned());
        tokens.put("HS256 signed with the public key", TestTokens.hmacSignedWithThePublicKey());
        tokens.put("another realm", TestTokens.otherRealm());
        tokens.put("signed by an unknown key", TestTokens.foreignSigned());
        for (var token : tokens.entrySet()) {
            LAST_HEADERS.set(null);
            var r = send("GET", "/api/v1/devices/490154203237518", token.getValue(), null, null);
            assertThat(r.statusCode()).as(token.getKey()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type"))
                    .as(token.getKey())
                    .contains("application/problem+json");
            assertThat(r.body())
                    .as(token.getKey())
                    .contains("\"status\":401")
                    .contains("\"code\":\"UNAUTHENTICATED\"")
                    .doesNotContainPattern("(com\\.|java\\.|org\\.|Exception|\\tat |nimbus|Jwt)");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", token.getKey())
                    .isNull();
        }
        assertThat(send("GET", "/api/v1/devices/490154203237518", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .as("the realm's own token still works")
                .isEqualTo(200);
    }

    @Test
    void theGatewayRoutesEndpointIsNeverExposed() throws Exception { // CVE-2022-22947
        for (String path : new String[] {
            "/actuator/gateway/routes",
            "/actuator/gateway/routes/api",
            "/actuator/gateway/globalfilters",
            "/actuator/gateway/refresh",
            "/actuator/gateway"
        }) {
            for (String token : new String[] {null, TestTokens.fleetManager()}) {
                assertThat(send("GET", path, token, null, null).statusCode())
                        .as("GET %s", path)
                        .isIn(401, 403, 404);
            }
            assertThat(send("POST", path, TestTokens.fleetManager(), "{}", null).statusCode())
                    .as("POST %s", path)
                    .isIn(401, 403, 404);
        }
        assertThat(send("GET", "/actuator", TestTokens.fleetManager(), null, null)
                        .body())
                .doesNotContain("gateway");
    }

    @Test
    void readOnlyAndUnknownFieldsAreRefusedNeverPassedOn() throws Exception {
        String token = TestTokens.fleetManager();
        for (String[] c : new String[][] {
            {"\"state\":\"DEVICE_STATE_STOLEN\"", "device.state"},
            {"\"holderAgentId\":\"GND-7\"", "device.holder_agent_id"},
            {"\"version\":\"7\"", "device.version"},
            {"\"owner\":\"someone\"", "device.owner"}
        }) {
            LAST_HEADERS.set(null);
            var r = send(
                    "POST",
                    "/api/v1/devices",
                    token,
                    "{\"imei\":\"490154203237518\",\"serialNumber\":\"S1\","
                            + "\"model\":\"M\",\"kind\":\"DEVICE_KIND_PHONE\"," + c[0] + "}",
                    null);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains("\"field\":\"" + c[1] + "\"");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", c[0])
                    .isNull();
        }
    }

    @Test
    void malformedInputIsA4xxNeverA500() throws Exception {
        String token = TestTokens.fleetManager();
        var badJson = send("POST", "/api/v1/devices", token, "{\"imei\" 1}", null);
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).doesNotContainPattern("(com\\.google|java\\.|Exception)");
        assertThat(send("GET", "/api/v1/devices?.=x", token, null, null).statusCode())
                .isEqualTo(400);
        assertThat(send("GET", "/api/v1/devices?a..b=x", token, null, null).statusCode())
                .isEqualTo(400);
        // request lines a client's URI class refuses to send
        assertThat(rawStatus("/api/v1/devices/%zz", token)).isBetween(400, 404);
        assertThat(rawStatus("/api/v1/devices?state=%zz", token)).isEqualTo(400);
        assertThat(rawStatus("/api/v1/devices?%zz=1", token)).isEqualTo(400);
        assertThat(rawStatus("/api/v1/devices?state=%E9", token)).isEqualTo(400);
    }

    @Test
    void controlCharactersAndOverLongValuesAre400NamingTheFieldAndNeverEchoed() throws Exception {
        String token = TestTokens.fleetManager();
        LAST_HEADERS.set(null);
        var nul = send("GET", "/api/v1/devices?unit_code=GN%00", token, null, null);
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.body()).contains("\"field\":\"unit_code\"").contains("control character");
        var inBody =
                send("POST", "/api/v1/devices", token, "{\"imei\":\"490154203237518\",\"model\":\"X\\u0000\"}", null);
        assertThat(inBody.statusCode()).isEqualTo(400);
        assertThat(inBody.body()).contains("\"field\":\"device.model\"");
        String huge = "Z".repeat(20_000);
        var longOne = send(
                "POST", "/api/v1/devices", token, "{\"imei\":\"490154203237518\",\"model\":\"" + huge + "\"}", null);
        assertThat(longOne.statusCode()).isEqualTo(400);
        assertThat(longOne.body())
                .contains("\"field\":\"device.model\"")
                .contains("20000 characters")
                .doesNotContain("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ");
        assertThat(longOne.body().length()).isLessThan(1000);
        var longParam = send("GET", "/api/v1/devices?model=" + "Z".repeat(3000), token, null, null);
        assertThat(longParam.statusCode()).isEqualTo(400);
        assertThat(longParam.body().length()).isLessThan(1000);
        assertThat(LAST_HEADERS.get()).as("no such request reached the service").isNull();
    }

    @Test
    void aSingularParameterTwiceANegativeCountAndAnImpossibleDateAre400() throws Exception {
        String token = TestTokens.fleetManager();
        LAST_HEADERS.set(null);
        var twice = send("GET", "/api/v1/devices?state=IN_STOCK&state=ASSIGNED", token, null, null);
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("\"field\":\"state\"").contains("given 2 times");
        assertThat(send("GET", "/api/v1/devices?page_size=1&page_size=2", token, null, null)
                        .statusCode())
                .isEqualTo(400);
        var negative = send("GET", "/api/v1/devices?page_size=-5", token, null, null);
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("\"field\":\"page_size\"").contains("must not be negative");
        assertThat(send("GET", "/api/v1/devices?page_size=-2147483648", token, null, null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(LAST_HEADERS.get()).isNull();
    }

    @Test
    void malformedUrlsGetAProblemWithTheSecurityHeaders() throws Exception {
        String token = TestTokens.fleetManager();
        for (String path : new String[] {
            "/api/v1/devices/%2e%2e/units",
            "/api/v1//devices",
            "/api/v1/devices;x=1",
            "/api/v1/devices/%5c..",
            "/api/v1/devices/%zz",
            "/api/v1/devices/%25",
            "/api/v1/" + "a".repeat(9000),
            "/api/v1/devices/\\x"
        }) {
            Raw r = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n");
            String label = path.length() > 40 ? path.substring(0, 40) + "…" : path;
            assertThat(r.status()).as(label).isBetween(400, 414);
            assertThat(r.headers())
                    .as(label)
                    .containsIgnoringCase("content-type: application/problem+json")
                    .containsIgnoringCase("x-content-type-options: nosniff")
                    .containsIgnoringCase("content-security-policy: default-src 'none'");
            assertThat(r.body()).as(label).contains("\"status\":" + r.status());
        }
        Raw tooLong = raw("GET /api/v1/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(tooLong.status()).isEqualTo(414);
        Raw headers =
                raw("GET /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
        assertThat(headers.status()).isEqualTo(431);
        assertThat(headers.headers()).containsIgnoringCase("content-type: application/problem+json");
    }

    @Test
    void refusalsBelowSpringCarryACorrelationIdLikeEveryAnswer() throws Exception {
        String token = TestTokens.fleetManager();
        for (String[] c : new String[][] {
            {"GET /api/v1/devices/%zz HTTP/1.1\r\nX-Correlation-Id: corr-zz\r\n", "400", "corr-zz"},
            {"GET /api/v1/devices?unit_code=GN%E9 HTTP/1.1\r\nX-Correlation-Id: corr-e9\r\n", "400", "corr-e9"},
            {"GET /api/v1/devices/%zz HTTP/1.1\r\nX-Correlation-Id: <b>\r\n", "400", null}, // not sane: a new one
            {"GET /api/v1/" + "a".repeat(9000) + " HTTP/1.1\r\n", "414", null},
            {"GET /api/v1/devices HTTP/1.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n", "431", null}
        }) {
            Raw r = raw(c[0] + "Host: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
            String label = c[0].length() > 50 ? c[0].substring(0, 50) + "…" : c[0];
            assertThat(r.status()).as(label).isEqualTo(Integer.parseInt(c[1]));
            var id = java.util.regex.Pattern.compile("(?im)^x-correlation-id: *(\\S+)$")
                    .matcher(r.headers());
            assertThat(id.find())
                    .as("%s: X-Correlation-Id in %s", label, r.headers())
                    .isTrue();
            if (c[2] != null) {
                assertThat(id.group(1)).as(label).isEqualTo(c[2]);
            } else {
                assertThat(id.group(1)).as(label).matches("[0-9a-f-]{36}");
            }
            assertThat(r.body()).as(label).contains("\"correlationId\":\"" + id.group(1) + "\"");
        }
    }

    /** A POST of {@code body} (its characters sent as ISO-8859-1 bytes) with the given Content-Type, if any. */
    private Raw post(String path, String token, String contentType, String body) throws IOException {
        return raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
    }

    @Test
    void aBodyIsApplicationJsonInUtf8AndAnyOtherContentTypeIsA415ProblemNeverA500() throws Exception {
        String token = TestTokens.fleetManager();
        String device =
                "{\"imei\":\"490154203237518\",\"serialNumber\":\"S1\",\"model\":\"M\",\"kind\":\"DEVICE_KIND_PHONE\"}";
        for (String type : new String[] {
            ";;;", // not a media type
            "application/json; charset=nonsense", // a charset nobody knows
            "application/json; charset=ISO-8859-1", // decoded as UTF-8 all the same
            "application/json; charset=UTF-16",
            "*/*",
            "application/*",
            "", // announced empty
            null // a body without a type
        }) {
            LAST_HEADERS.set(null);
            Raw r = post("/api/v1/devices", token, type, device);
            assertThat(r.status()).as("Content-Type %s", type).isEqualTo(415);
            assertThat(r.headers())
                    .as("Content-Type %s", type)
                    .containsIgnoringCase("content-type: application/problem+json")
                    .containsIgnoringCase("x-content-type-options: nosniff");
            assertThat(r.body())
                    .as("Content-Type %s", type)
                    .contains("\"status\":415")
                    .contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\"")
                    .contains("\"correlationId\":");
            assertThat(LAST_HEADERS.get())
                    .as("Content-Type %s: the service was not called", type)
                    .isNull();
        }
        for (String type : new String[] {
            "application/json",
            "application/json; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
            "Application/JSON"
        }) {
            assertThat(post("/api/v1/devices", token, type, device).status())
                    .as("Content-Type %s", type)
                    .isEqualTo(200);
        }
        // a call without a body needs no type
        assertThat(post("/api/v1/devices", token, null, "").status()).isEqualTo(200);
    }

    @Test
    void aBodyInAContentCodingIsA415ProblemNeverReadAsItsBytes() throws Exception {
        String token = TestTokens.fleetManager();
        String device =
                "{\"imei\":\"490154203237518\",\"serialNumber\":\"S1\",\"model\":\"M\",\"kind\":\"DEVICE_KIND_PHONE\"}";
        var zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write(device.getBytes(StandardCharsets.UTF_8));
        }
        for (String[] c : new String[][] {
            {"gzip", new String(zipped.toByteArray(), StandardCharsets.ISO_8859_1)}, // really compressed
            {"gzip", device}, // said compressed, sent plain: the service got it as it came
            {"br", device},
            {"identity, gzip", device}
        }) {
            LAST_HEADERS.set(null);
            Raw r = raw("POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Encoding: " + c[0] + "\r\nContent-Length: "
                    + c[1].length() + "\r\nConnection: close\r\n\r\n" + c[1]);
            String label = c[0] + (c[1].equals(device) ? " (plain)" : " (compressed)");
            assertThat(r.status()).as(label).isEqualTo(415);
            assertThat(r.headers()).as(label).containsIgnoringCase("content-type: application/problem+json");
            assertThat(r.body()).as(label).contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\"");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", label)
                    .isNull();
        }
        Raw identity = raw("POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Encoding: identity\r\nContent-Length: "
                + device.length() + "\r\nConnection: close\r\n\r\n" + device);
        assertThat(identity.status()).isEqualTo(200);
    }

    @Test
    void aBodyThatIsNotUtf8IsA400ProblemAndNeverReachesTheServiceAltered() throws Exception {
        String token = TestTokens.fleetManager();
        for (String[] model : new String[][] {
            {"Soci\u00e9t\u00e9", "ISO-8859-1 'e acute', one byte E9"},
            {"X\u00ed\u00a0\u0080", "a surrogate written in three bytes, ED A0 80"},
            {"X\u00c0\u00ae", "an overlong '.', C0 AE"},
            {"X\u00ff", "FF, never in UTF-8"},
            {"X\u00c3", "a sequence cut short at the end of the text, C3"}
        }) {
            LAST_HEADERS.set(null);
            Raw r = post(
                    "/api/v1/devices",
                    token,
                    "application/json",
                    "{\"imei\":\"490154203237518\",\"model\":\"" + model[0] + "\"}");
            assertThat(r.status()).as(model[1]).isEqualTo(400);
            assertThat(r.headers()).as(model[1]).containsIgnoringCase("content-type: application/problem+json");
            assertThat(r.body())
                    .as(model[1])
                    .contains("\"code\":\"INVALID_ARGUMENT\"")
                    .contains("UTF-8");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", model[1])
                    .isNull();
        }
        // the same text in UTF-8 (C3 A9) goes through as it was written
        Raw utf8 = post(
                "/api/v1/devices",
                token,
                "application/json",
                "{\"imei\":\"490154203237518\",\"model\":\"Soci\u00c3\u00a9t\u00c3\u00a9\"}");
        assertThat(utf8.status()).isEqualTo(200);
        assertThat(utf8.body()).contains("\"model\":\"Soci\u00e9t\u00e9\"");
    }

    @Test
    void aParameterGivenUnderItsTwoNamesIsGivenTwice() throws Exception {
        String token = TestTokens.fleetManager();
        for (String[] c : new String[][] {
            {"page_size=1&pageSize=500", "page_size"},
            {"pageSize=500&page_size=1", "page_size"},
            {"unit_code=GN-A&unitCode=GN-B", "unit_code"}
        }) {
            LAST_HEADERS.set(null);
            var r = send("GET", "/api/v1/devices?" + c[0], token, null, null);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains("\"field\":\"" + c[1] + "\"").contains("given 2 times");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", c[0])
                    .isNull();
        }
    }

    @Test
    void escapesThatAreNotUtf8AndRawBytesInTheTargetAre400ProblemsNeverPassedOn() throws Exception {
        String token = TestTokens.fleetManager();
        for (String target : new String[] {
            "/api/v1/devices/%C3%28", // C3 then '(': not UTF-8
            "/api/v1/devices/%C0%AE%C0%AE", // overlong '..'
            "/api/v1/devices?unit_code=GN%E9", // ISO-8859-1
            "/api/v1/devices?unit_code=GN%ED%A0%80", // a surrogate
            "/api/v1/devices?unit_code=GN%C3", // cut short
            "/api/v1/devices?unit_code=GN\u00e9", // a raw byte E9
            "/api/v1/devices?unit_code=GN\u00c3\u00a9", // raw UTF-8 bytes, not escaped
            "/api/v1/devices/4901\u00c3\u00a9"
        }) {
            LAST_HEADERS.set(null);
            Raw r = raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(r.headers())
                    .as(target)
                    .containsIgnoringCase("content-type: application/problem+json")
                    .containsIgnoringCase("x-content-type-options: nosniff");
            assertThat(r.body()).as(target).contains("\"status\":400");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", target)
                    .isNull();
        }
        var accented = send("GET", "/api/v1/devices?unit_code=GN%C3%A9", token, null, null);
        assertThat(accented.statusCode()).isEqualTo(200);
        assertThat(accented.body()).contains("|GN\u00e9\"");
    }

    @Test
    void aHeaderThatMustBeSingleGivenTwiceIsA400ProblemNeverServedUnderEitherValue() throws Exception {
        String manager = "Authorization: Bearer " + TestTokens.fleetManager() + "\r\n";
        String supplier = "Authorization: Bearer " + TestTokens.supplier("SUP-1") + "\r\n";
        String basic = "Authorization: Basic Zm9vOmJhcg==\r\n";
        String device =
                "{\"imei\":\"490154203237518\",\"serialNumber\":\"S1\",\"model\":\"M\",\"kind\":\"DEVICE_KIND_PHONE\"}";
        var answers = new java.util.LinkedHashMap<String, String>();
        for (String[] c : new String[][] {
            {"two bearer tokens, the fleet manager's first", "GET", manager + supplier},
            {"two bearer tokens, the supplier's first", "GET", supplier + manager},
            {"a bearer token then Basic", "GET", manager + basic},
            {"Basic then a bearer token", "GET", basic + manager},
            {"the same token twice", "GET", manager + manager},
            {"two Idempotency-Keys", "POST", manager + "Idempotency-Key: key-a\r\nIdempotency-Key: key-b\r\n"},
            {"two correlation ids", "GET", manager + "X-Correlation-Id: corr-a\r\nX-Correlation-Id: corr-b\r\n"},
            {"two content types", "POST", manager + "Content-Type: text/plain\r\n"}
        }) {
            LAST_HEADERS.set(null);
            String request = c[1].equals("GET")
                    ? "GET /api/v1/devices/490154203237518 HTTP/1.1\r\n"
                    : "POST /api/v1/devices HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                            + device.length() + "\r\n";
            Raw r = raw(request + "Host: localhost\r\n" + c[2] + "Connection: close\r\n\r\n"
                    + (c[1].equals("GET") ? "" : device));
            answers.put(c[0], r.status() + (LAST_HEADERS.get() == null ? "" : ", served"));
            if (r.status() != 400) {
                continue; // every case is reported at the end
            }
            assertThat(r.headers())
                    .as(c[0])
                    .containsIgnoringCase("content-type: application/problem+json")
                    .containsIgnoringCase("x-content-type-options: nosniff")
                    .doesNotContainIgnoringCase("corr-a")
                    .doesNotContainIgnoringCase("corr-b");
            assertThat(r.body()).as(c[0]).contains("\"status\":400").contains("given 2 times");
            assertThat(LAST_HEADERS.get())
                    .as("%s: the service was not called", c[0])
                    .isNull();
        }
        assertThat(answers)
                .as("refused, never served")
                .allSatisfy((label, answer) -> assertThat(answer).as(label).isEqualTo("400"));
        // once each, the same request is served
        Raw once = raw("POST /api/v1/devices HTTP/1.1\r\nHost: localhost\r\n" + manager
                + "Content-Type: application/json\r\nIdempotency-Key: key-a\r\nX-Correlation-Id: corr-a\r\n"
                + "Content-Length: " + device.length() + "\r\nConnection: close\r\n\r\n" + device);
        assertThat(once.status()).isEqualTo(200);
        assertThat(once.headers()).containsIgnoringCase("x-correlation-id: corr-a");
    }

    @Test
    void anAcceptAJsonRouteCannotAnswerIsA406ProblemAndWhatBrowsersSendStillGetsJson() throws Exception {
        String token = TestTokens.fleetManager();
        var answers = new java.util.LinkedHashMap<String, String>();
        for (String accept : new String[] {
            "text/csv",
            "application/xml",
            "text/html",
            "image/*",
            "text/csv, application/xml;q=0.5",
            "application/json;q=0, */*"
        }) {
            LAST_HEADERS.set(null);
            var r = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/devices/490154203237518"))
                            .header("Authorization", "Bearer " + token)
                            .header("Accept", accept)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            answers.put(
                    accept,
                    r.statusCode() + " "
                            + r.headers().firstValue("Content-Type").orElse("-")
                            + (LAST_HEADERS.get() == null ? "" : ", served"));
            if (r.statusCode() == 406) {
                assertThat(r.body())
                        .as(accept)
                        .contains("\"code\":\"NOT_ACCEPTABLE\"")
                        .contains("application/json");
                assertThat(LAST_HEADERS.get())
                        .as("%s: the service was not called", accept)
                        .isNull();
            }
        }
        assertThat(answers)
                .allSatisfy((accept, answer) ->
                        assertThat(answer).as("Accept: %s", accept).isEqualTo("406 application/problem+json"));
        // what browsers, the console (fetch: */*), axios and curl send, none, or an Accept that is no media type
        for (String accept : new String[] {
            "*/*",
            "application/json, text/plain, */*",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", // Java's HttpURLConnection (Android)
            "application/*",
            "application/json;charset=utf-8",
            ";;;",
            null
        }) {
            HttpRequest.Builder b = HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/api/v1/devices/490154203237518"))
                    .header("Authorization", "Bearer " + token);
            if (accept != null) {
                b.header("Accept", accept);
            }
            var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("Accept: %s", accept).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .as("Accept: %s", accept)
                    .contains("application/json");
        }
        // a download answers its file's type: never refused here for its Accept (the order service is down here)
        var csv = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + port + "/api/v1/agreements/AG-1/statements/2026/11:csv"))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "text/csv")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isNotEqualTo(406);
    }

    /** An answer read off a raw socket. */
    record Raw(int status, String headers, String body) {}

    private Raw raw(String request) throws IOException {
        try (var socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String head = end < 0 ? all : all.substring(0, end);
            return new Raw(Integer.parseInt(head.split(" ")[1]), head, end < 0 ? "" : all.substring(end + 4));
        }
    }

    /** The status of a GET sent as raw bytes, for request lines no well-behaved client would send. */
    private int rawStatus(String rawPath, String token) throws IOException {
        try (var socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream()
                    .write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void grpcErrorsBecomeProblemsByTheStandardTable() throws Exception {
        var bad = send("GET", "/api/v1/devices/000000000000000", TestTokens.fleetManager(), null, "c-1");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(bad.body())
                .contains("\"code\":\"INVALID_ARGUMENT\"")
                .contains("\"field\":\"imei\"")
                .contains("\"correlationId\":\"c-1\"");
        assertThat(send("GET", "/api/v1/devices/404000000000000", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/devices/409000000000000", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .isEqualTo(409);
        assertThat(send("GET", "/api/v1/devices/403000000000000", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .isEqualTo(403);
        var internal = send("GET", "/api/v1/devices/500000000000000", TestTokens.fleetManager(), null, null);
        assertThat(internal.statusCode()).isEqualTo(500);
        assertThat(internal.body()).contains("internal error").doesNotContain("secret stack detail");
    }

    @Test
    void unknownRoutesMethodsMediaTypesAndParametersAreExplained() throws Exception {
        String token = TestTokens.fleetManager();
        assertThat(send("GET", "/api/v1/nothing-here", token, null, null).statusCode())
                .isEqualTo(404);
        var wrongMethod = send("DELETE", "/api/v1/devices", token, null, null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow"))
                .hasValueSatisfying(a -> assertThat(a).contains("GET"));
        var badParam = send("GET", "/api/v1/devices?state=SOLD", token, null, null);
        assertThat(badParam.statusCode()).isEqualTo(400);
        assertThat(badParam.body()).contains("\"field\":\"state\"").contains("IN_STOCK");
        var badJson = send("POST", "/api/v1/devices", token, "{\"imei\":", null);
        assertThat(badJson.statusCode()).isEqualTo(400);
        HttpResponse<String> xml = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/devices"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/xml")
                        .POST(HttpRequest.BodyPublishers.ofString("<device/>"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(xml.statusCode()).isEqualTo(415);
    }

    @Test
    void onlyHealthIsOpenOutsideTheApi() throws Exception {
        assertThat(send("GET", "/actuator/env", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .isIn(403, 404);
        assertThat(send("GET", "/elsewhere", TestTokens.fleetManager(), null, null)
                        .statusCode())
                .isIn(403, 404);
    }

    @Test
    void eachRequestIsTimedOnceUnderItsOperationAndEachBackendCallUnderItsMethodAndStatus() throws Exception {
        String token = TestTokens.fleetManager();
        String ok =
                "http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"200\",uri=\"/api/v1/devices/\\{imei\\}\"";
        String missing = "http_server_requests_seconds_count\\{[^}]*status=\"404\",uri=\"/api/v1/devices/\\{imei\\}\"";
        String unauthenticated = "http_server_requests_seconds_count\\{[^}]*status=\"401\",uri=\"UNKNOWN\"";
        String callOk = "grpc_client_seconds_count\\{[^}]*grpc_status_code=\"OK\"[^}]*rpc_method=\"GetDevice\"";
        String callMissing =
                "grpc_client_seconds_count\\{[^}]*grpc_status_code=\"NOT_FOUND\"[^}]*rpc_method=\"GetDevice\"";
        String before = prometheus();
        assertThat(send("GET", "/api/v1/devices/490154203237518", token, null, null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/api/v1/devices/490154203237518", token, null, null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/api/v1/devices/404154203237518", token, null, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/devices/490154203237518", null, null, null)
                        .statusCode())
                .isEqualTo(401);
        String after = prometheus();
        // once each: no second timer (Spring's own, which named every API call UNKNOWN) counts them again
        assertThat(count(after, ok) - count(before, ok)).isEqualTo(2);
        assertThat(count(after, missing) - count(before, missing)).isEqualTo(1);
        assertThat(count(after, unauthenticated) - count(before, unauthenticated))
                .isEqualTo(1);
        assertThat(count(after, callOk) - count(before, callOk)).isEqualTo(2);
        assertThat(count(after, callMissing) - count(before, callMissing)).isEqualTo(1);
        assertThat(count(after, "http_server_requests_seconds_count\\{[^}]*status=\"200\",uri=\"UNKNOWN\""))
                .isZero();
        assertThat(after)
                .contains("http_server_requests_seconds_bucket{") // histograms, for the dashboard's p99
                .contains("grpc_client_seconds_bucket{");
    }

    private String prometheus() throws Exception {
        var r = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the one series the pattern picks out, 0 if none. */
    private static long count(String prometheus, String series) {
        var m = java.util.regex.Pattern.compile("(?m)^" + series + "[^}]*} ([0-9.eE+]+)$")
                .matcher(prometheus);
        if (!m.find()) {
            return 0;
        }
        long value = (long) Double.parseDouble(m.group(1));
        assertThat(m.find()).as("one series for " + series).isFalse();
        return value;
    }

    @Test
    void probesAndMetricsAreOnTheManagementPortOnly() throws Exception {
        String management = "http://localhost:" + managementPort;
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(management + "/actuator/health/readiness"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
        var metrics = http.send(
                HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        // the public port has neither
        for (String path : new String[] {"/actuator/health/readiness", "/actuator/prometheus", "/actuator/health"}) {
            var r = send("GET", path, TestTokens.fleetManager(), null, null);
            assertThat(r.statusCode()).as(path).isIn(403, 404);
            assertThat(r.body()).as(path).doesNotContain("jvm_memory").doesNotContain("UP");
        }
    }

    private HttpResponse<String> send(String method, String path, String token, String body, String correlationId)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (correlationId != null) {
            b.header("X-Correlation-Id", correlationId);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
