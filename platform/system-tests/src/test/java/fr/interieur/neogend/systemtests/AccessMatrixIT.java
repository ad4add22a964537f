package fr.interieur.neogend.systemtests;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Executes {@code docs/access-matrix.md}: every route with every identity, against the whole suite
 * as {@code make run} starts it; and checks that every route of the API has its row.
 */
@ExtendWith(SharedStack.class)
@Order(12)
class AccessMatrixIT {

    static final Path ROOT = Path.of(System.getProperty("neogend.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static Stack stack;
    static TokenClient tokens;
    /** Column name → bearer token (null: none). */
    static final Map<String, String> IDENTITIES = new LinkedHashMap<>();

    static final Map<String, String> FIXTURES = new LinkedHashMap<>();

    /** One row of the table. */
    record Row(String method, String path, String rpc, List<String> cells) {}

    @BeforeAll
    static void startSuite() throws Exception {
        stack = SharedStack.get().stack();
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        DemoData.loadUnits(stack.gatewayUrl(), fleet);
        DemoData.loadAgreement(stack.gatewayUrl(), fleet);

        // {device}: a phone of GN-RBRE-GGD35, returned; {pack}: its pack
        String imei = DemoData.imei(700);
        var registered = send("POST", "/api/v1/devices", fleet, """
                {"imei":"%s","serialNumber":"MX-700","model":"Rugged X5","kind":"DEVICE_KIND_PHONE",
                 "packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"GN-RBRE-GGD35"}""".formatted(imei));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        String pack = registered.body().replaceAll(".*\"packId\":\"(PK-[0-9]+)\".*", "$1");
        assertThat(send("POST", "/api/v1/devices/" + imei + ":markForReturn", fleet, "{}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/devices/" + imei + ":return", fleet, "{}")
                        .statusCode())
                .isEqualTo(200);
        // {order}: sent to the supplier (simulator)
        var order = send("POST", "/api/v1/purchase-orders", fleet, """
                {"agreementId":"AC-2026-NEOGEND","deliverySite":"Rennes","requestedDate":{"year":2026,"month":12,"day":15},
                 "lines":[{"itemCode":"ACC-SD-64GB","quantity":"5"}]}""");
        assertThat(order.statusCode()).as(order.body()).isEqualTo(200);
        String number = order.body().replaceAll(".*\"number\":\"([^\"]+)\".*", "$1");
        send("POST", "/api/v1/purchase-orders/" + number + ":submit", fleet, "{}");
        send("POST", "/api/v1/purchase-orders/" + number + ":approve", fleet, "{}");
        long until = System.nanoTime() + 60_000_000_000L;
        while (!send("GET", "/api/v1/purchase-orders/" + number, fleet, null)
                .body()
                .contains("ORDER_STATE_SENT")) {
            assertThat(System.nanoTime())
                    .as(
                            "order sent within 60 s (the relay polls every second; a loaded machine, or its circuit breaker open 30 s, makes it late)")
                    .isLessThan(until);
            Thread.sleep(200);
        }
        FIXTURES.put("{device}", imei);
        FIXTURES.put("{pack}", pack);
        FIXTURES.put("{unit}", "GN-RBRE-GGD35");
        FIXTURES.put("{agreement}", "AC-2026-NEOGEND");
        FIXTURES.put("{order}", number);
        FIXTURES.put("{unknown-number}", "999999");
        FIXTURES.put("{unknown}", "X-999999");

        IDENTITIES.put("fleet-manager", fleet);
        IDENTITIES.put("unit-manager", tokens.password("unit.manager", "unit.manager"));
        IDENTITIES.put("unit-manager (sibling)", tokens.password("unit.manager.ggd29", "unit.manager.ggd29"));
        IDENTITIES.put("technician", tokens.password("technician", "technician"));
        String auditor = tokens.password("auditor", "auditor");
        IDENTITIES.put("auditor", auditor);
        IDENTITIES.put("supplier", tokens.clientCredentials("supplier-demo", "supplier-demo-secret"));
        IDENTITIES.put("other supplier", tokens.clientCredentials("supplier-other", "supplier-other-secret"));
        IDENTITIES.put("no token", null);
        IDENTITIES.put("expired token", SuiteTokens.expired(stack, tokens));
        IDENTITIES.put("foreign issuer", foreignIssuer(auditor));
    }

    static List<String> columns;

    static List<Row> table() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/access-matrix.md"))) {
            if (!line.startsWith("| ")) {
                continue;
            }
            String[] c = line.substring(1, line.length() - 1).split("\\|");
            List<String> cells = new ArrayList<>();
            for (String s : c) {
                cells.add(s.trim());
            }
            if (cells.get(0).equals("Method")) {
                columns = cells.subList(3, cells.size());
            } else if (cells.get(0).matches("GET|POST|PUT|PATCH|DELETE")) {
                rows.add(new Row(
                        cells.get(0), cells.get(1).replace("`", ""), cells.get(2), cells.subList(3, cells.size())));
            }
        }
        return rows;
    }

