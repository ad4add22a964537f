package fr.interieur.neogend.systemtests;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.SignedJWT;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chain a client sees: real Keycloak (realm neogend), the gateway, the inventory and order
 * services and the supplier simulator as separate processes, real PostgreSQL. Tokens come from
 * Keycloak's token endpoint (staff by password grant, the supplier by client credentials).
 */
@ExtendWith(SharedStack.class)
@Order(11) // before AgreementScopeIT, which certifies the demo technician this class first sees uncertified
class GatewayEndToEndIT {

    static Stack stack;
    static TokenClient tokens;
    static OtlpCollector collector;
    static Path runDir;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startSuite() throws Exception {
        SharedStack.Running shared = SharedStack.get();
        stack = shared.stack();
        runDir = shared.runDir();
        collector = shared.collector();
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        DemoData.loadUnits(stack.gatewayUrl(), tokens.password("fleet.manager", "fleet.manager"));
        DemoData.loadAgreement(stack.gatewayUrl(), tokens.password("fleet.manager", "fleet.manager"));
    }

    @Test
    void fleetManagerRegistersGetsAndListsDevices() throws Exception {
        String token = tokens.password("fleet.manager", "fleet.manager");
        String imei = DemoData.imei(101);
        var created = post("/api/v1/devices", token, device(imei, "E2E-101", "GN-RBRE-GGD35"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).contains("\"state\":\"DEVICE_STATE_IN_STOCK\"");

        var got = get("/api/v1/devices/" + imei, token);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).contains("\"imei\":\"" + imei + "\"").contains("\"serialNumber\":\"E2E-101\"");

        var listed = get("/api/v1/devices?state=IN_STOCK&page_size=50", token);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(imei);

        var duplicate = post("/api/v1/devices", token, device(imei, "E2E-OTHER", null));
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void badImeiIsA400ProblemNamingTheField() throws Exception {
        String token = tokens.password("fleet.manager", "fleet.manager");
        var bad = post("/api/v1/devices", token, device("490154203237519", "E2E-BAD", null));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(bad.body()).contains("\"field\":\"device.imei\"").contains("Luhn");
    }

    @Test
    void requestsWithoutAValidTokenAre401() throws Exception {
        String real = tokens.password("auditor", "auditor");
        assertThat(get("/api/v1/devices", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/devices", resignedWithForeignKey(real)).statusCode())
                .isEqualTo(401);
        assertThat(get("/api/v1/devices", unsigned(real)).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/devices", SuiteTokens.expired(stack, tokens)).statusCode())
                .isEqualTo(401);
        assertThat(get("/api/v1/devices", real).statusCode()).isEqualTo(200);
    }

    /**
     * A delivery of 10,000 bad rows through the REST API: the registration's refusal (a problem) spells out
     * its first 10 errors and counts them all; the check of the same file answers every one of its 20,000
     * problems in the body (a ~2 MB answer through the gateway), the refusal's first; nothing is stored.
     */
    @Test
    void aDeliverysCheckListsEveryProblemThroughTheGatewayAndTheRefusalsFirstOnesComeFirst() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        StringBuilder rows = new StringBuilder("{\"devices\":[");
        for (int i = 0; i < 10_000; i++) { // no kind, an unknown unit: two problems a row
            rows.append(i == 0 ? "" : ",").append("""
                    {"imei":"%s","serialNumber":"CHK-%d","model":"Rugged X5","packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"GN-NOPE"}""".formatted(DemoData.imei(500_000 + i), i));
        }
        String file = rows.append("]}").toString();
        String before = get("/api/v1/devices:count", fleet).body();

        var refused = post("/api/v1/devices:registerBatch", fleet, file);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("(20000 problems in all)");
        List<String> refusedFields = fields(refused.body());
        assertThat(refusedFields).hasSize(10);

        var check = post("/api/v1/devices:checkBatch", fleet, file);
        assertThat(check.statusCode())
                .as(check.body().substring(0, Math.min(500, check.body().length())))
                .isEqualTo(200);
        assertThat(check.body()).contains("\"problemCount\":20000").contains("\"badRowCount\":10000");
        List<String> listed = fields(check.body());
        assertThat(listed).hasSize(20_000);
        assertThat(listed.subList(0, 10)).isEqualTo(refusedFields);
        assertThat(new java.util.HashSet<>(listed)).hasSize(20_000); // each field of each row once
        assertThat(get("/api/v1/devices:count", fleet).body()).isEqualTo(before);
        assertThat(post("/api/v1/devices:checkBatch", tokens.password("unit.manager", "unit.manager"), file)
                        .statusCode())
                .isEqualTo(403);
    }

    /** The fields an answer names, in order: a problem's errors or a check's problems. */
    private static List<String> fields(String json) {
        List<String> out = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"field\":\"(devices\\[[0-9]+]\\.[a-z_]+)\"")
                .matcher(json);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * The stack's Keycloak starts on a copy of a store made once with the realm file (the console at the
     * documented port 8080); its sign-in must send browsers back to this stack's console and nowhere else.
     */
    @Test
    void theConsolesSignInReturnsOnlyToThisStacksConsole() throws Exception {
        int gatewayPort = URI.create(stack.gatewayUrl()).getPort();
        assertThat(gatewayPort).isNotEqualTo(8080);
        assertThat(consoleSignIn("http://localhost:" + gatewayPort + "/console/")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> documented = consoleSignIn("http://localhost:8080/console/");
        assertThat(documented.statusCode()).isEqualTo(400);
        assertThat(documented.body()).contains("redirect");
        assertThat(consoleSignIn("http://localhost:" + gatewayPort + ".evil.example/console/")
                        .statusCode())
                .isEqualTo(400);
    }

    private static HttpResponse<String> consoleSignIn(String redirectUri) throws Exception {
        return SuiteTokens.consoleSignIn(stack.keycloak().issuer(), redirectUri);
    }

    @Test
    void auditorReadsButCannotWrite() throws Exception {
        String token = tokens.password("auditor", "auditor");
        assertThat(get("/api/v1/devices", token).statusCode()).isEqualTo(200);
        var write = post("/api/v1/devices", token, device(DemoData.imei(102), "E2E-102", null));
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.body()).contains("PERMISSION_DENIED");
    }

    @Test
    void supplierCannotTouchInventory() throws Exception {
        String token = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        assertThat(get("/api/v1/devices", token).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/devices/" + DemoData.imei(101), token).statusCode())
                .isEqualTo(403);
        assertThat(post("/api/v1/devices", token, device(DemoData.imei(103), "E2E-103", null))
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void unitManagerSeesOnlyItsUnitSubtree() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String inside = DemoData.imei(110);
        String outside = DemoData.imei(111);
        assertThat(post("/api/v1/devices", fleet, device(inside, "E2E-110", "GN-RBRE-GGD35-CIE2"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/devices", fleet, device(outside, "E2E-111", "GN-RIDF-GGD77"))
                        .statusCode())
                .isEqualTo(200);
        String manager = tokens.password("unit.manager", "unit.manager"); // unit_code GN-RBRE-GGD35
        var list = get("/api/v1/devices?page_size=500", manager);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(inside).doesNotContain(outside);
        assertThat(get("/api/v1/devices/" + outside, manager).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/devices?unit_code=GN-RIDF", manager).statusCode())
                .isEqualTo(403);

        // changes: its own device yes, a sibling unit's no (and the service checks it, not only the gateway)
        String assignment = "{\"unitCode\":\"GN-RBRE-GGD35-CIE2\",\"holderAgentId\":\"GND-7\"}";
        assertThat(post("/api/v1/devices/" + outside + ":assign", manager, assignment)
                        .statusCode())
                .isEqualTo(404);
        assertThat(post(
                                "/api/v1/devices/" + outside + ":declareLoss",
                                manager,
                                "{\"kind\":\"LOSS_KIND_STOLEN\",\"policeReportReference\":\"PV-1\"}")
                        .statusCode())
                .isEqualTo(404);
        var assigned = post("/api/v1/devices/" + inside + ":assign", manager, assignment);
        assertThat(assigned.statusCode()).isEqualTo(200);
        assertThat(assigned.body()).contains("DEVICE_STATE_ASSIGNED").contains("GND-7");
        // a stale version loses: 409, and the problem names the device
        var stale = post("/api/v1/devices/" + inside + ":unassign", manager, "{\"expectedVersion\":\"0\"}");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains(inside);
        var illegal = post("/api/v1/devices/" + inside + ":assign", manager, assignment);
        assertThat(illegal.statusCode()).isEqualTo(400);
        assertThat(illegal.body()).contains("FAILED_PRECONDITION").contains("is ASSIGNED");
        var history = get("/api/v1/devices/" + inside + "/history", manager);
        assertThat(history.statusCode()).isEqualTo(200);
        assertThat(history.body())
                .contains("\"REGISTER\"")
                .contains("\"ASSIGN\"")
                .contains("unit.manager");
        assertThat(get("/api/v1/devices/" + outside + "/history", manager).statusCode())
                .isEqualTo(404);
    }

    private static String device(String imei, String serial, String unit) {
        return "{\"imei\":\"" + imei + "\",\"serialNumber\":\"" + serial + "\",\"model\":\"Rugged X5\","
                + "\"kind\":\"DEVICE_KIND_PHONE\",\"packType\":\"PACK_TYPE_SMARTPHONE_INDIVIDUAL\",\"agreementId\":\"AC-2026-NEOGEND\""
                + (unit == null ? "" : ",\"unitCode\":\"" + unit + "\"") + "}";
    }

    /** The same claims and key id, signed by a key Keycloak never issued. */
    private static String resignedWithForeignKey(String token) throws Exception {
        SignedJWT real = SignedJWT.parse(token);
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(real.getHeader().getKeyID())
                        .build(),
                real.getJWTClaimsSet());
        forged.sign(new RSASSASigner((RSAPrivateKey) generator.generateKeyPair().getPrivate()));
        return forged.serialize();
    }

    /** The same claims with {@code alg: none} and no signature. */
    private static String unsigned(String token) {
        String[] parts = token.split("\\.");
        String header =
                Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        return header + "." + parts[1] + ".";
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void creatingCallsHonourAnIdempotencyKey() throws Exception {
        String token = tokens.password("fleet.manager", "fleet.manager");
        String body = device(DemoData.imei(120), "E2E-120", "GN-RBRE-GGD35");
        var first = postWithKey("/api/v1/devices", token, body, "delivery-120");
        var again = postWithKey("/api/v1/devices", token, body, "delivery-120");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200); // not 409: the stored answer of the first call
        assertThat(again.body()).isEqualTo(first.body());
        var reused = postWithKey("/api/v1/devices", token, device(DemoData.imei(121), "E2E-121", null), "delivery-120");
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(reused.body()).contains("IDEMPOTENCY_KEY_REUSED");
        assertThat(get("/api/v1/devices/" + DemoData.imei(121), token).statusCode())
                .isEqualTo(404);
        var malformed =
                postWithKey("/api/v1/devices", token, device(DemoData.imei(122), "E2E-122", null), "k".repeat(101));
        assertThat(malformed.statusCode()).isEqualTo(400);
    }

    @Test
    void anOrderGoesToTheSupplierAndItsDeliveryIntoInventory() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        var created = post("/api/v1/purchase-orders", fleet, """
                {"agreementId":"AC-2026-NEOGEND","deliverySite":"Dépôt central, Rennes",
                 "requestedDate":{"year":2026,"month":12,"day":1},
                 "lines":[{"itemCode":"PACK-SMARTPHONE-INDIVIDUAL","quantity":"2"}]}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String number = created.body().replaceAll(".*\"number\":\"([^\"]+)\".*", "$1");
        assertThat(post("/api/v1/purchase-orders/" + number + ":submit", fleet, "{}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/purchase-orders/" + number + ":approve", fleet, "{}")
                        .statusCode())
                .isEqualTo(200);
        // the relay takes it to the supplier simulator
        long until = System.nanoTime() + 60_000_000_000L;
        while (!get("/api/v1/purchase-orders/" + number, fleet).body().contains("ORDER_STATE_SENT")) {
            assertThat(System.nanoTime())
                    .as(
                            "order sent to the supplier within 60 s (the relay polls every second; a loaded machine, or its circuit breaker open 30 s, makes it late)")
                    .isLessThan(until);
            Thread.sleep(200);
        }

        // the supplier, with its own client-credentials token, sees it, acknowledges, delivers
        String supplier = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        assertThat(get("/api/v1/purchase-orders", supplier).body()).contains(number);
        assertThat(post(
                                "/api/v1/purchase-orders/" + number + ":acknowledge",
                                supplier,
                                "{\"supplierReference\":\"CMD-E2E\"}")
                        .statusCode())
                .isEqualTo(200);
        String note = """
                {"deliveryNoteNumber":"BL-E2E-1","devices":[
                  {"imei":"%s","serialNumber":"E2E-130","model":"Rugged X5","kind":"DEVICE_KIND_PHONE","itemCode":"PACK-SMARTPHONE-INDIVIDUAL"},
                  {"imei":"%s","serialNumber":"E2E-131","model":"Rugged X5","kind":"DEVICE_KIND_PHONE","itemCode":"PACK-SMARTPHONE-INDIVIDUAL"}]}
                """.formatted(DemoData.imei(130), DemoData.imei(131));
        var delivery = postWithKey("/api/v1/purchase-orders/" + number + "/deliveries", supplier, note, "BL-E2E-1");
        assertThat(delivery.statusCode()).as(delivery.body()).isEqualTo(200);
        var repeat = postWithKey("/api/v1/purchase-orders/" + number + "/deliveries", supplier, note, "BL-E2E-1");
        assertThat(repeat.body()).isEqualTo(delivery.body());
        String deliveryId = delivery.body().replaceAll(".*\"id\":\"(BL-[0-9]+)\".*", "$1");
        assertThat(post("/api/v1/deliveries/" + deliveryId + ":receive", supplier, "{}")
                        .statusCode())
                .isEqualTo(403);

        // the fleet manager receives it: the devices are in inventory, each the start of a pack
        var received = post("/api/v1/deliveries/" + deliveryId + ":receive", fleet, "{}");
        assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
        assertThat(received.body()).contains("DELIVERY_STATE_RECEIVED");
        var device = get("/api/v1/devices/" + DemoData.imei(130), fleet);
        assertThat(device.statusCode()).isEqualTo(200);
        assertThat(device.body()).contains("DEVICE_STATE_IN_STOCK").contains("\"packId\":\"PK-");
        String delivered = get("/api/v1/purchase-orders/" + number, fleet).body();
        assertThat(delivered).contains("ORDER_STATE_DELIVERED");
        // the supplier's acknowledgement is recorded under its client id, not its service account's internal id
        assertThat(delivered).contains("\"toState\":\"ORDER_STATE_ACKNOWLEDGED\",\"actor\":\"supplier-demo\"");

        // this month's statement bills the two new packs from today, as JSON and as a CSV download
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        String path = "/api/v1/agreements/AC-2026-NEOGEND/statements/" + today.getYear() + "/" + today.getMonthValue();
        var statement = get(path, fleet);
        assertThat(statement.statusCode()).as(statement.body()).isEqualTo(200);
        assertThat(statement.body()).contains("\"itemCode\":\"PACK-SMARTPHONE-INDIVIDUAL\"");
        var csv = get(path + ":csv", fleet);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(csv.body())
                .startsWith("item_code,kind,label,quantity,billed_days,unit_price,amount_excl_tax,course_code\r\n")
                .contains("TOTAL_INCL_TAX");
        assertThat(get(path, supplier).statusCode()).isEqualTo(403);
    }

    @Test
    void aCertifiedTechniciansFailedRepairEndsInAnExchangeAndTheTrainingDayIsBilled() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String technician = tokens.password("technician", "technician");
        String auditor = tokens.password("auditor", "auditor");
        String imei = DemoData.imei(150);
        assertThat(post("/api/v1/devices", fleet, device(imei, "E2E-150", "GN-RBRE-GGD35"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/catalogue-items", fleet, """
                {"code":"SP-SCREEN-X5","label":"Écran Rugged X5","category":"ITEM_CATEGORY_SPARE_PART","fitsModels":["Rugged X5"]}""").statusCode()).isEqualTo(200);
        assertThat(post("/api/v1/depots", fleet, "{\"code\":\"DEP-RENNES\",\"name\":\"Atelier de Rennes\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/stock-movements", fleet, """
                {"kind":"MOVEMENT_KIND_RECEIPT","itemCode":"SP-SCREEN-X5","depotCode":"DEP-RENNES","quantity":"4"}""").statusCode()).isEqualTo(200);
        String openRepair = "{\"imei\":\"" + imei + "\",\"depotCode\":\"DEP-RENNES\",\"fault\":\"no display\"}";

        // not certified yet: refused with the reason, the device untouched
        var refused = post("/api/v1/repairs", technician, openRepair);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("holds no certification for Rugged X5");
        assertThat(get("/api/v1/devices/" + imei, fleet).body()).contains("DEVICE_STATE_IN_STOCK");

        // a one-day session today, passed: certified (and the day is billed this month)
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        assertThat(post("/api/v1/courses", fleet, """
                {"code":"MAINT-SMARTPHONE-N1","title":"Maintenance niveau 1","durationDays":1,
                 "modelFamilies":["Rugged X"],"agreementId":"AC-2026-NEOGEND","agreementItemCode":"TRAINING-DAY-L1"}""").statusCode()).isEqualTo(200);
        var session = post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-SMARTPHONE-N1","startDate":%s,"endDate":%s,"place":"Rennes","capacity":8,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(today), JsonDays.day(today)));
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        String sessionId = session.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        assertThat(post("/api/v1/sessions/" + sessionId + ":enroll", technician, "{}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post(
                                "/api/v1/sessions/" + sessionId + ":recordResult",
                                fleet,
                                "{\"technician\":\"technician\",\"attended\":true,\"passed\":true}")
                        .statusCode())
                .isEqualTo(200);

        var opened = post("/api/v1/repairs", technician, openRepair);
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        String repair = opened.body().replaceAll(".*\"id\":\"(RP-[0-9]+)\".*", "$1");
        assertThat(get("/api/v1/devices/" + imei, fleet).body()).contains("DEVICE_STATE_IN_REPAIR");
        assertThat(post("/api/v1/repairs", auditor, openRepair).statusCode()).isEqualTo(403);
        var part = post(
                "/api/v1/repairs/" + repair + ":consumePart",
                technician,
                "{\"itemCode\":\"SP-SCREEN-X5\",\"quantity\":\"1\"}");
        assertThat(part.statusCode()).as(part.body()).isEqualTo(200);
        assertThat(get("/api/v1/depots/DEP-RENNES/stock", fleet).body()).contains("\"quantity\":\"3\"");

        var closed = post(
                "/api/v1/repairs/" + repair + ":close",
                technician,
                "{\"outcome\":\"REPAIR_OUTCOME_FAILED\",\"diagnosis\":\"mainboard dead\"}");
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
        assertThat(closed.body()).contains("REPAIR_STATE_FAILED").contains("\"exchangeRequestNumber\":\"EX-");
        assertThat(get("/api/v1/devices/" + imei, fleet).body()).contains("DEVICE_STATE_PENDING_RETURN");
        // the exchange request reaches the supplier (simulator)
        long until = System.nanoTime() + 60_000_000_000L;
        while (!get("/api/v1/exchange-requests?imei=" + imei, fleet).body().contains("EXCHANGE_REQUEST_STATE_SENT")) {
            assertThat(System.nanoTime())
                    .as(
                            "exchange request sent within 60 s (the relay polls every second; a loaded machine, or its circuit breaker open 30 s, makes it late)")
                    .isLessThan(until);
            Thread.sleep(200);
        }

        var statement = get(
                "/api/v1/agreements/AC-2026-NEOGEND/statements/" + today.getYear() + "/" + today.getMonthValue(),
                auditor);
        assertThat(statement.statusCode()).as(statement.body()).isEqualTo(200);
        var trainingLine = java.util.regex.Pattern.compile("\\{\"itemCode\":\"TRAINING-DAY-L1\"[^}]*}")
                .matcher(statement.body());
        assertThat(trainingLine.find()).as(statement.body()).isTrue();
        assertThat(trainingLine.group())
                .contains("\"kind\":\"ITEM_KIND_TRAINING_DAY\"")
                .contains("\"quantity\":\"1\"")
                .contains("\"unitPrice\":\"950.00\"")
                .contains("\"amount\":\"950.00\"");
    }

    /**
     * Issue 17, item 4, with the real Keycloak: enrolments and results name users of the realm holding
     * the technician role, read by the training service with its own service account (view-users only).
     */
    @Test
    void eightEnrolmentsAtOnceForTwoSeatsQueueInOrderOfArrivalAndNobodyJumpsTheList() throws Exception {
        List<String> queue = java.util.stream.IntStream.rangeClosed(1, 8)
                .mapToObj("tech.queue.%02d"::formatted)
                .toList();
        List<String> race = List.of("tech.race.seated", "tech.race.first", "tech.race.second", "tech.race.third");
        SuiteTokens.technicians(
                stack,
                java.util.stream.Stream.concat(queue.stream(), race.stream()).toList());
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        assertThat(post("/api/v1/courses", fleet, """
                {"code":"MAINT-E2E-QUEUE","title":"File d'attente","durationDays":1,"modelFamilies":["Rugged X"]}""").statusCode()).isEqualTo(200);
        // tomorrow's session: enrolment, withdrawal and the waiting list are open until its first day
        String session = newSession(fleet, "MAINT-E2E-QUEUE", today.plusDays(1), 2);

        // eight at once for two seats: four named by the fleet manager, four enrolling themselves
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < queue.size(); i++) {
                String name = queue.get(i);
                String token = i % 2 == 0 ? fleet : tokens.password(name, name);
                String body = i % 2 == 0 ? "{\"technician\":\"" + name + "\"}" : "{}";
                answers.add(pool.submit(() -> {
                    go.await();
                    return post("/api/v1/sessions/" + session + ":enroll", token, body);
                }));
            }
            go.countDown();
            for (var answer : answers) {
                var a = answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> seen = statuses(get("/api/v1/sessions/" + session, fleet).body());
        // the list is in order of arrival: the two seated ones first, then six waiting, each person once
        assertThat(seen).hasSize(8);
        assertThat(seen.stream().map(e -> e.substring(e.indexOf('=') + 1)).toList())
                .containsExactly(
                        "ENROLLED",
                        "ENROLLED",
                        "WAITLISTED",
                        "WAITLISTED",
                        "WAITLISTED",
                        "WAITLISTED",
                        "WAITLISTED",
                        "WAITLISTED");
        assertThat(seen.stream().map(e -> e.substring(0, e.indexOf('='))).toList())
                .containsExactlyInAnyOrderElementsOf(queue);
        List<String> order =
                seen.stream().map(e -> e.substring(0, e.indexOf('='))).toList();

        // the third in line withdraws and enrols again (itself): to the back, behind everyone
        String third = order.get(3);
        assertThat(post("/api/v1/sessions/" + session + ":withdraw", tokens.password(third, third), "{}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/sessions/" + session + ":enroll", tokens.password(third, third), "{}")
                        .statusCode())
                .isEqualTo(200);
        // a seated one withdraws before the first day: the first in line takes its seat
        var freed =
                post("/api/v1/sessions/" + session + ":withdraw", fleet, "{\"technician\":\"" + order.get(0) + "\"}");
        assertThat(freed.statusCode()).as(freed.body()).isEqualTo(200);
        assertThat(statuses(get("/api/v1/sessions/" + session, fleet).body()))
                .containsExactly(
                        order.get(0) + "=WITHDRAWN",
                        order.get(1) + "=ENROLLED",
                        order.get(2) + "=ENROLLED",
                        order.get(4) + "=WAITLISTED",
                        order.get(5) + "=WAITLISTED",
                        order.get(6) + "=WAITLISTED",
                        order.get(7) + "=WAITLISTED",
                        third + "=WAITLISTED");

        // a session that has started (today): a free seat is still taken on its first day, but once full nobody
        // joins its waiting list (no seat is handed on from now on), an enrolled technician no longer withdraws —
        // its result is recorded instead — and a seat whose result is recorded still counts
        String started = newSession(fleet, "MAINT-E2E-QUEUE", today, 1);
        var walkIn =
                post("/api/v1/sessions/" + started + ":enroll", fleet, "{\"technician\":\"" + order.get(4) + "\"}");
        assertThat(walkIn.statusCode()).as(walkIn.body()).isEqualTo(200);
        var listed = post("/api/v1/sessions/" + started + ":enroll", tokens.password(third, third), "{}");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(400);
        assertThat(listed.body()).contains("nobody joins its waiting list from its first day");
        var late =
                post("/api/v1/sessions/" + started + ":withdraw", fleet, "{\"technician\":\"" + order.get(4) + "\"}");
        assertThat(late.statusCode()).as(late.body()).isEqualTo(400);
        assertThat(late.body()).contains("record its result");
        var result = post(
                "/api/v1/sessions/" + started + ":recordResult",
                fleet,
                "{\"technician\":\"" + order.get(4) + "\",\"attended\":true,\"passed\":true}");
        assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
        assertThat(post("/api/v1/sessions/" + started + ":enroll", fleet, "{\"technician\":\"" + order.get(5) + "\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(statuses(get("/api/v1/sessions/" + started, fleet).body()))
                .containsExactly(order.get(4) + "=PASSED");

        // before a session (tomorrow's), a withdrawal racing a withdraw-and-enrol-again, three rounds: whatever
        // the interleaving, the freed seat goes to the next in line and the one who left is at the back
        for (int round = 0; round < 3; round++) {
            String raced = newSession(fleet, "MAINT-E2E-QUEUE", today.plusDays(1), 1);
            for (String name : race) {
                assertThat(post("/api/v1/sessions/" + raced + ":enroll", fleet, "{\"technician\":\"" + name + "\"}")
                                .statusCode())
                        .isEqualTo(200);
            }
            String first = tokens.password("tech.race.first", "tech.race.first");
            var racers = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var go = new java.util.concurrent.CountDownLatch(1);
                var seatFrees = racers.submit(() -> {
                    go.await();
                    return post(
                            "/api/v1/sessions/" + raced + ":withdraw", fleet, "{\"technician\":\"tech.race.seated\"}");
                });
                var comesBack = racers.submit(() -> {
                    go.await();
                    var left = post("/api/v1/sessions/" + raced + ":withdraw", first, "{}");
                    assertThat(left.statusCode()).as(left.body()).isEqualTo(200);
                    return post("/api/v1/sessions/" + raced + ":enroll", first, "{}");
                });
                go.countDown();
                assertThat(seatFrees
                                .get(60, java.util.concurrent.TimeUnit.SECONDS)
                                .statusCode())
                        .isEqualTo(200);
                assertThat(comesBack
                                .get(60, java.util.concurrent.TimeUnit.SECONDS)
                                .statusCode())
                        .isEqualTo(200);
            } finally {
                racers.shutdownNow();
            }
            assertThat(statuses(get("/api/v1/sessions/" + raced, fleet).body()))
                    .as("round " + round)
                    .containsExactly(
                            "tech.race.seated=WITHDRAWN",
                            "tech.race.second=ENROLLED",
                            "tech.race.third=WAITLISTED",
                            "tech.race.first=WAITLISTED");
        }
    }

    private static String newSession(String fleet, String course, java.time.LocalDate day, int capacity)
            throws Exception {
        var created = post("/api/v1/sessions", fleet, """
                {"courseCode":"%s","startDate":%s,"endDate":%2$s,"place":"Rennes","capacity":%d,
                 "trainer":"Demo Mobility SAS"}""".formatted(course, JsonDays.day(day), capacity));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return created.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
    }

    /** A session's enrolments as "name=STATUS", in the order the API lists them. */
    private static List<String> statuses(String sessionJson) {
        var m = java.util.regex.Pattern.compile("\"technician\":\"([^\"]+)\",\"status\":\"ENROLMENT_STATUS_([A-Z]+)\"")
                .matcher(sessionJson);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1) + "=" + m.group(2));
        }
        return out;
    }

    @Test
    void onlyUsersOfTheRealmWithTheTechnicianRoleAreEnrolledOrCertified() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        assertThat(post("/api/v1/courses", fleet, """
                {"code":"MAINT-REALM-CHECK","title":"Contrôle des stagiaires","durationDays":1,
                 "modelFamilies":["Rugged X"]}""").statusCode()).isEqualTo(200);
        String session = post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-REALM-CHECK","startDate":%s,"endDate":%1$s,"place":"Rennes","capacity":4,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(today)))
                .body()
                .replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        String enrol = "/api/v1/sessions/" + session + ":enroll";
        var madeUp = post(enrol, fleet, "{\"technician\":\"jean.dupont.invente\"}");
        assertThat(madeUp.statusCode()).as(madeUp.body()).isEqualTo(400);
        assertThat(madeUp.body()).contains("no user jean.dupont.invente in the realm");
        var notTechnician = post(enrol, fleet, "{\"technician\":\"unit.manager\"}");
        assertThat(notTechnician.statusCode()).as(notTechnician.body()).isEqualTo(400);
        assertThat(notTechnician.body()).contains("unit.manager does not hold the technician role");
        var serviceAccount = post(enrol, fleet, "{\"technician\":\"service-account-neogend-training\"}");
        assertThat(serviceAccount.statusCode()).as(serviceAccount.body()).isEqualTo(400);
        assertThat(post(enrol, fleet, "{\"technician\":\"../../users\"}").statusCode())
                .isEqualTo(400);
        // the very user name: Keycloak's are lower case, "Technician.Quimper" is nobody's
        var otherCase = post(enrol, fleet, "{\"technician\":\"Technician.Quimper\"}");
        assertThat(otherCase.statusCode()).as(otherCase.body()).isEqualTo(400);
        var real = post(enrol, fleet, "{\"technician\":\"technician.quimper\"}");
        assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
        assertThat(real.body())
                .contains("{\"technician\":\"technician.quimper\",\"status\":\"ENROLMENT_STATUS_ENROLLED\"}");
        assertThat(real.body()).doesNotContain("jean.dupont.invente").doesNotContain("unit.manager");
        // results too: a past session's sheet naming the auditor is refused
        var past = post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-REALM-CHECK","startDate":%s,"endDate":%1$s,"place":"Rennes","capacity":4,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(today.minusDays(7))))
                .body()
                .replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        var auditorResult = post(
                "/api/v1/sessions/" + past + ":recordPastResult",
                fleet,
                "{\"technician\":\"auditor\",\"attended\":true,\"passed\":true,\"reason\":\"feuille papier\"}");
        assertThat(auditorResult.statusCode()).as(auditorResult.body()).isEqualTo(400);
        assertThat(auditorResult.body()).contains("auditor does not hold the technician role");
        assertThat(post(
                                "/api/v1/sessions/" + session + ":recordResult",
                                fleet,
                                "{\"technician\":\"technician.quimper\",\"attended\":true,\"passed\":true}")
                        .statusCode())
                .isEqualTo(200);
    }

    /**
     * Issue 17 through the gateway with real services: results only from a session's last day; a
     * held session's result recorded late by a fleet manager (audited) gives an already expired
     * certification; the repair is refused saying when it expired; the expired list shows it.
     */
    @Test
    void resultsComeFromTheLastDayAndAnExpiredCertificationRefusesTheRepairWithItsDate() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String technician = tokens.password("technician", "technician");
        String auditor = tokens.password("auditor", "auditor");
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        assertThat(post("/api/v1/courses", fleet, """
                {"code":"MAINT-TABLET-EXPRESS","title":"Recyclage tablettes","durationDays":1,
                 "modelFamilies":["Field Tab"],"certificationValidityMonths":1}""").statusCode()).isEqualTo(200);

        // a two-day session starting today: one day before its last day, no result (and so no certificate)
        var twoDays =
                post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-TABLET-EXPRESS","startDate":%s,"endDate":%s,"place":"Quimper","capacity":4,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(today), JsonDays.day(today.plusDays(1))));
        assertThat(twoDays.statusCode()).as(twoDays.body()).isEqualTo(200);
        String running = twoDays.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        assertThat(post("/api/v1/sessions/" + running + ":enroll", technician, "{}")
                        .statusCode())
                .isEqualTo(200);
        var early = post(
                "/api/v1/sessions/" + running + ":recordResult",
                fleet,
                "{\"technician\":\"technician\",\"attended\":true,\"passed\":true}");
        assertThat(early.statusCode()).as(early.body()).isEqualTo(400);
        assertThat(early.body()).contains("can be recorded from " + today.plusDays(1) + ", its last day");

        // a session held three months ago, its attendance sheet recorded now: only a fleet manager may
        var held = today.minusMonths(3);
        var old = post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-TABLET-EXPRESS","startDate":%s,"endDate":%s,"place":"Quimper","capacity":4,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(held), JsonDays.day(held)));
        String oldId = old.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        String sheet = "{\"technician\":\"technician\",\"attended\":true,\"passed\":true,"
                + "\"reason\":\"feuille d'émargement signée\"}";
        assertThat(post("/api/v1/sessions/" + oldId + ":recordPastResult", technician, sheet)
                        .statusCode())
                .isEqualTo(403);
        var recorded = post("/api/v1/sessions/" + oldId + ":recordPastResult", fleet, sheet);
        assertThat(recorded.statusCode()).as(recorded.body()).isEqualTo(200);
        assertThat(recorded.body()).contains("\"status\":\"ENROLMENT_STATUS_PASSED\"");

        // the repair of a tablet is refused, saying when the certification expired
        String imei = DemoData.imei(171);
        assertThat(post("/api/v1/devices", fleet, """
                {"imei":"%s","serialNumber":"E2E-171","model":"Field Tab 10","kind":"DEVICE_KIND_TABLET",
                 "packType":"PACK_TYPE_TABLET_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"GN-RBRE-GGD35"}""".formatted(imei)).statusCode())
                .isEqualTo(200);
        int depot = post("/api/v1/depots", fleet, "{\"code\":\"DEP-QUIMPER\",\"name\":\"Atelier de Quimper\"}")
                .statusCode();
        assertThat(depot).isIn(200, 409);
        var refused = post(
                "/api/v1/repairs",
                technician,
                "{\"imei\":\"" + imei + "\",\"depotCode\":\"DEP-QUIMPER\",\"fault\":\"no touch\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body())
                .contains("technician's certification for Field Tab 10 expired on " + held.plusMonths(1));
        assertThat(get("/api/v1/devices/" + imei, fleet).body()).contains("DEVICE_STATE_IN_STOCK");

        // the expired list: fleet managers and auditors
        var expired = get("/api/v1/certifications:expired?technician=technician&page_size=10", auditor);
        assertThat(expired.statusCode()).as(expired.body()).isEqualTo(200);
        assertThat(expired.body())
                .contains("\"courseCode\":\"MAINT-TABLET-EXPRESS\"")
                .contains("\"validUntil\":" + JsonDays.day(held.plusMonths(1)))
                .contains("\"issuedOn\":" + JsonDays.day(held));
        assertThat(get("/api/v1/certifications:expired", technician).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aDeviceUnderAnOpenRepairLeavesRepairOnlyByItsCloseAndAUnitManagerSeesItsSubtreesRepairs() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String technician = tokens.password("technician", "technician");
        String unitManager = tokens.password("unit.manager", "unit.manager"); // GN-RBRE-GGD35
        String sibling = tokens.password("unit.manager.ggd29", "unit.manager.ggd29");
        String inside = DemoData.imei(170);
        String outside = DemoData.imei(172);
        assertThat(post("/api/v1/devices", fleet, device(inside, "E2E-170", "GN-RBRE-GGD35"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/devices", fleet, device(outside, "E2E-172", "GN-RBRE-GGD29"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/depots", fleet, "{\"code\":\"DEP-E2E-REPAIR\",\"name\":\"Atelier E2E\"}")
                        .statusCode())
                .isEqualTo(200);
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        assertThat(post("/api/v1/courses", fleet, """
                {"code":"MAINT-E2E-REPAIR","title":"Maintenance Rugged","durationDays":1,
                 "modelFamilies":["Rugged X"],"agreementId":"AC-2026-NEOGEND","agreementItemCode":"TRAINING-DAY-L1"}""").statusCode()).isEqualTo(200);
        var session = post("/api/v1/sessions", fleet, """
                {"courseCode":"MAINT-E2E-REPAIR","startDate":%s,"endDate":%s,"place":"Rennes","capacity":8,
                 "trainer":"Demo Mobility SAS"}""".formatted(JsonDays.day(today), JsonDays.day(today)));
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        String sessionId = session.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        assertThat(post("/api/v1/sessions/" + sessionId + ":enroll", technician, "{}")
                        .statusCode())
                .isEqualTo(200);
        var result = post(
                "/api/v1/sessions/" + sessionId + ":recordResult",
                fleet,
                "{\"technician\":\"technician\",\"attended\":true,\"passed\":true}");
        assertThat(result.statusCode()).as(result.body()).isEqualTo(200);

        var opened = post(
                "/api/v1/repairs",
                technician,
                "{\"imei\":\"" + inside + "\",\"depotCode\":\"DEP-E2E-REPAIR\",\"fault\":\"no sound\"}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        String repair = opened.body().replaceAll(".*\"id\":\"(RP-[0-9]+)\".*", "$1");
        var other = post(
                "/api/v1/repairs",
                technician,
                "{\"imei\":\"" + outside + "\",\"depotCode\":\"DEP-E2E-REPAIR\",\"fault\":\"no sound\"}");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        String otherRepair = other.body().replaceAll(".*\"id\":\"(RP-[0-9]+)\".*", "$1");
        assertThat(get("/api/v1/devices/" + inside, fleet).body())
                .contains("DEVICE_STATE_IN_REPAIR")
                .contains("\"repairId\":\"" + repair + "\"");

        // the routes naming no repair cannot take the device out of it, whoever asks
        for (String manager : List.of(fleet, unitManager, technician)) {
            var back = post("/api/v1/devices/" + inside + ":returnFromRepair", manager, "{}");
            assertThat(back.statusCode()).as(back.body()).isEqualTo(400);
            assertThat(back.body()).contains("is under repair " + repair);
            var failed = post("/api/v1/devices/" + inside + ":failRepair", manager, "{\"reason\":\"broken\"}");
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(400);
            assertThat(failed.body()).contains("is under repair " + repair);
        }
        assertThat(get("/api/v1/devices/" + inside, fleet).body()).contains("DEVICE_STATE_IN_REPAIR");

        // a unit manager reads the repairs of its subtree's devices, and nothing of the others'
        assertThat(get("/api/v1/repairs/" + repair, unitManager).statusCode()).isEqualTo(200);
        var hidden = get("/api/v1/repairs/" + otherRepair, unitManager);
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain("no sound");
        var listed = get("/api/v1/repairs?page_size=500", unitManager);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(listed.body()).contains(repair).doesNotContain(otherRepair);
        assertThat(get("/api/v1/repairs/" + otherRepair, sibling).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/repairs/" + repair, sibling).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/repairs?page_size=500", sibling).body())
                .contains(otherRepair)
                .doesNotContain(repair);
        assertThat(post(
                                "/api/v1/repairs/" + repair + ":close",
                                unitManager,
                                "{\"outcome\":\"REPAIR_OUTCOME_REPAIRED\",\"diagnosis\":\"x\"}")
                        .statusCode())
                .isEqualTo(403);

        // the close racing managers' returns: the close goes through, the returns never do
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var go = new java.util.concurrent.CountDownLatch(1);
            var close = pool.submit(() -> {
                go.await();
                return post(
                        "/api/v1/repairs/" + repair + ":close",
                        technician,
                        "{\"outcome\":\"REPAIR_OUTCOME_REPAIRED\",\"diagnosis\":\"speaker replaced\"}");
            });
            var returns = List.of(fleet, unitManager).stream()
                    .map(t -> pool.submit(() -> {
                        go.await();
                        return post("/api/v1/devices/" + inside + ":returnFromRepair", t, "{}");
                    }))
                    .toList();
            go.countDown();
            var closed = close.get(60, java.util.concurrent.TimeUnit.SECONDS);
            if (closed.statusCode() == 409) { // lost a version race with a refused return: repeated
                closed = post(
                        "/api/v1/repairs/" + repair + ":close",
                        technician,
                        "{\"outcome\":\"REPAIR_OUTCOME_REPAIRED\",\"diagnosis\":\"speaker replaced\"}");
            }
            assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
            assertThat(closed.body()).contains("REPAIR_STATE_REPAIRED");
            for (var r : returns) {
                assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode())
                        .isIn(400, 409);
            }
        } finally {
            pool.shutdownNow();
        }
        var after = get("/api/v1/devices/" + inside, fleet).body();
        assertThat(after).contains("DEVICE_STATE_IN_STOCK").doesNotContain("repairId");
        assertThat(get("/api/v1/devices/" + inside + "/history", fleet).body().split("RETURN_FROM_REPAIR", -1))
                .hasSize(2); // once
    }

    @Test
    void stockMovementsAreListedFilteredAndExportedThroughTheGatewayAndAReplenishmentIsProposedOnce() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String technician = tokens.password("technician", "technician");
        String auditor = tokens.password("auditor", "auditor");
        assertThat(post("/api/v1/catalogue-items", fleet, """
                {"code":"ACC-E2E-SD","label":"Carte SD","category":"ITEM_CATEGORY_ACCESSORY","fitsModels":["Rugged X5"],
                 "agreementItemCode":"ACC-SD-64GB"}""").statusCode()).isEqualTo(200);
        assertThat(post("/api/v1/depots", fleet, "{\"code\":\"DEP-E2E-STOCK\",\"name\":\"Magasin E2E\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/api/v1/stock-movements", fleet, """
                {"kind":"MOVEMENT_KIND_RECEIPT","itemCode":"ACC-E2E-SD","depotCode":"DEP-E2E-STOCK","quantity":"10","reference":"BL-E2E"}""").statusCode()).isEqualTo(200);
        assertThat(post("/api/v1/stock-movements", technician, """
                {"kind":"MOVEMENT_KIND_ISSUE","itemCode":"ACC-E2E-SD","depotCode":"DEP-E2E-STOCK","quantity":"2","reference":"GN-RBRE-GGD35"}""").statusCode())
                .isEqualTo(200);
        String base = "/api/v1/stock-movements?depot_code=DEP-E2E-STOCK";
        var listed = get(base + "&page_size=1", auditor);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        String next = listed.body().replaceAll(".*\"nextPageToken\":\"([^\"]+)\".*", "$1");
        var second = get(base + "&page_size=1&page_token=" + next, auditor);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(listed.body())
                .contains("\"kind\":\"MOVEMENT_KIND_RECEIPT\"")
                .contains("\"actor\":\"fleet.manager\"");
        assertThat(second.body())
                .contains("\"kind\":\"MOVEMENT_KIND_ISSUE\"")
                .contains("\"actor\":\"technician\"")
                .doesNotContain("RECEIPT");
        assertThat(get(base + "&actor=technician", auditor).body())
                .contains("ISSUE")
                .doesNotContain("RECEIPT");
        String today =
                java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")).toString();
        String tomorrow = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"))
                .plusDays(1)
                .toString();
        var backwards = get(base + "&from_date=" + tomorrow + "&to_date=" + today, auditor);
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(backwards.body()).contains("\"field\":\"to_date\"");
        var impossible = get(base + "&from_date=2026-02-30", auditor);
        assertThat(impossible.statusCode()).isEqualTo(400);
        assertThat(impossible.body()).contains("\"field\":\"from_date\"");
        var malformed = get(base + "&to_date=03-12-2026", auditor);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"field\":\"to_date\"");
        assertThat(get(base, technician).statusCode()).isEqualTo(403);

        // the CSV: the rows of the JSON list, in the same order
        var json = get(base + "&from_date=" + today + "&to_date=" + today, auditor);
        var csv = get(
                "/api/v1/stock-movements:csv?depot_code=DEP-E2E-STOCK&from_date=" + today + "&to_date=" + today,
                auditor);
        assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(3);
        var ids = java.util.regex.Pattern.compile("\\{\"id\":\"([0-9]+)\"")
                .matcher(json.body())
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(ids).hasSize(2);
        assertThat(lines[1])
                .startsWith(ids.get(0) + ",")
                .contains(",RECEIPT,ACC-E2E-SD,DEP-E2E-STOCK,,10,,\"fleet.manager\",\"BL-E2E\"");
        assertThat(lines[2])
                .startsWith(ids.get(1) + ",")
                .contains(",ISSUE,ACC-E2E-SD,DEP-E2E-STOCK,,2,,\"technician\",");

        // below the minimum: one alert; eight proposals at once make one draft, every caller told the same
        assertThat(post("/api/v1/depots/DEP-E2E-STOCK/stock/ACC-E2E-SD:setMinimum", fleet, "{\"minimum\":\"20\"}")
                        .statusCode())
                .isEqualTo(200);
        var alerts = get("/api/v1/stock-alerts?depot_code=DEP-E2E-STOCK", fleet).body();
        String alert = alerts.replaceAll(".*\"id\":\"([0-9]+)\".*", "$1");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<String> answers = new java.util.ArrayList<>();
        try {
            var go = new java.util.concurrent.CountDownLatch(1);
            var calls = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> pool.submit(() -> {
                        go.await();
                        return post(
                                "/api/v1/stock-alerts/" + alert + ":proposeReplenishment",
                                fleet,
                                "{\"agreementId\":\"AC-2026-NEOGEND\"}");
                    }))
                    .toList();
            go.countDown();
            for (var c : calls) {
                var r = c.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                answers.add(r.body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).hasSize(8).containsOnly(answers.get(0));
        String draft = answers.get(0).replaceAll(".*\"draftOrderNumber\":\"([^\"]+)\".*", "$1");
        assertThat(get("/api/v1/purchase-orders/" + draft, fleet).body()).contains("ORDER_STATE_DRAFT");

        // the stock climbs back: the alert is listed as cleared, no more as open
        assertThat(post("/api/v1/stock-movements", fleet, """
                {"kind":"MOVEMENT_KIND_RECEIPT","itemCode":"ACC-E2E-SD","depotCode":"DEP-E2E-STOCK","quantity":"30"}""").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/stock-alerts?depot_code=DEP-E2E-STOCK", auditor).body())
                .doesNotContain(draft);
        var cleared = get("/api/v1/stock-alerts?depot_code=DEP-E2E-STOCK&state=STOCK_ALERT_STATE_CLEARED", auditor);
        assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.body())
                .contains("\"id\":\"" + alert + "\"")
                .contains("\"draftOrderNumber\":\"" + draft)
                .contains("\"clearTime\":\"");
    }

    @Test
    void oneRequestIsOneTraceAcrossTheGatewayAndTheServicesAndEveryComponentExposesItsMetrics() throws Exception {
        // (spans are exported in batches as they end: a server span may come a moment after its children's)
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String imei = DemoData.imei(160);
        assertThat(post("/api/v1/devices", fleet, device(imei, "E2E-160", "GN-RBRE-GGD35"))
                        .statusCode())
                .isEqualTo(200);
        // enrolment crosses three components: gateway → telemetry → inventory (is the device known?)
        String traceId = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        var enrolled = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/devices/" + imei + ":enroll"))
                        .header("Authorization", "Bearer " + fleet)
                        .header("Content-Type", "application/json")
                        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);

        long until = System.nanoTime() + 30_000_000_000L;
        List<OtlpCollector.Span> trace;
        do {
            Thread.sleep(200);
            trace = collector.spans().stream()
                    .filter(s -> s.traceId().equals(traceId))
                    .toList();
            assertThat(System.nanoTime())
                    .as("spans of the trace exported within 30 s: " + trace)
                    .isLessThan(until);
        } while (trace.stream().map(OtlpCollector.Span::service).distinct().count() < 3 || !wholeTree(trace));
        assertThat(trace).extracting(OtlpCollector.Span::service).contains("gateway", "telemetry", "inventory");
        // one tree: every span's parent is the caller's span or another span of the same trace
        var ids = trace.stream().map(OtlpCollector.Span::spanId).collect(java.util.stream.Collectors.toSet());
        assertThat(trace)
                .allSatisfy(s -> assertThat(s.parentSpanId())
                        .isIn(Set.copyOf(java.util.stream.Stream.concat(
                                        ids.stream(), java.util.stream.Stream.of("00f067aa0ba902b7"))
                                .toList())));
        OtlpCollector.Span inventoryServer = trace.stream()
                .filter(s -> s.service().equals("inventory") && s.kind() == 2)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no inventory server span in "
                        + List.copyOf(collector.spans().stream()
                                .filter(s -> s.traceId().equals(traceId))
                                .toList())));
        OtlpCollector.Span telemetryClient = trace.stream()
                .filter(s -> s.spanId().equals(inventoryServer.parentSpanId()))
                .findFirst()
                .orElseThrow();
        assertThat(telemetryClient.service()).isEqualTo("telemetry");
        // a refused call is logged by each service it crossed, each JSON line with the trace id
        String refusedTrace = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        var unknown = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(stack.gatewayUrl() + "/api/v1/devices/" + DemoData.imei(161) + ":enroll"))
                        .header("Authorization", "Bearer " + fleet)
                        .header("Content-Type", "application/json")
                        .header("traceparent", "00-" + refusedTrace + "-00f067aa0ba902b7-01")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).as(unknown.body()).isBetween(400, 499);
        for (String service : List.of("telemetry", "inventory")) {
            until = System.nanoTime() + 10_000_000_000L;
            java.util.Optional<String> line;
            do {
                Thread.sleep(200);
                line = Files.readAllLines(runDir.resolve("logs/" + service + ".log")).stream()
                        .filter(l -> l.contains(DemoData.imei(161)) || l.contains(refusedTrace))
                        .findFirst();
                assertThat(System.nanoTime())
                        .as(service + " logged the refused call")
                        .isLessThan(until);
            } while (line.isEmpty());
            assertThat(line.get()).startsWith("{").contains("\"traceId\":\"" + refusedTrace + "\"");
        }

