package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * A little fleet for demos, loaded through the gateway as a fleet manager would (so the first load
 * exercises the whole chain): a unit tree of both branches, devices received as packs, a few of them
 * handed to agents and units, and a spare for exchanges. Loading again is harmless: what exists
 * already answers 409 and is left alone.
 */
public final class DemoData {

    private record DemoUnit(String code, String name, String level, String parent) {}

    private record DemoDevice(int n, String model, String kind, String packType, String unit, String agent) {}

    /** Parents first. */
    public static final List<DemoUnit> UNITS = List.of(
            new DemoUnit("GN", "Gendarmerie nationale", "UNIT_LEVEL_NATIONAL", null),
            new DemoUnit("GN-RBRE", "Région de gendarmerie de Bretagne", "UNIT_LEVEL_REGION", "GN"),
            new DemoUnit(
                    "GN-RBRE-GGD35",
                    "Groupement de gendarmerie départementale d'Ille-et-Vilaine",
                    "UNIT_LEVEL_GROUPEMENT",
                    "GN-RBRE"),
            new DemoUnit(
                    "GN-RBRE-GGD35-CIE1",
                    "Compagnie de gendarmerie de Rennes",
                    "UNIT_LEVEL_COMPAGNIE",
                    "GN-RBRE-GGD35"),
            new DemoUnit(
                    "GN-RBRE-GGD35-CIE1-BTA1",
                    "Brigade territoriale autonome de Cesson-Sévigné",
                    "UNIT_LEVEL_BRIGADE",
                    "GN-RBRE-GGD35-CIE1"),
            new DemoUnit(
                    "GN-RBRE-GGD35-CIE2",
                    "Compagnie de gendarmerie de Saint-Malo",
                    "UNIT_LEVEL_COMPAGNIE",
                    "GN-RBRE-GGD35"),
            new DemoUnit(
                    "GN-RBRE-GGD29",
                    "Groupement de gendarmerie départementale du Finistère",
                    "UNIT_LEVEL_GROUPEMENT",
                    "GN-RBRE"),
            new DemoUnit("GN-RIDF", "Région de gendarmerie d'Île-de-France", "UNIT_LEVEL_REGION", "GN"),
            new DemoUnit(
                    "GN-RIDF-GGD77",
                    "Groupement de gendarmerie départementale de Seine-et-Marne",
                    "UNIT_LEVEL_GROUPEMENT",
                    "GN-RIDF"),
            new DemoUnit("PN", "Police nationale", "UNIT_LEVEL_NATIONAL", null),
            new DemoUnit(
                    "PN-DDSP35",
                    "Direction départementale de la sécurité publique d'Ille-et-Vilaine",
                    "UNIT_LEVEL_DIRECTION",
                    "PN"),
            new DemoUnit("PN-DDSP35-CSP1", "Commissariat central de Rennes", "UNIT_LEVEL_COMMISSARIAT", "PN-DDSP35"));

    private static final String PHONE = "DEVICE_KIND_PHONE";
    private static final String TABLET = "DEVICE_KIND_TABLET";
    private static final String SMARTPHONE = "PACK_TYPE_SMARTPHONE_INDIVIDUAL";
    private static final List<DemoDevice> DEVICES = List.of(
            new DemoDevice(1, "Rugged X5", PHONE, SMARTPHONE, "GN-RBRE-GGD35-CIE1", "GND-100231"),
            new DemoDevice(2, "Rugged X5", PHONE, SMARTPHONE, "GN-RBRE-GGD35-CIE1", null),
            new DemoDevice(3, "Rugged X5", PHONE, SMARTPHONE, "GN-RBRE-GGD35", "GND-100417"),
            new DemoDevice(4, "Rugged X5", PHONE, SMARTPHONE, "GN-RBRE-GGD29", null),
            new DemoDevice(5, "Rugged X5", PHONE, SMARTPHONE, "GN-RIDF-GGD77", "GND-200815"),
            new DemoDevice(6, "Field Tab 10", TABLET, "PACK_TYPE_TABLET_INDIVIDUAL", "GN-RBRE-GGD35", null),
            new DemoDevice(7, "Field Tab 10", TABLET, "PACK_TYPE_TABLET_INDIVIDUAL", "GN-RIDF-GGD77", null),
            new DemoDevice(8, "Field Tab 10", TABLET, "PACK_TYPE_TABLET_COLLECTIVE", "GN-RBRE-GGD35-CIE1-BTA1", ""),
            new DemoDevice(9, "Field Tab 10", TABLET, "PACK_TYPE_TABLET_COLLECTIVE", "PN-DDSP35-CSP1", ""),
            new DemoDevice(10, "Rugged X5", PHONE, SMARTPHONE, "PN-DDSP35-CSP1", "PN-551203"),
            new DemoDevice(11, "Rugged X5", PHONE, null, null, null),
            new DemoDevice(12, "Field Tab 10", TABLET, "PACK_TYPE_TABLET_COLLECTIVE", null, null));

