package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet console in a real browser — Debian's Chromium, headless, driven by its chromedriver —
 * against the whole suite started as {@code make run} starts it, with its demo data (and 25 more
 * devices in stock, so lists have more than one page). What the pages show is compared with what the
 * API answers the same user. Screenshots of the main pages go to {@code target/screenshots}, or to
 * {@code -Dneogend.screenshots=DIR} ({@code make screenshots} writes {@code docs/screenshots}).
 */
@Order(2) // a stack of its own, before the shared one starts (SharedStack)
class ConsoleIT {

    static final Path ROOT = Path.of(System.getProperty("neogend.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static final Path SHOTS = Path.of(System.getProperty("neogend.screenshots", "target/screenshots"))
            .toAbsolutePath();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final int EXTRA_DEVICES = 25;

    static Stack stack;
    static TokenClient tokens;
    static String fleet;
    ChromeDriver driver;
    Path downloads;

    @BeforeAll
    static void startSuite() throws Exception {
        Browser.assumeAvailable();
        Path runDir = Files.createTempDirectory("neogend-console");
        System.out.println("starting the suite for the console's browser tests…");
        stack = Stack.start(new Stack.Options(
                ROOT, runDir, false, Stack.SERVICES, Stack.Ports.free(), Stack.QUICK_START_JVM, Map.of()));
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        fleet = tokens.password("fleet.manager", "fleet.manager");
        DemoData.loadAll(stack.gatewayUrl(), fleet, tokens.clientCredentials("supplier-demo", "supplier-demo-secret"));
        for (int i = 0; i < EXTRA_DEVICES; i++) {
            HttpResponse<String> r = send("POST", "devices", fleet, """
                    {"imei":"%s","serialNumber":"CX-%d","model":"Rugged X5","kind":"DEVICE_KIND_PHONE",
                     "packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"GN-RBRE-GGD35-CIE2"}""".formatted(DemoData.imei(800 + i), 800 + i));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopSuite() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void openBrowser() throws Exception {
        downloads = Files.createTempDirectory("neogend-downloads");
        driver = Browser.start(Files.createTempDirectory("neogend-chromium"), downloads, 1280, 800);
    }

    @AfterEach
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void theFleetManagersOverviewShowsTheApisNumbersAndPagesThroughTheDevices() throws Exception {
        signIn("fleet.manager");
        JsonNode counts = api("devices:count", fleet);
        waitFor(By.cssSelector("[data-total]"));
        assertThat(number(driver.findElement(By.cssSelector("[data-total]")).getText()))
                .isEqualTo(counts.get("total").asLong())
                .isEqualTo(12 + EXTRA_DEVICES);
        for (JsonNode s : counts.get("byState")) {
            assertThat(number(text("[data-count-state='" + s.get("state").asString() + "']")))
                    .as(s.get("state").asString())
                    .isEqualTo(s.get("count").asLong());
        }
        for (JsonNode p : counts.get("byPackType")) {
            if (p.has("packType")) {
                assertThat(number(text("[data-count-pack='" + p.get("packType").asString() + "']")))
                        .as(p.get("packType").asString())
                        .isEqualTo(p.get("count").asLong());
            }
        }
        for (JsonNode u : counts.get("byUnit")) {
            String unit = u.has("unitCode") ? u.get("unitCode").asString() : "central";
            assertThat(number(text("[data-count-unit='" + unit + "']")))
                    .as(unit)
                    .isEqualTo(u.get("count").asLong());
        }
        screenshot("overview");

        // long lists paginate: 20 a page, as many rows in all as the API counts
        assertThat(rows("devices")).hasSize(20);
        List<String> seen = new ArrayList<>(imeis());
        driver.findElement(By.cssSelector("[data-list='devices'] [data-next-page]"))
                .click();
        new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(d -> !imeis().isEmpty() && !imeis().contains(seen.get(0)));
        seen.addAll(imeis());
        assertThat(seen).doesNotHaveDuplicates().hasSize((int)
                counts.get("total").asLong());

        // drill into the unit tree: GN ▸ GN-RBRE ▸ GN-RBRE-GGD35, whose figures are its subtree's
        expand("GN");
        expand("GN-RBRE");
        driver.findElement(By.cssSelector("a[data-unit='GN-RBRE-GGD35']")).click();
        new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector("main p.muted"), "GN-RBRE-GGD35"));
        JsonNode unit = api("devices:count?unit_code=GN-RBRE-GGD35", fleet);
        new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(d -> number(text("[data-total]")) == unit.get("total").asLong());
        assertThat(unit.get("total").asLong())
                .isGreaterThan(EXTRA_DEVICES)
                .isLessThan(counts.get("total").asLong());
    }

    @Test
    void aDeviceIsOpenedAndDeclaredStolenThenLockedAndWiped() throws Exception {
        String imei = DemoData.imei(3); // a phone assigned in GN-RBRE-GGD35
        signIn("fleet.manager");
        waitFor(By.linkText(imei)).click();
        waitFor(By.cssSelector("form[data-action='declare-loss']"));
        assertThat(text("[data-field='State']")).isEqualTo("Affecté");
        new Select(driver.findElement(By.name("kind"))).selectByValue("LOSS_KIND_STOLEN");
        driver.findElement(By.name("report")).sendKeys("PV 2026/004211");
        driver.findElement(By.cssSelector("form[data-action='declare-loss'] button[type='submit']"))
                .click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(ExpectedConditions.alertIsPresent())
                .accept();
        new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector("[data-field='State']"), "Volé"));
        waitFor(By.cssSelector("[data-command='WIPE']"));
        assertThat(text("[data-field='Police report']")).isEqualTo("PV 2026/004211");
        assertThat(driver.findElements(By.cssSelector("[data-command]")))
                .extracting(e -> e.getDomAttribute("data-command"))
                .contains("LOCK", "WIPE");
        assertThat(driver.findElements(By.cssSelector("form[data-action='declare-loss']")))
                .isEmpty(); // not twice
        JsonNode device = api("devices/" + imei, fleet);
        assertThat(device.get("state").asString()).isEqualTo("DEVICE_STATE_STOLEN");
        assertThat(device.get("policeReportReference").asString()).isEqualTo("PV 2026/004211");
        screenshot("device-stolen", true);
    }