        // metrics: per gRPC method and HTTP route, JVM, DB pool, and the domain figures
        String inventory = metrics(stack.options().ports().http("inventory"));
        assertThat(inventory)
                .contains("grpc_server_seconds_count{")
                .contains("GetDevice")
                .contains("jvm_memory_used_bytes")
                .contains("hikaricp_connections_active")
                .contains("neogend_outbox_backlog{")
                .contains("neogend_outbox_oldest_age_seconds{");
        assertThat(metrics(stack.options().ports().http("order")))
                .contains("neogend_orders{")
                .contains("state=\"SENT\"")
                .contains("outbox=\"supplier\"");
        assertThat(metrics(stack.options().ports().http("telemetry")))
                .contains("neogend_readings_total{")
                .contains("grpc_client_seconds_count{");
        String gateway = metrics(stack.options().ports().gatewayManagement());
        assertThat(gateway).contains("http_server_requests_seconds_count{").contains("grpc_client_seconds_count{");

        // every metric the shipped Grafana dashboard queries is exposed by some component
        StringBuilder all = new StringBuilder(inventory).append(gateway);
        for (String service : List.of("order", "accessories", "training", "telemetry")) {
            all.append(metrics(stack.options().ports().http(service)));
        }
        String dashboard = Files.readString(Path.of(System.getProperty("neogend.root", "../.."))
                .resolve("helm/neogend/files/grafana-dashboard.json"));
        var queried = java.util.regex.Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(dashboard)
                .results()
                .flatMap(m -> java.util.regex.Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{")
                        .matcher(m.group())
                        .results()
                        .map(n -> n.group(1)))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        assertThat(queried)
                .hasSizeGreaterThan(10)
                .allSatisfy(
                        name -> assertThat(all.toString()).as("metric " + name).contains("\n" + name + "{"));
    }

