package fr.interieur.neogend.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Metadata;
import io.grpc.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an unauthenticated caller can make the gateway do (OWASP API4): device uploads are refused
 * on their credential before their body is read; failed authentications are limited per client
 * address before authentication (a flood of bad tokens or invented device credentials gets 429),
 * one address's flood does not limit another, and made-up key ids never make the gateway fetch the
 * realm's keys per request. The gateway trusts 127.0.0.1 as a proxy here, so each test speaks for
 * addresses of its own through X-Forwarded-For.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "logging.structured.format.console=",
            "neogend.gateway.clock-skew=0s",
            "management.server.port=0",
            "neogend.gateway.auth-failures.per-second=0.5",
            "neogend.gateway.auth-failures.burst=5",
            "neogend.gateway.device-max-body-bytes=2048",
            "neogend.gateway.trusted-proxies=127.0.0.1,::1"
        })
class DeviceUploadsIT {

    static final AtomicInteger JWKS_FETCHES = new AtomicInteger();
    static final AtomicInteger CHECKS = new AtomicInteger();
    static final AtomicInteger UPLOADS = new AtomicInteger();
    static final HttpServer JWKS = StandIns.jwks(JWKS_FETCHES);
    static final Server INVENTORY = StandIns.inventory(new AtomicReference<Metadata>());
    /** Credentials telemetry issued besides {@link StandIns#DEVICE_CREDENTIAL}, and those it revoked since. */
    static final java.util.Set<String> ISSUED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static final java.util.Set<String> REVOKED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Server TELEMETRY = StandIns.telemetry(CHECKS, UPLOADS, (java.util.function.Predicate<String>)
            credential -> (credential.equals(StandIns.DEVICE_CREDENTIAL) || ISSUED.contains(credential))
                    && !REVOKED.contains(credential));
    /** The key telemetry tags its credentials with, shared with the gateway (ADR 0026). */
    static final String TAG_KEY =
            java.util.Base64.getEncoder().encodeToString("k".repeat(32).getBytes());