    @Test
    void theMonthsLeaseStatementShowsTheApisTotalsAndDownloadsAsItsCsv() throws Exception {
        signIn("fleet.manager");
        driver.findElement(By.cssSelector("[data-nav='orders']")).click();
        WebElement download = waitFor(By.cssSelector("[data-download='statement']"));
        LocalDate today = LocalDate.now();
        String path = "agreements/AC-2026-NEOGEND/statements/" + today.getYear() + "/" + today.getMonthValue();
        JsonNode statement = api(path, fleet);
        assertThat(decimal(text("[data-statement='totalExclTax']")))
                .isEqualTo(statement.get("totalExclTax").asString());
        assertThat(decimal(text("[data-statement='totalInclTax']")))
                .isEqualTo(statement.get("totalInclTax").asString());
        // the supplier's patch SLA: each month's penalty as the API counts it (the demo releases came 32 and
        // 64 days after their bulletins, against a 30-day clause)
        JsonNode sla = api("agreements/AC-2026-NEOGEND/patch-sla", fleet);
        assertThat(sla.get("months").size()).isPositive();
        for (JsonNode m : sla.get("months")) {
            String key =
                    "%d-%02d".formatted(m.get("year").asInt(), m.get("month").asInt());
            assertThat(decimal(text("[data-sla-month='" + key + "'] [data-figure='penalty']")))
                    .isEqualTo(m.get("penalty").asString());
        }
        JsonNode consumption = api("agreements/AC-2026-NEOGEND/consumption", fleet);
        assertThat(number(text("[data-consumption='headroom'] .card-value")))
                .isEqualTo(consumption.get("headroom").asLong());
        screenshot("orders", true);

        download.click();
        Path file = downloads.resolve(
                "statement-AC-2026-NEOGEND-%d-%02d.csv".formatted(today.getYear(), today.getMonthValue()));
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> Files.isRegularFile(file) && !Files.exists(Path.of(file + ".crdownload")));
        HttpResponse<String> csv = send("GET", path + ":csv", fleet, null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(Files.readString(file)).isEqualTo(csv.body()).contains("PACK-SMARTPHONE-INDIVIDUAL");

        // the per-pack detail downloads as the API streams it
        driver.findElement(By.cssSelector("[data-download='detail']")).click();
        Path detail = downloads.resolve(
                "lease-detail-AC-2026-NEOGEND-%d-%02d.csv".formatted(today.getYear(), today.getMonthValue()));
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> Files.isRegularFile(detail) && !Files.exists(Path.of(detail + ".crdownload")));
        HttpResponse<String> rows = send("GET", path + ":detail", fleet, null);
        assertThat(rows.statusCode()).isEqualTo(200);
        assertThat(Files.readString(detail)).isEqualTo(rows.body()).contains("PK-");
        // the agreement's end of term (rule 12): the count the API gives, per unit
        JsonNode end = api("reports/end-of-term?agreement_id=AC-2026-NEOGEND", fleet);
        assertThat(number(text("[data-end-of-term='total']")))
                .isEqualTo(end.get("notReturnedTotal").asLong());
        assertThat(driver.findElements(By.cssSelector("[data-end-of-term-unit]")))
                .hasSize(end.get("units").size());
        assertThat(driver.findElements(By.cssSelector("[data-form='transfer']")))
                .isEmpty(); // no successor yet
    }

    static final List<String> CAMPAIGN_FIGURES = List.of(
            "targeted", "sent", "delivered", "installed", "confirmed", "failed", "silent", "withdrawn", "skipped");

    /** Each line of one of the campaign's views, figure by figure, as the API gives it. */
    void sameFigures(JsonNode lines, String name, java.util.function.Function<JsonNode, String> key) {
        assertThat(driver.findElements(By.cssSelector("[data-" + name + "]"))).hasSize(lines.size());
        for (JsonNode line : lines) {
            for (String figure : CAMPAIGN_FIGURES) {
                assertThat(number(text("[data-" + name + "='" + key.apply(line) + "'] [data-figure='" + figure + "']")))
                        .as(name + " " + key.apply(line) + " " + figure)
                        .isEqualTo(line.has(figure) ? line.get(figure).asLong() : 0);
            }
        }
    }

    @Test
    void theUpdateCampaignPageShowsTheApisProgressPerWaveAndUnitAndDownloadsItsCsv() throws Exception {
        signIn("fleet.manager");
        driver.findElement(By.cssSelector("[data-nav='updates']")).click();
        waitFor(By.cssSelector("[data-wave]"));
        String id =
                api("update-campaigns", fleet).get("campaigns").get(0).get("id").asString();
        JsonNode view = api("update-campaigns/" + id, fleet);
        assertThat(number(text("[data-campaign-card='targeted'] .card-value")))
                .isEqualTo(view.get("campaign").get("targeted").asLong())
                .isEqualTo(2); // the demo's two phones on older builds
        sameFigures(
                view.get("waves"), "wave", w -> w.has("wave") ? w.get("wave").asString() : "0");
        sameFigures(view.get("units"), "unit", u -> u.get("unitCode").asString());
        assertThat(driver.findElements(By.cssSelector("[data-campaign-action='pause']")))
                .hasSize(1);
        screenshot("updates", true);

        driver.findElement(By.cssSelector("[data-download='campaign']")).click();
        Path file = downloads.resolve("campaign-" + id + ".csv");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> Files.isRegularFile(file) && !Files.exists(Path.of(file + ".crdownload")));
        HttpResponse<String> csv = send("GET", "update-campaigns/" + id + ":csv", fleet, null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(Files.readString(file)).isEqualTo(csv.body()).startsWith("campaign_id,release_id,wave,unit_code");
    }

    @Test
    void theOtherPagesShowTheirDataWithoutErrorsOnADesktopAndATablet() throws Exception {
        signIn("fleet.manager");
        for (String page : List.of("compliance", "map", "workshop", "training")) {
            driver.findElement(By.cssSelector("[data-nav='" + page + "']")).click();
            settled(page);
            assertThat(driver.findElements(By.cssSelector("#main .error")))
                    .as(page)
                    .isEmpty();
            switch (page) {
                case "map" -> {
                    waitFor(By.cssSelector(".leaflet-interactive")); // the demo phone's position
                    assertThat(Integer.parseInt(driver.findElement(By.cssSelector("[data-positions]"))
                                    .getDomAttribute("data-positions")))
                            .isGreaterThanOrEqualTo(1);
                }
                case "compliance" -> { // the fleet table agrees with the unit views of both forces
                    java.util.Map<String, Long> late = new java.util.HashMap<>();
                    for (String root : List.of("GN", "PN")) {
                        api("units/" + root + "/compliance", fleet)
                                .path("lines")
                                .forEach(l -> late.merge(
                                        l.get("model").asText(),
                                        l.path("nonCompliant").asLong(),
                                        Long::sum));
                    }
                    waitFor(By.cssSelector("[data-model]"));
                    var rows = driver.findElements(By.cssSelector("[data-model]"));
                    for (var row : rows) {
                        assertThat(Long.parseLong(row.getDomAttribute("data-non-compliant")))
                                .as(row.getDomAttribute("data-model"))
                                .isEqualTo(late.getOrDefault(row.getDomAttribute("data-model"), 0L));
                    }
                }
                case "workshop" ->
                    assertThat(driver.findElements(By.cssSelector("[data-alert]")))
                            .hasSize(api("stock-alerts", fleet).get("alerts").size());
                case "training" ->
                    assertThat(driver.findElements(By.cssSelector("[data-session]")))
                            .hasSize(api("sessions", fleet).get("sessions").size())
                            .isNotEmpty();
                default -> {}
            }
            screenshot(page, !page.equals("map"));
        }
        // a tablet, portrait: same overview, nothing wider than the screen
        driver.manage().window().setSize(new Dimension(820, 1180));
        driver.findElement(By.cssSelector("[data-nav='overview']")).click();
        waitFor(By.cssSelector("[data-total]"));
        waitFor(By.cssSelector("[data-list='devices']"));
        long overflow = (Long) ((JavascriptExecutor) driver)
                .executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("horizontal overflow on a tablet").isLessThanOrEqualTo(0);
        screenshot("overview-tablet");
    }

    @Test
    void anAuditorSeesTheFiguresButIsOfferedNoWriteAction() throws Exception {
        signIn("auditor");
        assertThat(driver.findElements(By.cssSelector("[data-nav]")))
                .extracting(e -> e.getDomAttribute("data-nav"))
                .containsExactly("overview", "compliance", "updates", "orders", "workshop", "training"); // no map
        Set<String> readOnlyButtons = Set.of(
                "‹ Précédent",
                "Suivant ›",
                "Filtrer",
                "Afficher",
                "Télécharger le CSV",
                "Détail par pack (CSV)",
                "Télécharger le CSV (par vague et unité)",
                "Se déconnecter",
                "▸",
                "▾");
        waitFor(By.linkText(DemoData.imei(1))).click();
        waitFor(By.cssSelector("[data-field='IMEI']"));
        settled("devices");
        List<String> pages = List.of("device", "updates", "orders", "workshop", "training");
        for (String page : pages) {
            if (!page.equals("device")) {
                driver.findElement(By.cssSelector("[data-nav='" + page + "']")).click();
                settled(page);
            }
            assertThat(driver.findElements(By.cssSelector("#main .error")))
                    .as(page)
                    .isEmpty();
            assertThat(driver.findElements(
                            By.cssSelector("[data-action], [data-order-action], [data-campaign-action], form.inline")))
                    .as(page)
                    .isEmpty();
            assertThat(driver.findElements(By.cssSelector("button")).stream().map(WebElement::getText))
                    .as(page)
                    .allMatch(readOnlyButtons::contains);
            if (page.equals("workshop")) { // the figures are there, the actions are not
                assertThat(driver.findElements(By.cssSelector("[data-alert]"))).isNotEmpty();
            }
        }
        // and the API refuses what is not offered
        String auditor = tokens.password("auditor", "auditor");
        HttpResponse<String> refused = send(
                "POST",
                "devices/" + DemoData.imei(1) + ":declareLoss",
                auditor,
                "{\"kind\":\"LOSS_KIND_STOLEN\",\"policeReportReference\":\"PV-X\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    }

    @Test
    void aUnitManagerSeesItsUnitThenSignsOutAndATechnicianEnrolsInASession() throws Exception {
        signIn("unit.manager");
        assertThat(driver.findElements(By.cssSelector("[data-nav]")))
                .extracting(e -> e.getDomAttribute("data-nav"))
                .containsExactly("overview", "compliance", "updates", "map");
        String manager = tokens.password("unit.manager", "unit.manager");
        JsonNode mine = api("devices:count", manager);
        assertThat(number(text("[data-total]")))
                .isEqualTo(mine.get("total").asLong())
                .isLessThan(api("devices:count", fleet).get("total").asLong());
        driver.findElement(By.cssSelector("[data-nav='map']")).click();
        settled("map");
        assertThat(driver.findElement(By.name("unit")).getDomProperty("value")).isEqualTo("GN-RBRE-GGD35");
        // signing out ends the Keycloak session: the next visit asks for a login again
        driver.findElement(By.xpath("//button[text()='Se déconnecter']")).click();
        waitFor(By.id("sign-in"));
        driver.get(stack.gatewayUrl() + "/console/");
        waitFor(By.id("sign-in")).click();
        waitFor(By.id("username"));

        HttpResponse<String> created = send("POST", "sessions", fleet, """
                {"courseCode":"MAINT-SMARTPHONE-N1","startDate":%s,"endDate":%s,"place":"Rennes, atelier central",
                 "capacity":5,"trainer":"Demo Mobility SAS"}""".formatted(
                        JsonDays.day(LocalDate.now().plusDays(14)),
                        JsonDays.day(LocalDate.now().plusDays(15))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String session = JSON.readTree(created.body()).get("id").asString();
        driver.findElement(By.id("username")).sendKeys("technician");
        driver.findElement(By.id("password")).sendKeys("technician");
        driver.findElement(By.id("kc-login")).click();
        waitFor(By.cssSelector("[data-user='technician']"));
        driver.findElement(By.cssSelector("[data-nav='training']")).click();
        settled("training");
        waitFor(By.cssSelector("[data-session='" + session + "'] [data-action='enrol']"))
                .click();
        new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector("[data-session='" + session + "']"), "Inscrit"));
        assertThat(api("sessions/" + session, fleet).get("enrolments").toString())
                .contains("\"technician\":\"technician\"", "\"status\":\"ENROLMENT_STATUS_ENROLLED\"");
    }

    // ------------------------------------------------------------------ helpers

    void signIn(String user) {
        driver.get(stack.gatewayUrl() + "/console/");
        waitFor(By.id("sign-in")).click();
        waitFor(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(user);
        driver.findElement(By.id("kc-login")).click();
        waitFor(By.cssSelector("[data-user='" + user + "']"));
    }

    /** Waits until {@code page} is shown and none of its parts is still loading. */
    void settled(String page) {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> (Boolean) ((JavascriptExecutor) d).executeScript("""
                const main = document.getElementById('main');
                return main.dataset.page === arguments[0]
                    && ![...main.querySelectorAll('p.muted')].some(p => p.textContent === 'Chargement…');""", page));
    }

    WebElement waitFor(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    String text(String css) {
        return waitFor(By.cssSelector(css)).getText().trim();
    }

    void expand(String unit) {
        WebElement link = waitFor(By.cssSelector("a[data-unit='" + unit + "']"));
        link.findElement(By.xpath("preceding-sibling::button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d ->
                        !link.findElements(By.xpath("following-sibling::ul/li")).isEmpty());
    }

    List<WebElement> rows(String list) {
        return driver.findElements(By.cssSelector("[data-list='" + list + "'] tbody tr"));
    }

    List<String> imeis() {
        return driver.findElements(By.cssSelector("[data-list='devices'] tbody tr td:first-child a")).stream()
                .map(WebElement::getText)
                .toList();
    }

    /** An amount as the console writes it ("1\u202f234,56") back in the API's form ("1234.56"). */
    static String decimal(String shown) {
        return shown.replaceAll("[\\s\u202f\u00a0]", "").replace(',', '.');
    }

    static long number(String shown) {
        return Long.parseLong(shown.replaceAll("[^0-9-]", ""));
    }

    void screenshot(String name) throws Exception {
        screenshot(name, false);
    }

    /** The viewport, or the whole page (the window is stretched to the page's height for the shot). */
    void screenshot(String name, boolean fullPage) throws Exception {
        Dimension before = driver.manage().window().getSize();
        if (fullPage) {
            long height =
                    (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight;");
            driver.manage().window().setSize(new Dimension(before.getWidth(), (int)
                    Math.min(Math.max(height, before.getHeight()), 3000)));
        }
        Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(before);
    }

    static JsonNode api(String path, String token) throws Exception {
        HttpResponse<String> r = send("GET", path, token, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        return SuiteHttp.send(method, stack.gatewayUrl() + "/api/v1/" + path, token, json);
    }
}