    private static String metrics(int port) throws Exception {
        var r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void thePartnerGuideExamplesRunAsWritten() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        var created = post("/api/v1/purchase-orders", fleet, """
                {"agreementId":"AC-2026-NEOGEND","deliverySite":"Dépôt central, Rennes",
                 "requestedDate":{"year":2026,"month":12,"day":20},
                 "lines":[{"itemCode":"ACC-SD-64GB","quantity":"10"}]}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String number = created.body().replaceAll(".*\"number\":\"([^\"]+)\".*", "$1");
        post("/api/v1/purchase-orders/" + number + ":submit", fleet, "{}");
        post("/api/v1/purchase-orders/" + number + ":approve", fleet, "{}");
        long until = System.nanoTime() + 60_000_000_000L;
        while (!get("/api/v1/purchase-orders/" + number, fleet).body().contains("ORDER_STATE_SENT")) {
            assertThat(System.nanoTime())
                    .as(
                            "order sent within 60 s (the relay polls every second; a loaded machine, or its circuit breaker open 30 s, makes it late)")
                    .isLessThan(until);
            Thread.sleep(200);
        }
        String guide = Files.readString(
                Path.of(System.getProperty("neogend.root", "../..")).resolve("docs/partner-guide.md"));
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        var blocks = java.util.regex.Pattern.compile("```bash\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(guide);
        int count = 0;
        while (blocks.find()) {
            script.append("echo '--- example ")
                    .append(++count)
                    .append("'\n")
                    .append(blocks.group(1))
                    .append('\n');
        }
        assertThat(count).isGreaterThanOrEqualTo(6);
        Path work = Files.createTempDirectory("partner-guide");
        ProcessBuilder bash = new ProcessBuilder("bash", "-c", script.toString())
                .directory(work.toFile())
                .redirectErrorStream(true);
        bash.environment()
                .putAll(Map.of(
                        "API",
                        stack.gatewayUrl(),
                        "TOKEN_URL",
                        stack.keycloak().tokenEndpoint(),
                        "CLIENT_ID",
                        "supplier-demo",
                        "CLIENT_SECRET",
                        "supplier-demo-secret",
                        "ORDER",
                        number));
        Process p = bash.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor())
                .as("the guide's examples, run in order:%n%s", output)
                .isZero();
        assertThat(output).contains("--- example " + count);
    }

    @Test
    void anEnrolledDeviceUploadsThroughTheGatewayWithItsOwnCredential() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String imei = DemoData.imei(140);
        assertThat(post("/api/v1/devices", fleet, device(imei, "E2E-140", "GN-RBRE-GGD35"))
                        .statusCode())
                .isEqualTo(200);
        var enrolled = post("/api/v1/devices/" + imei + ":enroll", fleet, "{}");
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        String credential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");

        String now = java.time.Instant.now().toString();
        String batch = """
                {"readings":[{"sequence":"1","recordedAt":"%s","batteryPercent":64,"latitude":48.11,"longitude":-1.68,
                  "network":"NETWORK_TYPE_4G","securityPatchLevel":"2026-11-05"},
                 {"sequence":"2","recordedAt":"%s","batteryPercent":64,"latitude":95,"longitude":-1.68}]}""".formatted(now, now);
        double[] checksBefore = credentialChecks();
        var upload = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                        .header("Authorization", "Device " + credential)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        assertThat(upload.body()).contains("\"stored\":1").contains("latitude: must be -90 to 90");
        // telemetry issued it tagged with the stack's key: the gateway let it in without asking (ADR 0026)
        double[] checksAfter = credentialChecks();
        assertThat(checksAfter[0] - checksBefore[0]).as("checked by its tag").isEqualTo(1);
        assertThat(checksAfter[2] - checksBefore[2]).as("no call to telemetry").isZero();
        // the same id with another random half under the old tag: no tag of the key, asked of telemetry, 401
        char flipped = credential.charAt(30) == 'A' ? 'B' : 'A';
        String forged = credential.substring(0, 30) + flipped + credential.substring(31);
        assertThat(deviceUpload(forged, batch).statusCode()).isEqualTo(401);
        assertThat(credentialChecks()[2] - checksAfter[2])
                .as("a wrong tag is asked of telemetry")
                .isEqualTo(1);
        var wrong = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                        .header(
                                "Authorization",
                                "Device 0123456789abcdef01234567.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        // a device credential opens nothing else
        var elsewhere = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/devices/" + imei))
                        .header("Authorization", "Device " + credential)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(401);

        var state = get("/api/v1/devices/" + imei + "/state", fleet);
        assertThat(state.statusCode()).as(state.body()).isEqualTo(200);
        assertThat(state.body()).contains("\"batteryPercent\":64");

        // enrolled again, the device's old credential still carries a good tag: it passes the gateway's
        // pre-check, and telemetry, which checks every upload, refuses it; nothing of it is stored
        var again = post("/api/v1/devices/" + imei + ":enroll", fleet, "{}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        String later = java.time.Instant.now().toString();
        var replaced = deviceUpload(credential, """
                {"readings":[{"sequence":"3","recordedAt":"%s","batteryPercent":12}]}""".formatted(later));
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(401);
        assertThat(get("/api/v1/devices/" + imei + "/state", fleet).body())
                .contains("\"batteryPercent\":64")
                .doesNotContain("\"batteryPercent\":12");
        assertThat(get("/api/v1/devices/" + imei + "/state", tokens.password("technician", "technician"))
                        .statusCode())
                .isEqualTo(403);
    }

    /**
     * Issue 20, part 3, end to end: a release published 45 days after its bulletin for a model leased under
     * the demo agreement (clause: 30 days, 150.00 a day) is 15 days late in the agreement's patch SLA, and the
     * month's statement deducts exactly the SLA's penalty of the month; another supplier cannot read it.
     */
    @Test
    void aLateReleaseIsDeductedFromTheMonthsStatementExactlyAsThePatchSlaCountsIt() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String supplier = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        String model = "E2E SLA Model";
        assertThat(post(
                                "/api/v1/devices",
                                fleet,
                                device(DemoData.imei(142), "E2E-142", "GN-RBRE-GGD35")
                                        .replace("Rugged X5", model))
                        .statusCode())
                .isEqualTo(200);
        var today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        var bulletin = today.minusDays(45);
        var published = post("/api/v1/rom-releases", supplier, """
                {"model":"%s","buildFingerprint":"neogend/e2e-sla/1","securityPatchLevel":"%s",
                 "bulletinDate":{"year":%d,"month":%d,"day":%d},"kernelSourceSha256":"%s","kernelConfig":"CONFIG_X=y\n"}""".formatted(
                        model,
                        bulletin,
                        bulletin.getYear(),
                        bulletin.getMonthValue(),
                        bulletin.getDayOfMonth(),
                        "b".repeat(64)));
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        String release = published.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");

        var sla = get("/api/v1/agreements/AC-2026-NEOGEND/patch-sla", supplier);
        assertThat(sla.statusCode()).as(sla.body()).isEqualTo(200);
        var report = json.readTree(sla.body());
        tools.jackson.databind.JsonNode line = null;
        for (var r : report.get("releases")) {
            if (r.get("releaseId").asString().equals(release)) {
                line = r;
            }
        }
        assertThat(line).as(sla.body()).isNotNull();
        assertThat(line.get("daysToPublish").asInt()).isEqualTo(45);
        assertThat(line.get("lateDays").asInt()).isEqualTo(45 - 30);
        assertThat(line.get("penalty").asString()).isEqualTo("2250.00");
        String monthPenalty = null;
        for (var m : report.get("months")) {
            if (m.get("year").asInt() == today.getYear() && m.get("month").asInt() == today.getMonthValue()) {
                monthPenalty = m.get("penalty").asString();
            }
        }
        assertThat(monthPenalty).as(sla.body()).isNotNull();

        var statement = get(
                "/api/v1/agreements/AC-2026-NEOGEND/statements/" + today.getYear() + "/" + today.getMonthValue(),
                fleet);
        assertThat(statement.statusCode()).as(statement.body()).isEqualTo(200);
        String deduction = null;
        for (var l : json.readTree(statement.body()).get("lines")) {
            if (l.get("itemCode").asString().equals("PATCH-SLA")) {
                assertThat(l.get("kind").asString()).isEqualTo("ITEM_KIND_PATCH_SLA_DEDUCTION");
                deduction = l.get("amount").asString();
            }
        }
        assertThat(deduction).as(statement.body()).isEqualTo("-" + monthPenalty);
        String other = tokens.clientCredentials("supplier-other", "supplier-other-secret");
        assertThat(get("/api/v1/agreements/AC-2026-NEOGEND/patch-sla", other).statusCode())
                .isEqualTo(404);
    }

    /**
     * Issue 20, part 1, end to end through the gateway: the supplier publishes a release with its OTA
     * package, a fleet manager approves it and sends it to one device, the device fetches it on its next
     * upload, says it installed it, and its readings confirm it.
     */
    @Test
    void aRomUpdateGoesFromTheSupplierToADeviceAndItsReadingsConfirmIt() throws Exception {
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String supplier = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        String imei = DemoData.imei(141);
        String model = "E2E Update Model";
        assertThat(post(
                                "/api/v1/devices",
                                fleet,
                                device(imei, "E2E-141", "GN-RBRE-GGD35").replace("Rugged X5", model))
                        .statusCode())
                .isEqualTo(200);
        var published = post("/api/v1/rom-releases", supplier, """
                {"model":"%s","buildFingerprint":"neogend/e2e/2026.12","securityPatchLevel":"2026-12-05",
                 "bulletinDate":{"year":2026,"month":12,"day":1},"kernelSourceSha256":"%s","kernelConfig":"CONFIG_X=y\n",
                 "otaUrl":"https://ota.supplier.example/e2e/2026.12.zip","otaSha256":"%s"}""".formatted(model, "a".repeat(64), "d".repeat(64)));
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        String release = published.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(post("/api/v1/rom-releases/" + release + ":approve", fleet, "{}")
                        .statusCode())
                .isEqualTo(200);
        var enrolled = post("/api/v1/devices/" + imei + ":enroll", fleet, "{}");
        String credential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");

        var queued = post(
                "/api/v1/devices/" + imei + "/commands",
                fleet,
                "{\"command\":\"COMMAND_KIND_UPDATE\",\"releaseId\":\"" + release + "\"}");
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
        String command = queued.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        // a unit manager may lock a device of its subtree but not update it
        var byUnitManager = post(
                "/api/v1/devices/" + imei + "/commands",
                tokens.password("unit.manager", "unit.manager"),
                "{\"command\":\"COMMAND_KIND_UPDATE\",\"releaseId\":\"" + release + "\"}");
        assertThat(byUnitManager.statusCode()).as(byUnitManager.body()).isEqualTo(403);

        var handed = deviceUpload(credential, "{}");
        assertThat(handed.statusCode()).as(handed.body()).isEqualTo(200);
        assertThat(handed.body())
                .contains("\"command\":\"COMMAND_KIND_UPDATE\"")
                .contains("\"otaUrl\":\"https://ota.supplier.example/e2e/2026.12.zip\"")
                .contains("\"otaSha256\":\"" + "d".repeat(64) + "\"");

        String now = java.time.Instant.now().toString();
        var installed = deviceUpload(credential, """
                {"readings":[{"sequence":"1","recordedAt":"%s","batteryPercent":80,"network":"NETWORK_TYPE_4G",
                  "securityPatchLevel":"2026-12-05","romBuild":"neogend/e2e/2026.12"}],
                 "commandResults":[{"commandId":"%s","outcome":"COMMAND_OUTCOME_INSTALLED"}]}""".formatted(now, command));
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(installed.body()).doesNotContain("COMMAND_KIND_UPDATE");
        var listed = get("/api/v1/devices/" + imei + "/commands", fleet);
        assertThat(listed.body())
                .contains("\"status\":\"COMMAND_STATUS_CONFIRMED\"")
                .contains("\"confirmTime\"");
    }

    /** The gateway's device-credential pre-checks so far: by tag, by cache, by a call to telemetry. */
    private static double[] credentialChecks() throws Exception {
        double[] found = new double[3];
        for (String line : metrics(stack.options().ports().gatewayManagement()).split("\n")) {
            if (line.startsWith("neogend_gateway_device_credential_checks_total{")) {
                int k = line.contains("by=\"tag\"") ? 0 : line.contains("by=\"cache\"") ? 1 : 2;
                found[k] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return found;
    }

    private static HttpResponse<String> deviceUpload(String credential, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                        .header("Authorization", "Device " + credential)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postWithKey(String path, String token, String json, String key)
            throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String token, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every span's parent is the request's caller span or another span received, so nothing is missing. */
    static boolean wholeTree(List<OtlpCollector.Span> trace) {
        Set<String> ids = new java.util.HashSet<>(
                trace.stream().map(OtlpCollector.Span::spanId).toList());
        ids.add("00f067aa0ba902b7");
        return trace.stream().allMatch(s -> ids.contains(s.parentSpanId()));
    }
}