    static final String READINGS = "/api/v1/device-readings";
    static final String BATCH = "{\"readings\":[{\"sequence\":\"1\",\"batteryPercent\":50}]}";
    static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    /** The client address this test speaks for (X-Forwarded-For from the trusted local proxy). */
    String address;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> TestTokens.ISSUER);
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/certs");
        registry.add("neogend.gateway.backends.inventory", () -> "localhost:" + INVENTORY.getPort());
        registry.add("neogend.gateway.backends.telemetry", () -> "localhost:" + TELEMETRY.getPort());
        registry.add("neogend.gateway.device-credentials.tag-key", () -> TAG_KEY);
    }

    @AfterAll
    static void stop() {
        INVENTORY.shutdownNow();
        TELEMETRY.shutdownNow();
        JWKS.stop(0);
    }

    @BeforeEach
    void newAddress() {
        address = "198.51.100." + NEXT_ADDRESS.getAndIncrement();
    }

    HttpResponse<String> upload(String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + READINGS))
                .header("X-Forwarded-For", address)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("X-Forwarded-For", address)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUploadWithoutAValidCredentialIs401NotABodyError() throws Exception {
        int checks = CHECKS.get();
        int uploads = UPLOADS.get(); // counted over the class: another test may have uploaded before this one
        for (String authorization :
                new String[] {null, "Device nonsense", "Bearer x.y.z", "Device " + "g".repeat(68)}) {
            var r = upload(authorization, "{");
            assertThat(r.statusCode()).as(authorization).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(r.body()).doesNotContain("JSON");
        }
        assertThat(CHECKS.get())
                .as("malformed credentials are refused without asking telemetry")
                .isEqualTo(checks);
        // a well-formed one that telemetry does not know: one check, still 401, body never parsed
        var invented = upload("Device " + "ab".repeat(12) + "." + "B".repeat(43), "{");
        assertThat(invented.statusCode()).isEqualTo(401);
        assertThat(invented.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Device"));
        assertThat(CHECKS.get()).isEqualTo(checks + 1);
        assertThat(UPLOADS.get() - uploads).as("nothing reached the upload").isZero();
    }

    @Test
    void aValidCredentialIsCheckedOnceThenRemembered() throws Exception {
        int checks = CHECKS.get();
        int uploads = UPLOADS.get();
        for (int i = 0; i < 3; i++) {
            var r = upload("Device " + StandIns.DEVICE_CREDENTIAL, BATCH);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"stored\":1");
        }
        assertThat(CHECKS.get() - checks)
                .as("telemetry asked at most once for three uploads")
                .isLessThanOrEqualTo(1);
        assertThat(UPLOADS.get() - uploads).isEqualTo(3);
        // a person's token is no device credential
        assertThat(upload("Bearer " + TestTokens.fleetManager(), BATCH).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aDeviceBatchHasItsOwnSmallerBodyLimit() throws Exception {
        String big = "{\"readings\":[" + "{\"sequence\":\"1\"},".repeat(200) + "{\"sequence\":\"2\"}]}";
        assertThat(big.length()).isGreaterThan(2048);
        var r = upload("Device " + StandIns.DEVICE_CREDENTIAL, big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("2048");
    }

    @Test
    void aBodyThatNeverEndsDoesNotHoldARefusal() throws Exception {
        for (String authorization :
                new String[] {"", "Authorization: Device " + "cd".repeat(12) + "." + "C".repeat(43) + "\r\n"}) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + READINGS + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "X-Forwarded-For: " + address + "\r\n" + authorization
                                + "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush(); // and never the last chunk
                String status = new BufferedReader(
                                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                assertThat(status).as("answered while the body is still coming").startsWith("HTTP/1.1 401");
            }
        }
    }

    @Test
    void aFloodOfInventedDeviceCredentialsGets429ThenCostsNoCheck() throws Exception {
        // an honest device behind the same address (a carrier's NAT) uploaded before the flood
        assertThat(upload("Device " + StandIns.DEVICE_CREDENTIAL, BATCH).statusCode())
                .isEqualTo(200);
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 12; i++) {
            String invented = "Device " + String.format("%024x", i + 1000L) + "." + "D".repeat(43);
            var r = upload(invented, BATCH);
            statuses.add(r.statusCode());
            if (r.statusCode() == 429 && limited == null) {
                limited = r;
            }
        }
        assertThat(statuses.subList(0, 5)).containsOnly(401);
        assertThat(statuses.subList(6, 12)).containsOnly(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(limited.body()).contains("RESOURCE_EXHAUSTED");
        int checks = CHECKS.get();
        upload("Device " + "ef".repeat(12) + "." + "E".repeat(43), BATCH);
        assertThat(CHECKS.get())
                .as("a limited address makes no call to telemetry")
                .isEqualTo(checks);
        // the honest device, verified already, still uploads from the flooded address
        assertThat(upload("Device " + StandIns.DEVICE_CREDENTIAL, BATCH).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aFloodOfBadTokensGets429AndDoesNotLimitAnotherAddress() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(
                    get("/api/v1/devices/490154203237518", "not-a-token-" + i).statusCode());
        }
        assertThat(statuses.subList(0, 5)).containsOnly(401);
        assertThat(statuses.subList(6, 10)).containsOnly(429);
        // a valid token verified before the flood still passes from the flooded address
        String flooded = address;
        newAddress();
        String token = TestTokens.user("known.user", "auditor", "GN");
        assertThat(get("/api/v1/devices/490154203237518", token).statusCode()).isEqualTo(200);
        address = flooded;
        assertThat(get("/api/v1/devices/490154203237518", token).statusCode()).isEqualTo(200);
        // another address is not limited by it
        newAddress();
        assertThat(get("/api/v1/devices/490154203237518", "not-a-token").statusCode())
                .isEqualTo(401);
        assertThat(get("/api/v1/devices/490154203237518", TestTokens.user("other.user", "auditor", "GN"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void anAddressThatSpentItsFailuresGets429OnEveryPathItSendsATokenTo() throws Exception {
        for (int i = 0; i < 10; i++) {
            get("/api/v1/devices/490154203237518", "not-a-token-" + i);
        }
        assertThat(get("/api/v1/devices/490154203237518", "not-a-token").statusCode())
                .isEqualTo(429);
        // the same API path written otherwise, or a path of no route: every forged token still cost a check
        for (String path : List.of("/%61pi/v1/devices/490154203237518", "/x", "/api%2Fv1/devices")) {
            assertThat(get(path, "forged-" + path.length()).statusCode())
                    .as(path)
                    .isEqualTo(429);
        }
        // without a credential the address still gets what needs none (the console's pages)
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/console/"))
                                        .header("X-Forwarded-For", address)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isNotEqualTo(429);
    }

    @Test
    void aRevokedCredentialTheGatewayStillLetsThroughSpendsTheAddresssFailuresAndIsThenRefusedBeforeItsBody()
            throws Exception {
        // two phones: one whose credential the gateway remembers from telemetry's check, one tagged (ADR 0026)
        String remembered = "fedcba9876543210fedcba98." + "R".repeat(43);
        String tagged = "0a1b2c3d4e5f6a7b8c9d0e1f."
                + fr.interieur.neogend.contract.DeviceCredentialTags.fromSetting("key", TAG_KEY)
                        .newSecret("0a1b2c3d4e5f6a7b8c9d0e1f", new java.security.SecureRandom());
        ISSUED.add(remembered);
        ISSUED.add(tagged);
        assertThat(upload("Device " + remembered, BATCH).statusCode()).isEqualTo(200);
        assertThat(upload("Device " + tagged, BATCH).statusCode()).isEqualTo(200);
        // an honest device behind the same address uploads too
        assertThat(upload("Device " + StandIns.DEVICE_CREDENTIAL, BATCH).statusCode())
                .isEqualTo(200);
        // both phones are stolen: telemetry revokes their credentials; they go on uploading
        REVOKED.add(remembered);
        REVOKED.add(tagged);
        int uploads = UPLOADS.get();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(upload("Device " + remembered, BATCH).statusCode());
            statuses.add(upload("Device " + tagged, BATCH).statusCode());
        }
        assertThat(UPLOADS.get() - uploads)
                .as("uploads of a revoked credential read and sent to telemetry: its first refusal only")
                .isLessThanOrEqualTo(2);
        assertThat(statuses.subList(0, 5)).as("answers: %s", statuses).containsOnly(401);
        assertThat(statuses.subList(6, 12))
                .as("each 401 spent one of the address's 5 failures: %s", statuses)
                .containsOnly(429);
        // the honest device, verified already, still uploads from the address
        assertThat(upload("Device " + StandIns.DEVICE_CREDENTIAL, BATCH).statusCode())
                .isEqualTo(200);
    }

    @Test
    void madeUpKeyIdsNeverMakeTheGatewayFetchKeysPerRequest() throws Exception {
        assertThat(get("/api/v1/devices/490154203237518", TestTokens.fleetManager())
                        .statusCode())
                .isEqualTo(200);
        int fetches = JWKS_FETCHES.get();
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var key = generator.generateKeyPair();
        for (int i = 0; i < 4; i++) { // 4 addresses x 4 tokens: never limited by the failure count (burst 5)
            newAddress();
            for (int j = 0; j < 4; j++) {
                SignedJWT jwt = new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.RS256)
                                .keyID(UUID.randomUUID().toString())
                                .build(),
                        new JWTClaimsSet.Builder()
                                .issuer(TestTokens.ISSUER)
                                .subject("x")
                                .audience("neogend-api")
                                .expirationTime(Date.from(Instant.now().plusSeconds(60)))
                                .build());
                jwt.sign(new RSASSASigner(key.getPrivate()));
                assertThat(get("/api/v1/devices/490154203237518", jwt.serialize())
                                .statusCode())
                        .isEqualTo(401);
            }
        }
        assertThat(JWKS_FETCHES.get() - fetches)
                .as("16 unknown key ids, at most one fetch (30 s apart)")
                .isLessThanOrEqualTo(1);
    }
}