    private DemoData() {}

    /** A valid IMEI (Luhn check digit) for demo device {@code n}. */
    public static String imei(int n) {
        String body = String.format("35299011%06d", n);
        int sum = 0;
        for (int i = 0; i < 14; i++) {
            int d = body.charAt(i) - '0';
            if (i % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return body + (10 - sum % 10) % 10;
    }

    /** What {@link #loadAll} found new. */
    public record Loaded(int devices, boolean agreement, boolean readings, boolean workshop, boolean campaign) {}

    /**
     * Everything {@code make run} shows: units and devices, the agreement, the supplier's approved ROM
     * releases, telemetry, the workshop, a ROM update campaign.
     */
    public static Loaded loadAll(String gatewayUrl, String fleetManagerToken, String supplierToken) {
        boolean agreement = loadAgreement(gatewayUrl, fleetManagerToken); // the packs are leased under it
        int created = load(gatewayUrl, fleetManagerToken);
        loadRomReleases(gatewayUrl, fleetManagerToken, supplierToken);
        boolean readings = loadTelemetry(gatewayUrl, fleetManagerToken);
        boolean workshop = loadWorkshop(gatewayUrl, fleetManagerToken);
        boolean campaign = loadCampaign(gatewayUrl, fleetManagerToken);
        return new Loaded(created, agreement, readings, workshop, campaign);
    }

    /** Creates the demo unit tree; returns how many units were new. */
    public static int loadUnits(String gatewayUrl, String fleetManagerToken) {
        int created = 0;
        for (DemoUnit u : UNITS) {
            String json = "{\"code\":\"" + u.code() + "\",\"name\":\"" + u.name() + "\",\"level\":\"" + u.level() + "\""
                    + (u.parent() == null ? "" : ",\"parentCode\":\"" + u.parent() + "\"") + "}";
            if (post(gatewayUrl + "/api/v1/units", fleetManagerToken, json, "demo unit " + u.code())) {
                created++;
            }
        }
        return created;
    }

    /**
     * The NéoGEND agreement as the article describes it: 48 months from notification, 40,000 to
     * 140,000 packs, about 53 M€ excluding tax (13.25 M€ a year), with a price schedule of that order,
     * and a patch SLA clause: 30 days from a security bulletin to its release, 150 € per late day.
     */
    static final String AGREEMENT = """
            {"id":"AC-2026-NEOGEND","title":"Location de packs de mobilité Android (AOSP) — NéoGEND",
             "supplierId":"SUP-DEMO","supplierName":"Demo Mobility SAS","notifiedOn":{"year":2026,"month":1,"day":15},
             "termMonths":48,"minPacks":"40000","maxPacks":"140000","estimatedValue":"53000000.00","vatRate":"0.20",
             "patchSla":{"delayDays":30,"penaltyPerDay":"150.00"},
             "budgets":[{"fiscalYear":2026,"amount":"12500000.00"},{"fiscalYear":2027,"amount":"13250000.00"},
                        {"fiscalYear":2028,"amount":"13250000.00"},{"fiscalYear":2029,"amount":"13250000.00"},
                        {"fiscalYear":2030,"amount":"750000.00"}],
             "priceSchedule":[
              {"code":"PACK-SMARTPHONE-INDIVIDUAL","kind":"ITEM_KIND_PACK_LEASE","label":"Pack smartphone individuel (mois)","packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","unitPrice":"11.90"},
              {"code":"PACK-TABLET-INDIVIDUAL","kind":"ITEM_KIND_PACK_LEASE","label":"Pack tablette individuelle (mois)","packType":"PACK_TYPE_TABLET_INDIVIDUAL","unitPrice":"16.40"},
              {"code":"PACK-TABLET-COLLECTIVE","kind":"ITEM_KIND_PACK_LEASE","label":"Pack tablette collective (mois)","packType":"PACK_TYPE_TABLET_COLLECTIVE","unitPrice":"17.80"},
              {"code":"ACC-SD-64GB","kind":"ITEM_KIND_ACCESSORY","label":"Carte SD 64 Go","unitPrice":"9.80"},
              {"code":"ACC-CASE-RUGGED","kind":"ITEM_KIND_ACCESSORY","label":"Coque de protection renforcée","unitPrice":"14.50"},
              {"code":"ACC-BT-BOX","kind":"ITEM_KIND_ACCESSORY","label":"Boîtier Bluetooth","unitPrice":"39.00"},
              {"code":"ACC-CAR-CHARGER","kind":"ITEM_KIND_ACCESSORY","label":"Chargeur allume-cigare","unitPrice":"12.35"},
              {"code":"SP-SCREEN-X5","kind":"ITEM_KIND_SPARE_PART","label":"Écran Rugged X5","unitPrice":"48.00"},
              {"code":"SP-BATTERY-X5","kind":"ITEM_KIND_SPARE_PART","label":"Batterie Rugged X5","unitPrice":"22.00"},
              {"code":"SP-SCREEN-TAB10","kind":"ITEM_KIND_SPARE_PART","label":"Écran Field Tab 10","unitPrice":"71.00"},
              {"code":"TRAINING-DAY-L1","kind":"ITEM_KIND_TRAINING_DAY","label":"Journée de formation maintenance niveau 1","unitPrice":"950.00"}]}""";

    /**
     * The workshop: a level-1 maintenance course billed at TRAINING-DAY-L1, a session today that the
     * demo technician passed (so it may repair Rugged X5 phones), the Rennes depot with spare parts and
     * a minimum level that raises a stock alert. Loaded once: true when it was new.
     */
    public static boolean loadWorkshop(String gatewayUrl, String fleetManagerToken) {
        boolean course = post(gatewayUrl + "/api/v1/courses", fleetManagerToken, """
                {"code":"MAINT-SMARTPHONE-N1","title":"Maintenance niveau 1 smartphones","durationDays":1,
                 "modelFamilies":["Rugged X"],"certificationValidityMonths":24,"agreementItemCode":"TRAINING-DAY-L1",
                 "agreementId":"AC-2026-NEOGEND"}""", "demo course");
        if (!course) {
            return false;
        }
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
        String session = postForBody(
                gatewayUrl + "/api/v1/sessions", fleetManagerToken, """
                {"courseCode":"MAINT-SMARTPHONE-N1","startDate":%s,"endDate":%1$s,"place":"Rennes, atelier central",
                 "capacity":8,"trainer":"Demo Mobility SAS"}""".formatted(jsonDay(today)), "demo session");
        String sessionId = session.replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        post(
                gatewayUrl + "/api/v1/sessions/" + sessionId + ":enroll",
                fleetManagerToken,
                "{\"technician\":\"technician\"}",
                "demo enrolment");
        post(
                gatewayUrl + "/api/v1/sessions/" + sessionId + ":recordResult",
                fleetManagerToken,
                "{\"technician\":\"technician\",\"attended\":true,\"passed\":true}",
                "demo result");
        post(
                gatewayUrl + "/api/v1/depots",
                fleetManagerToken,
                "{\"code\":\"DEP-RENNES\",\"name\":\"Atelier central de Rennes\"}",
                "demo depot");
        post(gatewayUrl + "/api/v1/catalogue-items", fleetManagerToken, """
                {"code":"SP-SCREEN-X5","label":"Écran Rugged X5","category":"ITEM_CATEGORY_SPARE_PART","fitsModels":["Rugged X5"]}""", "demo spare part");
        post(gatewayUrl + "/api/v1/catalogue-items", fleetManagerToken, """
                {"code":"SP-BATTERY-X5","label":"Batterie Rugged X5","category":"ITEM_CATEGORY_SPARE_PART","fitsModels":["Rugged X5"]}""", "demo spare part");
        post(gatewayUrl + "/api/v1/catalogue-items", fleetManagerToken, """
                {"code":"ACC-CASE-RUGGED","label":"Coque de protection renforcée","category":"ITEM_CATEGORY_ACCESSORY",
                 "fitsModels":["Rugged X5"]}""", "demo accessory");
        for (String[] receipt :
                new String[][] {{"SP-SCREEN-X5", "8"}, {"SP-BATTERY-X5", "20"}, {"ACC-CASE-RUGGED", "40"}}) {
            post(
                    gatewayUrl + "/api/v1/stock-movements",
                    fleetManagerToken,
                    """
                    {"kind":"MOVEMENT_KIND_RECEIPT","itemCode":"%s","depotCode":"DEP-RENNES","quantity":"%s","reference":"demo"}""".formatted(receipt[0], receipt[1]),
                    "demo receipt");
        }
        post(
                gatewayUrl + "/api/v1/depots/DEP-RENNES/stock/SP-SCREEN-X5:setMinimum",
                fleetManagerToken,
                "{\"minimum\":\"10\"}",
                "demo minimum level");
        return true;
    }

    /** The demo agreement's id: every demo pack is leased under it. */
    public static final String AGREEMENT_ID = "AC-2026-NEOGEND";

    /** Records the demo agreement; true when it was new. */
    public static boolean loadAgreement(String gatewayUrl, String fleetManagerToken) {
        return post(gatewayUrl + "/api/v1/agreements", fleetManagerToken, AGREEMENT, "demo agreement");
    }

    /**
     * Creates the demo units and devices (their packs leased under the demo agreement, which must be
     * loaded first) and hands some devices to their holders; returns how many devices were new.
     */
    public static int load(String gatewayUrl, String fleetManagerToken) {
        loadUnits(gatewayUrl, fleetManagerToken);
        loadAgreement(gatewayUrl, fleetManagerToken);
        int created = 0;
        for (DemoDevice d : DEVICES) {
            String json = "{\"imei\":\"" + imei(d.n()) + "\",\"serialNumber\":\"DEMO-" + d.n() + "\",\"model\":\""
                    + d.model() + "\",\"kind\":\"" + d.kind() + "\""
                    + (d.packType() == null
                            ? ""
                            : ",\"packType\":\"" + d.packType() + "\",\"agreementId\":\"" + AGREEMENT_ID + "\"")
                    + (d.unit() == null ? "" : ",\"unitCode\":\"" + d.unit() + "\"")
                    + ",\"romBuild\":\"neogend/aosp14/2026.11:user/release-keys\"}";
            if (!post(gatewayUrl + "/api/v1/devices", fleetManagerToken, json, "demo device " + imei(d.n()))) {
                continue;
            }
            created++;
            if (d.agent() != null) {
                String assign = "{\"unitCode\":\"" + d.unit() + "\""
                        + (d.agent().isEmpty() ? "" : ",\"holderAgentId\":\"" + d.agent() + "\"")
                        + ",\"accessories\":[\"protective case\",\"car charger\"]}";
                post(
                        gatewayUrl + "/api/v1/devices/" + imei(d.n()) + ":assign",
                        fleetManagerToken,
                        assign,
                        "assignment of demo device " + imei(d.n()));
            }
        }
        return created;
    }

    /** A demo device that reports: where it is and the patch level it runs. */
    private record Reporter(int n, double latitude, double longitude, String patchLevel, String romBuild) {}

    private static final List<Reporter> REPORTERS = List.of(
            new Reporter(1, 48.1113, -1.6800, "2026-11-05", "neogend/aosp14/2026.11:user/release-keys"), // Rennes
            new Reporter(2, 48.1050, -1.6500, "2026-09-05", "neogend/aosp14/2026.09:user/release-keys"),
            new Reporter(3, 48.1173, -1.6778, "2026-11-05", "neogend/aosp14/2026.11:user/release-keys"),
            new Reporter(4, 47.9960, -4.1020, "2026-08-05", "neogend/aosp14/2026.08:user/release-keys"), // Quimper
            new Reporter(5, 48.5393, 2.6610, "2026-11-05", "neogend/aosp14/2026.11:user/release-keys"), // Melun
            new Reporter(6, 48.1200, -1.7000, "2026-10-05", "neogend/tab10/2026.10:user/release-keys"),
            new Reporter(8, 48.1217, -1.6031, "2026-09-05", "neogend/tab10/2026.09:user/release-keys"), // Cesson
            new Reporter(10, 48.1090, -1.6790, "2026-11-05", "neogend/aosp14/2026.11:user/release-keys"));

    /**
     * Enrols the demo devices that report (phones and tablets in Rennes, Cesson-Sévigné, Quimper,
     * Melun) and uploads three readings each on their device credential; false when done before.
     */
    public static boolean loadTelemetry(String gatewayUrl, String fleetManagerToken) {
        boolean any = false;
        for (Reporter r : REPORTERS) {
            any |= report(gatewayUrl, fleetManagerToken, r);
        }
        return any;
    }

    private static boolean report(String gatewayUrl, String fleetManagerToken, Reporter device) {
        String imei = imei(device.n());
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> enrolled =
                    send(gatewayUrl + "/api/v1/devices/" + imei + ":enroll", fleetManagerToken, "{}");
            if (enrolled.statusCode() == 400 && enrolled.body().contains("cannot be enrolled")) {
                return false;
            }
            if (enrolled.statusCode() != 200) {
                throw new IllegalStateException("demo enrolment of " + imei + " refused: HTTP " + enrolled.statusCode()
                        + " " + enrolled.body());
            }
            String credential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");
            java.time.Instant now = java.time.Instant.now();
            long base = now.getEpochSecond(); // a fresh sequence range each run
            StringBuilder batch = new StringBuilder("{\"readings\":[");
            for (int k = 0; k < 3; k++) {
                if (k > 0) {
                    batch.append(',');
                }
                batch.append("{\"sequence\":\"")
                        .append(base + k)
                        .append("\",\"recordedAt\":\"")
                        .append(now.minusSeconds(120L - 60L * k))
                        .append("\",\"batteryPercent\":")
                        .append(81 - k - 7 * (device.n() % 5))
                        .append(",\"latitude\":")
                        .append(device.latitude() + k * 0.0004)
                        .append(",\"longitude\":")
                        .append(device.longitude() + k * 0.0003)
                        .append(",\"accuracyM\":9,\"network\":\"NETWORK_TYPE_4G\"")
                        .append(",\"securityPatchLevel\":\"")
                        .append(device.patchLevel())
                        .append("\",\"romBuild\":\"")
                        .append(device.romBuild())
                        .append("\",\"kernelVersion\":\"5.15.148\",\"freeStorageMb\":\"21000\",")
                        .append("\"agentVersion\":\"1.4.2\"}");
            }
            batch.append("]}");
            HttpResponse<String> uploaded = http.send(
                    HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/device-readings"))
                            .header("Authorization", "Device " + credential)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(batch.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (uploaded.statusCode() != 200) {
                throw new IllegalStateException(
                        "demo readings of " + imei + " refused: HTTP " + uploaded.statusCode() + " " + uploaded.body());
            }
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the gateway at " + gatewayUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The supplier's ROM releases of both models with their OTA packages, approved by the fleet manager:
     * the patch levels compliance is measured against, and what an UPDATE sends. False when published before.
     */
    public static boolean loadRomReleases(String gatewayUrl, String fleetManagerToken, String supplierToken) {
        boolean any = false;
        String[][] releases = {
            {"Rugged X5", "neogend/aosp14/2026.11:user/release-keys", "2026-11-05", "2026-11-02"},
            {"Field Tab 10", "neogend/tab10/2026.10:user/release-keys", "2026-10-05", "2026-10-01"}
        };
        for (String[] r : releases) {
            HttpResponse<String> published = send(gatewayUrl + "/api/v1/rom-releases", supplierToken, """
                    {"model":"%s","buildFingerprint":"%s","securityPatchLevel":"%s","bulletinDate":%s,
                     "kernelSourceSha256":"%s","kernelConfig":"CONFIG_SECURITY_SELINUX=y\\n",
                     "otaUrl":"https://ota.supplier.example/%s.zip","otaSha256":"%s"}""".formatted(
                            r[0],
                            r[1],
                            r[2],
                            jsonDay(java.time.LocalDate.parse(r[3])),
                            "5e".repeat(32),
                            r[1].replaceAll("[^A-Za-z0-9.]", "-"),
                            "0a".repeat(32)));
            if (published.statusCode() == 409) {
                continue;
            }
            if (published.statusCode() != 200) {
                throw new IllegalStateException(
                        "demo ROM release refused: HTTP " + published.statusCode() + " " + published.body());
            }
            String id = published.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
            postForBody(
                    gatewayUrl + "/api/v1/rom-releases/" + id + ":approve",
                    fleetManagerToken,
                    "{}",
                    "approval of demo ROM release " + id);
            any = true;
        }
        return any;
    }

    /** The demo Rugged X5 release, which the demo campaign sends. */
    static final String CAMPAIGN_BUILD = "neogend/aosp14/2026.11:user/release-keys";

    /**
     * A ROM update campaign sending the approved Rugged X5 release to the reporting phones still on an older
     * build (two: a canary wave of one, then the other); false when a campaign exists already.
     */
    public static boolean loadCampaign(String gatewayUrl, String fleetManagerToken) {
        if (get(gatewayUrl + "/api/v1/update-campaigns", fleetManagerToken).contains("\"id\":\"UC-")) {
            return false;
        }
        String releases = get(gatewayUrl + "/api/v1/rom-releases?model=Rugged%20X5", fleetManagerToken);
        java.util.regex.Matcher release = java.util.regex.Pattern.compile(
                        "\"id\":\"(ROM-[0-9]+)\"[^}]*\"buildFingerprint\":\""
                                + java.util.regex.Pattern.quote(CAMPAIGN_BUILD) + "\"")
                .matcher(releases);
        if (!release.find()) {
            throw new IllegalStateException("the demo release " + CAMPAIGN_BUILD + " is not published: " + releases);
        }
        postForBody(
                gatewayUrl + "/api/v1/update-campaigns",
                fleetManagerToken,
                "{\"releaseId\":\"" + release.group(1) + "\",\"wavePercents\":[50,100],\"haltFailurePercent\":20}",
                "demo update campaign");
        return true;
    }

    private static String get(String url, String token) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + token)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " refused: HTTP " + r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the gateway at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True when created, false when it existed already (409); anything else stops the load. */
    /** A day as the REST API carries it: a google.type.Date in JSON. */
    static String jsonDay(java.time.LocalDate day) {
        return "{\"year\":%d,\"month\":%d,\"day\":%d}"
                .formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    private static String postForBody(String url, String token, String json, String what) {
        HttpResponse<String> r = send(url, token, json);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(what + " refused: HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** POSTs; true when created, false when it existed already (409). */
    private static boolean post(String url, String token, String json, String what) {
        HttpResponse<String> r = send(url, token, json);
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 409) {
            return false;
        }
        throw new IllegalStateException(what + " refused: HTTP " + r.statusCode() + " " + r.body());
    }

    private static HttpResponse<String> send(String url, String token, String json) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(json))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the gateway at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
