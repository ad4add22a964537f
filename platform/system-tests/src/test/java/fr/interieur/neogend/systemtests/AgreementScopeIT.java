package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framework agreement is the scope of everything billed (issue 15), tried through the gateway as
 * a fleet manager, a supplier's accountant and an auditor would: three agreements in force at once
 * (an ending one, its successor with other prices and another VAT rate, another supplier's), packs of
 * each, an exchange, a return on the reception day, the smartphones of one unit subtree transferred
 * to the successor the day after today, training sessions under both. Every statement is compared
 * with a calculation written here from rule 13 alone (pack-days from the facts the test created, not
 * from the service): JSON, CSV and the per-pack detail export agree, and no pack-day is billed twice.
 * Runs on any date: the months checked are this one and the next.
 */
@ExtendWith(SharedStack.class)
@Order(13) // last of the shared: its exchange requests are sent after its tests end
class AgreementScopeIT {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String OLD = "AC-SCOPE-OLD";
    static final String NEW = "AC-SCOPE-NEW";
    static final String OTHER = "AC-SCOPE-OTHER";
    static final String FUTURE = "AC-SCOPE-FUTURE";

    static Stack stack;
    static TokenClient tokens;
    static LocalDate today;
    static LocalDate transferDay;
    static YearMonth thisMonth;

    /** What the test did, from which it computes every expected figure. */
    record Period(String agreement, LocalDate from, LocalDate until) {}

    record PackFacts(
            String name,
            String imei,
            String packId,
            String type,
            String unit,
            LocalDate received,
            LocalDate returned,
            List<Period> periods) {}

    record SessionFacts(String course, String agreement, String priceCode, LocalDate start, LocalDate end) {}

    static final Map<String, PackFacts> PACKS = new LinkedHashMap<>();
    static final List<SessionFacts> SESSIONS = new ArrayList<>();
    /** Agreement → item code → price; agreement → VAT rate. */
    static final Map<String, Map<String, BigDecimal>> PRICES = new HashMap<>();

    static final Map<String, BigDecimal> VAT = new HashMap<>();
    static String exchangedOut;
    static String spare;

    @BeforeAll
    static void startSuiteAndBill() throws Exception {
        stack = SharedStack.get().stack();
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String fleet = fleet();
        DemoData.loadUnits(stack.gatewayUrl(), fleet);
        today = LocalDate.now(PARIS);
        thisMonth = YearMonth.from(today);
        transferDay = today.plusDays(1);

        // an ending agreement, its successor (other prices, another VAT rate), another supplier's, a future one
        agreement(
                OLD,
                "SUP-DEMO",
                thisMonth.minusMonths(20).atDay(1),
                24,
                "0.20",
                Map.of(
                        "PACK-SMARTPHONE-INDIVIDUAL",
                        "11.90",
                        "PACK-TABLET-INDIVIDUAL",
                        "16.40",
                        "TRAINING-DAY-L1",
                        "950.00"));
        agreement(
                NEW,
                "SUP-DEMO",
                thisMonth.atDay(1),
                48,
                "0.055",
                Map.of(
                        "PACK-SMARTPHONE-INDIVIDUAL",
                        "10.37",
                        "PACK-TABLET-INDIVIDUAL",
                        "15.15",
                        "TRAINING-DAY-L2",
                        "1012.45"));
        agreement(
                OTHER,
                "SUP-OTHER",
                thisMonth.minusMonths(2).atDay(1),
                36,
                "0.20",
                Map.of("PACK-SMARTPHONE-INDIVIDUAL", "99.99", "TRAINING-DAY-L1", "700.00"));
        agreement(
                FUTURE,
                "SUP-DEMO",
                thisMonth.plusMonths(3).atDay(1),
                12,
                "0.20",
                Map.of("PACK-SMARTPHONE-INDIVIDUAL", "9.00"));

        pack("p1", 901, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35", OLD);
        pack("p2", 902, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35-CIE1", OLD);
        pack("p3", 903, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD29", OLD);
        pack("p4", 904, "TABLET_INDIVIDUAL", "GN-RBRE-GGD35", OLD);
        pack("p5", 905, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35", OLD);
        pack("n1", 906, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35", NEW);
        pack("n2", 907, "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35-CIE1", NEW);
        pack("o1", 908, "SMARTPHONE_INDIVIDUAL", "PN-DDSP35", OTHER);
        spare = DemoData.imei(909);
        ok(send("POST", "/api/v1/devices", fleet, device(spare, "SMARTPHONE_INDIVIDUAL", null, "GN-RBRE-GGD35", null)));

        // p1's device is exchanged for the spare (rule 10: the pack keeps its days and its agreement)
        exchangedOut = PACKS.get("p1").imei();
        ok(send(
                "POST",
                "/api/v1/devices/" + exchangedOut + ":exchange",
                fleet,
                "{\"replacementImei\":\"" + spare + "\",\"reason\":\"écran cassé\"}"));
        // p5 goes back the day it came: no billed day
        ok(send("POST", "/api/v1/devices/" + PACKS.get("p5").imei() + ":markForReturn", fleet, "{}"));
        ok(send("POST", "/api/v1/devices/" + PACKS.get("p5").imei() + ":return", fleet, "{}"));
        PACKS.compute(
                "p5",
                (k, p) -> new PackFacts(
                        p.name(), p.imei(), p.packId(), p.type(), p.unit(), p.received(), today, p.periods()));

        // the smartphones of GN-RBRE-GGD35's subtree go to the successor from tomorrow — asked four times at
        // once: the packs move once
        String transfer = """
                {"successorId":"%s","effectiveDate":%s,"packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","unitCode":"GN-RBRE-GGD35"}""".formatted(NEW, date(transferDay));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(pool.submit((Callable<HttpResponse<String>>)
                    () -> send("POST", "/api/v1/agreements/" + OLD + ":transferPacks", fleet, transfer)));
        }
        long moved = 0;
        for (Future<HttpResponse<String>> call : calls) {
            moved += number(ok(call.get()).path("transferred"));
        }
        pool.shutdown();
        assertThat(moved)
                .as("packs moved over four concurrent identical transfers")
                .isEqualTo(2);
        for (String name : List.of("p1", "p2")) {
            PACKS.compute(
                    name,
                    (k, p) -> new PackFacts(
                            p.name(),
                            p.imei(),
                            p.packId(),
                            p.type(),
                            p.unit(),
                            p.received(),
                            p.returned(),
                            List.of(new Period(OLD, p.received(), transferDay), new Period(NEW, transferDay, null))));
        }

        // training under each agreement: two sessions of one course (one line), a two-day one of the successor's
        course("SCOPE-C1", "Maintenance niveau 1", 1, OLD, "TRAINING-DAY-L1");
        course("SCOPE-C2", "Maintenance niveau 2", 2, NEW, "TRAINING-DAY-L2");
        course("SCOPE-C3", "Autre titulaire", 1, OTHER, "TRAINING-DAY-L1");
        // results are recorded from a session's last day (issue 17): the longer sessions ended today
        session("SCOPE-C1", today, today, true);
        session("SCOPE-C1", today.minusDays(2), today, false);
        // the successor is in force from the first of this month: a session's days lie in its course's
        // agreement's term (on the first of a month this one is held that day only)
        session("SCOPE-C2", max(today.minusDays(1), thisMonth.atDay(1)), today, false);
        session("SCOPE-C3", today, today, false);
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void eachStatementEqualsAnIndependentCalculationFromRule13ToTheCent() throws Exception {
        for (YearMonth month : List.of(thisMonth, thisMonth.plusMonths(1))) {
            for (String agreement : List.of(OLD, NEW, OTHER)) {
                JsonNode statement = ok(get(statementPath(agreement, month), fleet()));
                Map<String, String> expected = expectedLines(agreement, month);
                System.out.printf(
                        "%s %s: expected %s, total %s%n",
                        agreement,
                        month,
                        expected,
                        statement.path("totalInclTax").asString());
                assertThat(expected)
                        .as("the scenario bills something to " + agreement + " in " + month)
                        .isNotEmpty();
                assertThat(lines(statement)).as(agreement + " " + month).isEqualTo(expected);
                BigDecimal total = expected.values().stream()
                        .map(v -> new BigDecimal(v.split("\\|")[2]))
                        .reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
                BigDecimal vat = total.multiply(VAT.get(agreement)).setScale(2, RoundingMode.HALF_UP);
                assertThat(new BigDecimal(statement.path("totalExclTax").asString()))
                        .as(agreement + " " + month + " excl. tax")
                        .isEqualByComparingTo(total);
                assertThat(new BigDecimal(statement.path("vat").asString()))
                        .as(agreement + " " + month + " VAT")
                        .isEqualByComparingTo(vat);
                assertThat(new BigDecimal(statement.path("totalInclTax").asString()))
                        .as(agreement + " " + month + " incl. tax")
                        .isEqualByComparingTo(total.add(vat));
            }
        }
        // the returned-on-arrival pack is in no statement, the other supplier's pack only in its own
        JsonNode old = ok(get(statementPath(OLD, thisMonth), fleet()));
        assertThat(number(line(old, "PACK-SMARTPHONE-INDIVIDUAL").path("quantity")))
                .isEqualTo(3); // p1, p2, p3
        assertThat(ok(get(statementPath(OTHER, thisMonth), fleet()))
                        .path("lines")
                        .size())
                .isEqualTo(2); // o1, C3
    }

    @Test
    void jsonCsvAndTheDetailExportAgreeAndNoPackDayIsBilledTwice() throws Exception {
        String fleet = fleet();
        for (YearMonth month : List.of(thisMonth, thisMonth.plusMonths(1))) {
            Map<String, Long> billedPerPack = new HashMap<>();
            for (String agreement : List.of(OLD, NEW, OTHER)) {
                String path = statementPath(agreement, month);
                Map<String, String> json = lines(ok(get(path, fleet)));
                // the CSV: the same lines and totals
                HttpResponse<String> csv = get(path + ":csv", fleet);
                assertThat(csv.statusCode()).isEqualTo(200);
                Map<String, String> fromCsv = new TreeMap<>();
                for (List<String> row :
                        csvRows(csv.body()).subList(1, csvRows(csv.body()).size())) {
                    if (!row.get(0).startsWith("TOTAL") && !row.get(0).equals("VAT")) {
                        fromCsv.put(
                                row.get(7).isEmpty() ? row.get(0) : "course " + row.get(7),
                                row.get(3) + "|" + row.get(4) + "|" + new BigDecimal(row.get(6)).setScale(2));
                    }
                }
                assertThat(fromCsv).as(agreement + " " + month + " CSV").isEqualTo(json);

                // the detail: one row per pack with billed days; per type, the statement's packs and pack-days
                HttpResponse<String> detail = get(path + ":detail", fleet);
                assertThat(detail.statusCode()).as(detail.body()).isEqualTo(200);
                assertThat(detail.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
                List<List<String>> rows = csvRows(detail.body());
                assertThat(rows.getFirst())
                        .containsExactly(
                                "pack_id",
                                "pack_type",
                                "unit_code",
                                "device_imeis",
                                "billed_from",
                                "billed_until",
                                "billed_days",
                                "monthly_price");
                Map<String, long[]> perType = new TreeMap<>();
                for (List<String> row : rows.subList(1, rows.size())) {
                    PackFacts facts = byPackId(row.get(0));
                    long days = Long.parseLong(row.get(6));
                    assertThat(days)
                            .as(row.toString())
                            .isEqualTo(billedDays(facts, agreement, month))
                            .isPositive();
                    assertThat(row.get(2)).isEqualTo(facts.unit());
                    assertThat(ChronoUnit.DAYS.between(LocalDate.parse(row.get(4)), LocalDate.parse(row.get(5))) + 1)
                            .isEqualTo(days);
                    billedPerPack.merge(row.get(0), days, Long::sum);
                    long[] acc = perType.computeIfAbsent("PACK-" + row.get(1).replace('_', '-'), t -> new long[2]);
                    acc[0]++;
                    acc[1] += days;
                }
                perType.forEach((code, acc) -> assertThat(json.get(code))
                        .as(agreement + " " + month + " " + code)
                        .startsWith(acc[0] + "|" + acc[1] + "|"));
                assertThat(perType.keySet())
                        .isEqualTo(new java.util.TreeSet<>(json.keySet().stream()
                                .filter(k -> k.startsWith("PACK-"))
                                .toList()));
            }
            // over all agreements, a pack's days are its lease's days in the month: never two agreements for one day
            for (PackFacts p : PACKS.values()) {
                assertThat(billedPerPack.getOrDefault(p.packId(), 0L))
                        .as(p.name() + " in " + month)
                        .isEqualTo(leaseDays(p, month));
            }
        }
        // the exchanged pack names both its devices in the month of the exchange (the one now first)
        List<List<String>> old =
                csvRows(get(statementPath(OLD, thisMonth) + ":detail", fleet).body());
        assertThat(old)
                .filteredOn(r -> r.get(0).equals(PACKS.get("p1").packId()))
                .singleElement()
                .satisfies(r -> assertThat(r.get(3)).isEqualTo(spare + " " + exchangedOut));
    }

    @Test
    void aMonthOutsideATermIsRefusedAndASupplierSeesTheDetailOfItsOwnAgreementsOnly() throws Exception {
        String fleet = fleet();
        YearMonth beforeOld = thisMonth.minusMonths(21);
        for (String suffix : List.of("", ":csv", ":detail")) {
            HttpResponse<String> r = get(statementPath(OLD, beforeOld) + suffix, fleet);
            assertThat(r.statusCode()).as(suffix + " " + r.body()).isEqualTo(400);
            assertThat(r.body()).contains("outside its term");
            assertThat(get(statementPath(NEW, thisMonth.minusMonths(1)) + suffix, fleet)
                            .statusCode())
                    .isEqualTo(400);
            assertThat(get(statementPath(OLD, thisMonth.plusMonths(4)) + suffix, fleet)
                            .statusCode())
                    .isEqualTo(400);
        }
        String supplier = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        String other = tokens.clientCredentials("supplier-other", "supplier-other-secret");
        String path = statementPath(OLD, thisMonth) + ":detail";
        HttpResponse<String> own = get(path, supplier);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).isEqualTo(get(path, fleet).body());
        assertThat(get(path, other).statusCode()).isEqualTo(404);
        assertThat(get(statementPath(OLD, thisMonth), supplier).statusCode()).isEqualTo(403); // the statement is ours
        HttpResponse<String> theirs = get(statementPath(OTHER, thisMonth) + ":detail", other);
        assertThat(csvRows(theirs.body()))
                .hasSize(2)
                .last()
                .satisfies(
                        r -> assertThat(r.getFirst()).isEqualTo(PACKS.get("o1").packId()));
        assertThat(get(path, tokens.password("unit.manager", "unit.manager")).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aTransferIsRecordedInEachPackNeverRepeatedValidatedAndCountedAgainstTheSuccessor() throws Exception {
        String fleet = fleet();
        String again = """
                {"successorId":"%s","effectiveDate":%s,"packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","unitCode":"GN-RBRE-GGD35"}""".formatted(NEW, date(transferDay));
        assertThat(number(ok(send("POST", "/api/v1/agreements/" + OLD + ":transferPacks", fleet, again))
                        .path("transferred")))
                .isZero();
        for (String name : List.of("p1", "p2")) {
            String history = ok(get("/api/v1/devices/" + currentImei(name) + "/history?page_size=100", fleet))
                    .toString();
            assertThat(history.split("TRANSFER_AGREEMENT", -1))
                    .as(name + " history")
                    .hasSize(2);
            assertThat(ok(get("/api/v1/packs/" + PACKS.get(name).packId(), fleet))
                            .path("agreementId")
                            .asString())
                    .isEqualTo(NEW);
        }
        assertThat(ok(get("/api/v1/packs/" + PACKS.get("p3").packId(), fleet))
                        .path("agreementId")
                        .asString())
                .isEqualTo(OLD); // another groupement
        assertThat(ok(get("/api/v1/packs/" + PACKS.get("p4").packId(), fleet))
                        .path("agreementId")
                        .asString())
                .isEqualTo(OLD); // a tablet
        JsonNode consumption = ok(get("/api/v1/agreements/" + NEW + "/consumption", fleet));
        assertThat(number(consumption.path("packsTransferredIn"))).isEqualTo(2);
        assertThat(number(consumption.path("packsOrdered"))).isEqualTo(2);

        // refused: a successor not in force on the date, a date outside the ending term, an unknown one,
        // the agreement itself, and anyone but a fleet manager
        assertThat(send("POST", "/api/v1/agreements/" + OLD + ":transferPacks", fleet, """
                {"successorId":"%s","effectiveDate":%s}""".formatted(
                                        NEW, date(thisMonth.minusMonths(1).atDay(1))))
                        .body())
                .contains("is not in force on");
        assertThat(send("POST", "/api/v1/agreements/" + OLD + ":transferPacks", fleet, """
                {"successorId":"%s","effectiveDate":%s}""".formatted(
                                        NEW, date(thisMonth.plusMonths(5).atDay(1))))
                        .body())
                .contains("must fall within the term of " + OLD);
        for (String successor : List.of("AC-NOWHERE", OLD)) {
            HttpResponse<String> r = send(
                    "POST",
                    "/api/v1/agreements/" + OLD + ":transferPacks",
                    fleet,
                    "{\"successorId\":\"" + successor + "\",\"effectiveDate\":" + date(transferDay) + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains("successor_id");
        }
        for (String token : List.of(
                tokens.password("auditor", "auditor"),
                tokens.clientCredentials("supplier-demo", "supplier-demo-secret"))) {
            assertThat(send("POST", "/api/v1/agreements/" + OLD + ":transferPacks", token, again)
                            .statusCode())
                    .isEqualTo(403);
        }
        assertThat(PACKS.values().stream().filter(p -> p.periods().size() > 1).count())
                .isEqualTo(2);
    }

    @Test
    void packsAreRegisteredUnderAnAgreementInForceAndSparesUnderNone() throws Exception {
        String fleet = fleet();
        HttpResponse<String> future = send(
                "POST",
                "/api/v1/devices",
                fleet,
                device(DemoData.imei(930), "SMARTPHONE_INDIVIDUAL", "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35", FUTURE));
        assertThat(future.statusCode()).as(future.body()).isEqualTo(400);
        assertThat(future.body()).contains("agreement_id").contains("is not in force on");
        HttpResponse<String> none = send(
                "POST",
                "/api/v1/devices",
                fleet,
                device(DemoData.imei(931), "SMARTPHONE_INDIVIDUAL", "SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35", null));
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("agreement_id");
        HttpResponse<String> unknown = send(
                "POST",
                "/api/v1/devices",
                fleet,
                device(
                        DemoData.imei(932),
                        "SMARTPHONE_INDIVIDUAL",
                        "SMARTPHONE_INDIVIDUAL",
                        "GN-RBRE-GGD35",
                        "AC-NOWHERE"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("does not exist");
        HttpResponse<String> spareUnder = send(
                "POST",
                "/api/v1/devices",
                fleet,
                device(DemoData.imei(933), "SMARTPHONE_INDIVIDUAL", null, "GN-RBRE-GGD35", OLD));
        assertThat(spareUnder.statusCode()).isEqualTo(400);
        assertThat(spareUnder.body()).contains("a spare device");
        for (int n = 930; n <= 933; n++) {
            assertThat(get("/api/v1/devices/" + DemoData.imei(n), fleet).statusCode())
                    .isEqualTo(404);
        }
        // the agreement filter of the device list and count agree with the packs
        JsonNode list = ok(get("/api/v1/devices?agreement_id=" + OTHER, fleet));
        assertThat(list.path("devices").size()).isEqualTo(1);
        assertThat(number(ok(get("/api/v1/devices:count?agreement_id=" + OTHER, fleet))
                        .path("total")))
                .isEqualTo(1);
    }

    @Test
    void coursesBillToAPriceLineOfTheirOwnAgreement() throws Exception {
        String fleet = fleet();
        Map<String, String> refused = Map.of(
                "{\"agreementId\":\"" + NEW + "\",\"agreementItemCode\":\"TRAINING-DAY-L1\"}",
                "agreement_item_code",
                "{\"agreementId\":\"" + OLD + "\",\"agreementItemCode\":\"PACK-SMARTPHONE-INDIVIDUAL\"}",
                "agreement_item_code",
                "{\"agreementId\":\"AC-NOWHERE\",\"agreementItemCode\":\"TRAINING-DAY-L1\"}",
                "agreement",
                "{\"agreementItemCode\":\"TRAINING-DAY-L1\"}",
                "agreement_id");
        int n = 0;
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String body = "{\"code\":\"SCOPE-BAD-" + (n++) + "\",\"title\":\"Module\",\"durationDays\":1,"
                    + "\"modelFamilies\":[\"Rugged X\"]," + e.getKey().substring(1);
            HttpResponse<String> r = send("POST", "/api/v1/courses", fleet, body);
            assertThat(r.statusCode()).as(body + " → " + r.body()).isEqualTo(400);
            assertThat(r.body()).contains(e.getValue());
        }
        String courses = ok(get("/api/v1/courses?page_size=500", fleet)).toString();
        assertThat(courses).doesNotContain("SCOPE-BAD-");
        // the delivered days of one agreement name its courses only
        JsonNode days = ok(get(
                "/api/v1/training-days?year=" + thisMonth.getYear() + "&month=" + thisMonth.getMonthValue()
                        + "&agreement_id=" + NEW,
                fleet));
        assertThat(days.path("sessions").findValuesAsString("courseCode")).containsOnly("SCOPE-C2");
    }

    @Test
    void exchangesAndFailedRepairsTakeTheAgreementOfTheDevicesPack() throws Exception {
        String fleet = fleet();
        String technician = tokens.password("technician", "technician");
        // an exchange request asked by a fleet manager: the agreement is the pack's, whichever are in force
        JsonNode p3 = ok(send(
                "POST",
                "/api/v1/exchange-requests",
                fleet,
                "{\"imei\":\"" + PACKS.get("p3").imei() + "\",\"reason\":\"boîtier fendu\"}"));
        assertThat(p3.path("agreementId").asString()).isEqualTo(OLD);
        assertThat(p3.path("model").asString()).isEqualTo("Rugged X5"); // the device's, from inventory
        HttpResponse<String> wrong = send(
                "POST",
                "/api/v1/exchange-requests",
                fleet,
                "{\"imei\":\"" + PACKS.get("n1").imei() + "\",\"reason\":\"écran\",\"agreementId\":\"" + OLD + "\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("leased under " + NEW);
        // outside the technician's reach, not in the fleet, a spare: never sent to the supplier
        assertThat(send(
                                "POST",
                                "/api/v1/exchange-requests",
                                technician,
                                "{\"imei\":\"" + PACKS.get("o1").imei() + "\",\"reason\":\"écran\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(send(
                                "POST",
                                "/api/v1/exchange-requests",
                                fleet,
                                "{\"imei\":\"" + DemoData.imei(950) + "\",\"reason\":\"écran\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(send(
                                "POST",
                                "/api/v1/exchange-requests",
                                fleet,
                                "{\"imei\":\"" + exchangedOut + "\",\"reason\":\"écran\"}")
                        .body())
                .contains("in no pack");
        String listed =
                ok(get("/api/v1/exchange-requests?page_size=100", fleet)).toString();
        assertThat(listed)
                .doesNotContain(PACKS.get("o1").imei())
                .doesNotContain(DemoData.imei(950))
                .doesNotContain(exchangedOut);

        // a certified technician's failed repair of a successor pack's device, with four agreements known
        ok(send("POST", "/api/v1/depots", fleet, "{\"code\":\"DEP-SCOPE\",\"name\":\"Atelier\"}"));
        String n2 = PACKS.get("n2").imei();
        JsonNode repair = ok(send(
                "POST",
                "/api/v1/repairs",
                technician,
                "{\"imei\":\"" + n2 + "\",\"depotCode\":\"DEP-SCOPE\",\"fault\":\"ne démarre plus\"}"));
        JsonNode closed = ok(send(
                "POST",
                "/api/v1/repairs/" + repair.path("id").asString() + ":close",
                technician,
                "{\"outcome\":\"REPAIR_OUTCOME_FAILED\",\"diagnosis\":\"carte mère\"}"));
        assertThat(closed.path("state").asString()).isEqualTo("REPAIR_STATE_FAILED");
        assertThat(closed.path("exchangeRequestNumber").asString()).startsWith("EX-");
        JsonNode asked = ok(get("/api/v1/exchange-requests?imei=" + n2, fleet))
                .path("exchangeRequests")
                .get(0);
        assertThat(asked.path("agreementId").asString()).isEqualTo(NEW);
        assertThat(ok(get("/api/v1/devices/" + n2, fleet)).path("state").asString())
                .isEqualTo("DEVICE_STATE_PENDING_RETURN");
    }

    @Test
    void theEndOfTermViewCountsEachAgreementsDevicesNotReturnedPerUnit() throws Exception {
        String fleet = fleet();
        // OLD keeps p3 (GGD29), p4 (GGD35) and the device exchanged out of p1 today, while p1 was still OLD's, until
        // it is returned (the pack moving to NEW tomorrow does not take it along); p5 is returned; p1 and p2 moved
        JsonNode old = ok(get("/api/v1/reports/end-of-term?agreement_id=" + OLD, fleet));
        assertThat(number(old.path("notReturnedTotal"))).isEqualTo(3);
        assertThat(perUnit(old)).containsExactlyInAnyOrderEntriesOf(Map.of("GN-RBRE-GGD29", 1L, "GN-RBRE-GGD35", 2L));
        JsonNode oldList = ok(get("/api/v1/devices?agreement_id=" + OLD + "&not_returned=true&page_size=100", fleet));
        assertThat(oldList.path("devices").findValuesAsString("imei"))
                .containsExactlyInAnyOrder(
                        PACKS.get("p3").imei(), PACKS.get("p4").imei(), exchangedOut);
        // NEW: n1, n2, p1 (now the spare), p2
        JsonNode successor = ok(get("/api/v1/reports/end-of-term?agreement_id=" + NEW, fleet));
        assertThat(number(successor.path("notReturnedTotal"))).isEqualTo(4);
        assertThat(perUnit(successor))
                .containsExactlyInAnyOrderEntriesOf(Map.of("GN-RBRE-GGD35", 2L, "GN-RBRE-GGD35-CIE1", 2L));
        // the list the report points to holds the same devices
        JsonNode list = ok(get("/api/v1/devices?agreement_id=" + NEW + "&not_returned=true&page_size=100", fleet));
        assertThat(list.path("devices").findValuesAsString("imei"))
                .containsExactlyInAnyOrder(
                        PACKS.get("n1").imei(),
                        PACKS.get("n2").imei(),
                        spare,
                        PACKS.get("p2").imei());
        // a unit manager of another groupement sees its own part only
        JsonNode sibling = ok(get(
                "/api/v1/reports/end-of-term?agreement_id=" + OLD,
                tokens.password("unit.manager.ggd29", "unit.manager.ggd29")));
        assertThat(number(sibling.path("notReturnedTotal"))).isEqualTo(1);
    }

    // ------------------------------------------------------------------ rule 13, computed here

    /** A pack's days billed to an agreement in a month: reception (incl.) to return (excl.), within its periods. */
    static long billedDays(PackFacts p, String agreement, YearMonth month) {
        long days = 0;
        for (Period period : p.periods()) {
            if (!period.agreement().equals(agreement)) {
                continue;
            }
            LocalDate from = max(max(p.received(), period.from()), month.atDay(1));
            LocalDate until =
                    min(min(p.returned(), period.until()), month.plusMonths(1).atDay(1));
            if (from.isBefore(until)) {
                days += ChronoUnit.DAYS.between(from, until);
            }
        }
        return days;
    }

    /** A pack's leased days in a month, whatever the agreement. */
    static long leaseDays(PackFacts p, YearMonth month) {
        LocalDate from = max(p.received(), month.atDay(1));
        LocalDate until = min(p.returned(), month.plusMonths(1).atDay(1));
        return from.isBefore(until) ? ChronoUnit.DAYS.between(from, until) : 0;
    }

    /** Line key → "quantity|billed days|amount": one per pack type, one per course. */
    static Map<String, String> expectedLines(String agreement, YearMonth month) {
        Map<String, long[]> perType = new TreeMap<>();
        for (PackFacts p : PACKS.values()) {
            long days = billedDays(p, agreement, month);
            if (days > 0) {
                long[] acc = perType.computeIfAbsent("PACK-" + p.type().replace('_', '-'), t -> new long[2]);
                acc[0]++;
                acc[1] += days;
            }
        }
        Map<String, String> lines = new TreeMap<>();
        BigDecimal daysInMonth = BigDecimal.valueOf(month.lengthOfMonth());
        perType.forEach((code, acc) -> lines.put(
                code,
                acc[0] + "|" + acc[1] + "|"
                        + PRICES.get(agreement)
                                .get(code)
                                .multiply(BigDecimal.valueOf(acc[1]))
                                .divide(daysInMonth, 2, RoundingMode.HALF_UP)));
        Map<String, Long> perCourse = new TreeMap<>();
        Map<String, String> priceOf = new HashMap<>();
        for (SessionFacts s : SESSIONS) {
            if (!s.agreement().equals(agreement)) {
                continue;
            }
            LocalDate from = max(s.start(), month.atDay(1));
            LocalDate to = min(s.end(), month.atEndOfMonth());
            if (!from.isAfter(to)) {
                perCourse.merge(s.course(), ChronoUnit.DAYS.between(from, to) + 1, Long::sum);
                priceOf.put(s.course(), s.priceCode());
            }
        }
        perCourse.forEach((course, days) -> lines.put(
                "course " + course,
                days + "|0|"
                        + PRICES.get(agreement)
                                .get(priceOf.get(course))
                                .multiply(BigDecimal.valueOf(days))
                                .setScale(2, RoundingMode.HALF_UP)));
        return lines;
    }

    /** The statement's lines as the same keys and values. */
    static Map<String, String> lines(JsonNode statement) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode l : statement.path("lines")) {
            String course = l.path("courseCode").asString("");
            out.put(
                    course.isEmpty() ? l.path("itemCode").asString() : "course " + course,
                    number(l.path("quantity")) + "|" + number(l.path("billedDays")) + "|"
                            + new BigDecimal(l.path("amount").asString()).setScale(2));
        }
        return out;
    }

    static JsonNode line(JsonNode statement, String itemCode) {
        for (JsonNode l : statement.path("lines")) {
            if (l.path("itemCode").asString().equals(itemCode)) {
                return l;
            }
        }
        throw new AssertionError("no line " + itemCode + " in " + statement);
    }

    static Map<String, Long> perUnit(JsonNode report) {
        Map<String, Long> out = new TreeMap<>();
        report.path("units").forEach(u -> out.put(u.path("unitCode").asString(""), number(u.path("notReturned"))));
        return out;
    }

    static PackFacts byPackId(String packId) {
        return PACKS.values().stream()
                .filter(p -> p.packId().equals(packId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("pack " + packId + " billed but never created by this test"));
    }

    static String currentImei(String name) {
        return name.equals("p1") ? spare : PACKS.get(name).imei();
    }

    static LocalDate max(LocalDate a, LocalDate b) {
        return a.isAfter(b) ? a : b;
    }

    /** The earlier of two days; null is "not yet" (no end). */
    static LocalDate min(LocalDate a, LocalDate b) {
        return a == null ? (b == null ? LocalDate.MAX : b) : b == null || a.isBefore(b) ? a : b;
    }

    // ------------------------------------------------------------------ setup through the API

    static void agreement(
            String id, String supplier, LocalDate notified, int months, String vat, Map<String, String> prices)
            throws Exception {
        StringBuilder schedule = new StringBuilder();
        prices.forEach((code, price) -> {
            String kind = code.startsWith("PACK-") ? "ITEM_KIND_PACK_LEASE" : "ITEM_KIND_TRAINING_DAY";
            String packType = code.startsWith("PACK-")
                    ? ",\"packType\":\"PACK_TYPE_" + code.substring(5).replace('-', '_') + "\""
                    : "";
            schedule.append(schedule.isEmpty() ? "" : ",")
                    .append("{\"code\":\"")
                    .append(code)
                    .append("\",\"kind\":\"")
                    .append(kind)
                    .append("\",\"label\":\"")
                    .append(code)
                    .append("\",\"unitPrice\":\"")
                    .append(price)
                    .append("\"")
                    .append(packType)
                    .append("}");
        });
        ok(send("POST", "/api/v1/agreements", fleet(), """
                {"id":"%s","title":"Accord %s","supplierId":"%s","supplierName":"%s","notifiedOn":%s,"termMonths":%d,
                 "minPacks":"0","maxPacks":"1000","estimatedValue":"1000000.00","vatRate":"%s","priceSchedule":[%s]}""".formatted(
                        id, id, supplier, supplier, date(notified), months, vat, schedule)));
        Map<String, BigDecimal> p = new HashMap<>();
        prices.forEach((code, price) -> p.put(code, new BigDecimal(price)));
        PRICES.put(id, p);
        VAT.put(id, new BigDecimal(vat));
    }

    static void pack(String name, int n, String type, String unit, String agreement) throws Exception {
        String imei = DemoData.imei(n);
        JsonNode device = ok(send("POST", "/api/v1/devices", fleet(), device(imei, type, type, unit, agreement)));
        String packId = device.path("packId").asString();
        assertThat(packId).startsWith("PK-");
        assertThat(device.path("agreementId").asString()).isEqualTo(agreement);
        PACKS.put(
                name,
                new PackFacts(
                        name, imei, packId, type, unit, today, null, List.of(new Period(agreement, today, null))));
    }

    static String device(String imei, String kindOf, String packType, String unit, String agreement) {
        boolean tablet = kindOf.startsWith("TABLET");
        return "{\"imei\":\"" + imei + "\",\"serialNumber\":\"SC-" + imei + "\",\"model\":\""
                + (tablet ? "Field Tab 10" : "Rugged X5") + "\",\"kind\":\""
                + (tablet ? "DEVICE_KIND_TABLET" : "DEVICE_KIND_PHONE") + "\""
                + (packType == null ? "" : ",\"packType\":\"PACK_TYPE_" + packType + "\"")
                + (agreement == null ? "" : ",\"agreementId\":\"" + agreement + "\"") + ",\"unitCode\":\"" + unit
                + "\"}";
    }

    static void course(String code, String title, int days, String agreement, String priceCode) throws Exception {
        ok(send("POST", "/api/v1/courses", fleet(), """
                {"code":"%s","title":"%s","durationDays":%d,"modelFamilies":["Rugged X"],"certificationValidityMonths":24,
                 "agreementId":"%s","agreementItemCode":"%s"}""".formatted(code, title, days, agreement, priceCode)));
    }

    /**
     * A session held: the technician passed (or attended and failed): its days are billed. Enrolled
     * first when it starts today; a session that started before is recorded from its attendance sheet.
     */
    static void session(String course, LocalDate start, LocalDate end, boolean passed) throws Exception {
        String fleet = fleet();
        JsonNode s = ok(
                send("POST", "/api/v1/sessions", fleet, """
                {"courseCode":"%s","startDate":%s,"endDate":%s,"place":"Rennes","capacity":8,"trainer":"Formateur"}""".formatted(course, JsonDays.day(start), JsonDays.day(end))));
        String id = s.path("id").asString();
        if (start.isBefore(today)) {
            ok(send(
                    "POST",
                    "/api/v1/sessions/" + id + ":recordPastResult",
                    fleet,
                    "{\"technician\":\"technician\",\"attended\":true,\"passed\":" + passed
                            + ",\"reason\":\"feuille d'émargement\"}"));
        } else {
            ok(send("POST", "/api/v1/sessions/" + id + ":enroll", fleet, "{\"technician\":\"technician\"}"));
            ok(send(
                    "POST",
                    "/api/v1/sessions/" + id + ":recordResult",
                    fleet,
                    "{\"technician\":\"technician\",\"attended\":true,\"passed\":" + passed + "}"));
        }
        SessionFacts facts = switch (course) {
            case "SCOPE-C1" -> new SessionFacts(course, OLD, "TRAINING-DAY-L1", start, end);
            case "SCOPE-C2" -> new SessionFacts(course, NEW, "TRAINING-DAY-L2", start, end);
            default -> new SessionFacts(course, OTHER, "TRAINING-DAY-L1", start, end);
        };
        SESSIONS.add(facts);
    }

    // ------------------------------------------------------------------ HTTP and CSV

    static String fleet() throws Exception {
        return tokens.password("fleet.manager", "fleet.manager");
    }

    static String statementPath(String agreement, YearMonth month) {
        return "/api/v1/agreements/" + agreement + "/statements/" + month.getYear() + "/" + month.getMonthValue();
    }

    static String date(LocalDate d) {
        return "{\"year\":" + d.getYear() + ",\"month\":" + d.getMonthValue() + ",\"day\":" + d.getDayOfMonth() + "}";
    }

    static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        return SuiteHttp.send(method, stack.gatewayUrl() + path, token, json);
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token, null);
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode())
                .as(response.request().method() + " " + response.request().uri() + " → " + response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** An int64 as proto JSON writes it (a string; absent when 0). */
    static long number(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? 0 : Long.parseLong(n.asString());
    }

    /** RFC 4180 rows (quoted fields, doubled quotes), CRLF line ends. */
    static List<List<String>> csvRows(String text) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : text.split("\r\n")) {
            List<String> row = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    row.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(c);
                }
            }
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