    @Test
    void everyRouteOfTheApiHasItsRow() throws Exception {
        List<Row> rows = table();
        var documented = new TreeSet<String>();
        rows.forEach(r -> documented.add(r.method() + " "
                + r.path().replaceAll("\\{[a-z-]+}", "*").replaceAll("/20[0-9]{2}/[0-9]{1,2}", "/*/*")));
        var routes = new TreeSet<String>();
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        AnnotationsProto.registerAllExtensions(registry);
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/neogend/descriptors.binpb")) {
            assertThat(in).as("the descriptor set of the protos").isNotNull();
            for (var file : FileDescriptorSet.parseFrom(in, registry).getFileList()) {
                if (!file.getPackage().startsWith("neogend.")) {
                    continue;
                }
                for (var service : file.getServiceList()) {
                    for (MethodDescriptorProto m : service.getMethodList()) {
                        // a server-streaming RPC with a REST route is a download the gateway streams
                        if (m.getClientStreaming() || !m.getOptions().hasExtension(AnnotationsProto.http)) {
                            continue;
                        }
                        HttpRule rule = m.getOptions().getExtension(AnnotationsProto.http);
                        String verb = switch (rule.getPatternCase()) {
                            case GET -> "GET " + rule.getGet();
                            case POST -> "POST " + rule.getPost();
                            case PUT -> "PUT " + rule.getPut();
                            case PATCH -> "PATCH " + rule.getPatch();
                            case DELETE -> "DELETE " + rule.getDelete();
                            default -> throw new AssertionError(m.getName() + ": unexpected rule " + rule);
                        };
                        routes.add(verb.replaceAll("\\{[a-z_]+}", "*"));
                    }
                }
            }
        }
        assertThat(routes).hasSizeGreaterThan(70);
        assertThat(documented).as("routes of docs/access-matrix.md").containsExactlyElementsOf(routes);
        assertThat(columns).containsExactlyElementsOf(IDENTITIES.keySet());
        assertThat(rows).allSatisfy(r -> assertThat(r.cells()).hasSameSizeAs(columns));
    }

    @Test
    void everyIdentityGetsWhatTheTableSaysOnEveryRoute() throws Exception {
        List<Row> rows = table();
        List<String> mismatches = new ArrayList<>();
        int calls = 0;
        for (Row row : rows) {
            String path = row.path();
            for (var f : FIXTURES.entrySet()) {
                path = path.replace(f.getKey(), f.getValue());
            }
            for (int i = 0; i < columns.size(); i++) {
                String expected = row.cells().get(i);
                var response = send(
                        row.method(),
                        path,
                        IDENTITIES.get(columns.get(i)),
                        row.method().equals("GET") ? null : "{}");
                calls++;
                int status = response.statusCode();
                boolean matches = switch (expected) {
                    case "ok" -> status != 401 && status != 403 && status < 500;
                    case "400", "401", "403", "404" -> status == Integer.parseInt(expected);
                    default -> throw new AssertionError("unknown cell '" + expected + "' in " + row);
                };
                if (!matches) {
                    mismatches.add(row.method() + " " + row.path() + " as " + columns.get(i) + ": expected " + expected
                            + ", got " + status + " " + abbreviate(response.body()));
                }
                if (status >= 400) {
                    assertThat(response.body())
                            .as(row + " " + columns.get(i))
                            .doesNotContain("Exception")
                            .doesNotContain("\tat ");
                }
            }
        }
        System.out.println("access matrix: " + rows.size() + " routes x " + columns.size() + " identities = " + calls
                + " calls, " + mismatches.size() + " mismatches");
        assertThat(mismatches)
                .as("cells of docs/access-matrix.md that do not hold")
                .isEmpty();
    }

    private static String abbreviate(String body) {
        return body.length() > 160 ? body.substring(0, 160) + "…" : body;
    }

    /** Every number a JSON answer gives for a field (proto JSON writes int64 as strings). */
    static List<Long> numbers(String json, String field) {
        List<Long> out = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"" + field + "\":\"?([0-9]+)").matcher(json);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    static long sum(String json, String field) {
        return numbers(json, field).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The devices this class registers for the telemetry views are of a model of their own, so that the
     * views' lines of it count them alone on a stack other classes share (SharedStack).
     */
    static final String MODEL = "Matrix X5";

    /** The sum of a field over the lines of {@link #MODEL} in a compliance answer. */
    static long sumOfModel(String json, String field) {
        long total = 0;
        var lines = java.util.regex.Pattern.compile("\\{[^{}]*\"model\":\"" + MODEL + "\"[^{}]*}")
                .matcher(json);
        while (lines.find()) {
            total += sum(lines.group(), field);
        }
        return total;
    }

    /**
     * What the views return, not only their status: three devices (of a model of their own) report, two in
     * GN-RBRE and one in GN-RIDF; the technician of GN-RBRE sees two in every telemetry view, the fleet
     * manager three.
     */
    @Test
    void telemetryViewsAnswerWithinTheCallersReach() throws Exception {
        String fleet = IDENTITIES.get("fleet-manager");
        String technician = IDENTITIES.get("technician");
        Map<Integer, String> units = Map.of(701, "GN-RBRE-GGD35", 702, "GN-RBRE-GGD35-CIE1", 703, "GN-RIDF-GGD77");
        for (var d : new java.util.TreeMap<>(units).entrySet()) {
            String imei = DemoData.imei(d.getKey());
            var registered =
                    send("POST", "/api/v1/devices", fleet, """
                    {"imei":"%s","serialNumber":"MX-%d","model":"%s","kind":"DEVICE_KIND_PHONE",
                     "packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"%s"}""".formatted(imei, d.getKey(), MODEL, d.getValue()));
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            var enrolled = send("POST", "/api/v1/devices/" + imei + ":enroll", fleet, "{}");
            String credential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");
            var upload = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                                    .header("Authorization", "Device " + credential)
                                    .header("Content-Type", "application/json")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            """
                            {"readings":[{"sequence":"1","recordedAt":"%s","batteryPercent":9,"network":"NETWORK_TYPE_4G",
                              "securityPatchLevel":"2026-01-05"}]}""".formatted(Instant.now())))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(upload.body()).contains("\"stored\":1");
        }
        String rennes = DemoData.imei(701) + "|" + DemoData.imei(702);
        for (var view : Map.of("technician", technician, "fleet-manager", fleet).entrySet()) {
            long expected = view.getKey().equals("technician") ? 2 : 3;
            String battery = send("GET", "/api/v1/device-states:batteryHealth", view.getValue(), null)
                    .body();
            assertThat(numbers(battery, "lowTotal"))
                    .as(view.getKey() + " " + battery)
                    .containsExactly(expected);
            String compliance =
                    send("GET", "/api/v1/compliance", view.getValue(), null).body();
            assertThat(sumOfModel(compliance, "devices"))
                    .as(view.getKey() + " " + compliance)
                    .isEqualTo(expected);
            assertThat(sumOfModel(compliance, "reporting")).as(view.getKey()).isEqualTo(expected);
            if (expected == 2) {
                assertThat(battery.replaceAll(rennes, ""))
                        .as("no IMEI from outside GN-RBRE")
                        .doesNotContain(DemoData.imei(703));
                String unit = send("GET", "/api/v1/units/GN-RBRE/compliance", view.getValue(), null)
                        .body();
                assertThat(sumOfModel(unit, "devices"))
                        .as("the unit view agrees: " + unit)
                        .isEqualTo(2);
            }
        }
    }

    static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        return SuiteHttp.send(method, stack.gatewayUrl() + path, token, json);
    }

    /** The same claims, but from another issuer, signed by a key of its own. */
    static String foreignIssuer(String token) throws Exception {
        JWTClaimsSet real = SignedJWT.parse(token).getJWTClaimsSet();
        JWTClaimsSet claims = new JWTClaimsSet.Builder(real)
                .issuer("https://idp.example.org/realms/neogend")
                .issueTime(Date.from(Instant.now()))
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build();
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var keys = generator.generateKeyPair();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .type(JOSEObjectType.JWT)
                        .keyID("foreign")
                        .build(),
                claims);
        jwt.sign(new RSASSASigner(keys.getPrivate()));
        return jwt.serialize();
    }
}
