package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.order.v1.GetLeaseStatementRequest;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.TransferPacksToSuccessorRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The monthly lease statement of the whole fleet (run after {@link FleetScaleBenchmark} loaded
 * 140,000 packs): inventory streaming the month's intervals alone, the statement directly from the
 * order service over gRPC, through the gateway as JSON, as CSV and as the per-pack detail export;
 * then the smartphones move to a successor agreement mid-month and both agreements' month is measured
 * the same way, side by side with the single-agreement figures. Goals (issue 15): a statement under
 * 1 s, the detail export under 5 s.
 */
final class StatementBenchmark {

    private static final int RUNS = 5;

    private final Stack stack;

    StatementBenchmark(Stack stack) {
        this.stack = stack;
    }

    private interface Work {
        Object run() throws Exception;
    }

    void run() throws Exception {
        TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String token = tokens.password("fleet.manager", "fleet.manager");
        DemoData.loadAgreement(stack.gatewayUrl(), token);
        LocalDate today = LocalDate.now(ZoneId.of("Europe/Paris"));
        int year = today.getYear();
        int month = today.getMonthValue();
        Metadata bearer = new Metadata();
        bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ManagedChannel inventory = channel("inventory");
        ManagedChannel order = channel("order");
        int gatewayPort = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", gatewayPort)) {
            var inventoryStub = InventoryServiceGrpc.newBlockingStub(inventory)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
            var orderStub = OrderServiceGrpc.newBlockingStub(order)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
            // the supplier's releases its patch SLA counts: one per model of the fleet, 40 days after its bulletin
            // (late against the demo clause), and one of a model no pack holds
            String supplier = "Bearer " + tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
            LocalDate bulletin = today.minusDays(40);
            for (String model : List.of("Rugged X5", "Rugged X7", "Field Tab 10", "Field Tab 12", "Bench Absent")) {
                int published = http.post(
                        "/api/v1/rom-releases",
                        supplier,
                        RELEASE.formatted(
                                        model,
                                        "bench/" + model.replace(' ', '-') + "/" + bulletin,
                                        bulletin,
                                        bulletin.getYear(),
                                        bulletin.getMonthValue(),
                                        bulletin.getDayOfMonth(),
                                        "c".repeat(64))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (published != 200 && published != 409) {
                    throw new IllegalStateException("publishing a bench release: HTTP " + published);
                }
            }
            System.out.printf(
                    "%nMonthly lease statement %d-%02d of the whole fleet (%d runs each, after one warm-up; s)%n",
                    year, month, RUNS);
            System.out.println("step                                              | median | max");
            Figures single = measure(inventoryStub, orderStub, http, token, AGREEMENT, year, month, "");

            // renewal: a successor with its own prices; the smartphones (about half the fleet) move to it
            // mid-month, so this month's days of each moved pack are split between the two statements
            String successor = "AC-BENCH-SUCCESSOR";
            LocalDate from = today.withDayOfMonth(Math.min(15, today.lengthOfMonth()));
            int status = http.post(
                    "/api/v1/agreements",
                    "Bearer " + token,
                    SUCCESSOR
                            .formatted(successor, today.getYear(), today.getMonthValue())
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (status != 200 && status != 409) {
                throw new IllegalStateException("creating the successor agreement: HTTP " + status);
            }
            long t0 = System.nanoTime();
            var moved = orderStub.transferPacksToSuccessor(TransferPacksToSuccessorRequest.newBuilder()
                    .setAgreementId(AGREEMENT)
                    .setSuccessorId(successor)
                    .setPackType(fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                    .setEffectiveDate(com.google.type.Date.newBuilder()
                            .setYear(from.getYear())
                            .setMonth(from.getMonthValue())
                            .setDay(from.getDayOfMonth()))
                    .build());
            double transferSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "transfer of %,d smartphone packs to %s from %s: %.2f s (one call)%n",
                    moved.getTransferred(),
                    successor,
                    from,
                    transferSeconds);
            Figures ending = measure(inventoryStub, orderStub, http, token, AGREEMENT, year, month, " (ending)");
            Figures next = measure(inventoryStub, orderStub, http, token, successor, year, month, " (successor)");

            System.out.printf(
                    Locale.ROOT,
                    "  single agreement: %,d pack intervals, detail %,d rows / %.1f MB; split: "
                            + "%,d + %,d intervals, detail %,d + %,d rows%n",
                    single.intervals,
                    single.detailRows,
                    single.detailBytes / 1e6,
                    ending.intervals,
                    next.intervals,
                    ending.detailRows,
                    next.detailRows);
            System.out.printf(
                    Locale.ROOT,
                    "  statement through the gateway (JSON, median): single %.2f s; split %.2f + "
                            + "%.2f s -> ratio of the pair to the single %.2f%n",
                    median(single.json),
                    median(ending.json),
                    median(next.json),
                    (median(ending.json) + median(next.json)) / median(single.json));
            System.out.printf(
                    Locale.ROOT,
                    "  detail export through the gateway (median): single %.2f s; split %.2f + " + "%.2f s%n",
                    median(single.detail),
                    median(ending.detail),
                    median(next.detail));
            double worstStatement = Math.max(
                    Math.max(max(single.json), max(single.csv)),
                    Math.max(Math.max(max(ending.json), max(ending.csv)), Math.max(max(next.json), max(next.csv))));
            double worstExport = Math.max(max(single.detail), Math.max(max(ending.detail), max(next.detail)));
            System.out.printf(
                    Locale.ROOT,
                    "Goals: statement under 1 s: worst %.2f s -> %s; detail export under 5 s: "
                            + "worst %.2f s -> %s%n",
                    worstStatement,
                    worstStatement < 1 ? "met" : "NOT met",
                    worstExport,
                    worstExport < 5 ? "met" : "NOT met");
        } finally {
            inventory.shutdownNow();
            order.shutdownNow();
        }
    }

    /** What one agreement's month costs. */
    private record Figures(
            long intervals,
            double[] stream,
            double[] direct,
            double[] json,
            double[] csv,
            double[] detail,
            long detailRows,
            long detailBytes) {}

    private Figures measure(
            InventoryServiceGrpc.InventoryServiceBlockingStub inventoryStub,
            OrderServiceGrpc.OrderServiceBlockingStub orderStub,
            RawHttpClient http,
            String token,
            String agreement,
            int year,
            int month,
            String label)
            throws Exception {
        String path = "/api/v1/agreements/" + agreement + "/statements/" + year + "/" + month;
        long[] count = new long[1];
        double[] stream = time(() -> {
            count[0] = 0;
            inventoryStub
                    .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                            .setAgreementId(agreement)
                            .setYear(year)
                            .setMonth(month)
                            .build())
                    .forEachRemaining(b -> count[0] += b.getIntervalsCount());
            return count[0];
        });
        double[] direct = time(() -> orderStub
                .getLeaseStatement(GetLeaseStatementRequest.newBuilder()
                        .setAgreementId(agreement)
                        .setYear(year)
                        .setMonth(month)
                        .build())
                .getStatement());
        // what the patch SLA deduction adds (issue 20): the demo agreement's clause has a rate, so its statement
        // asks telemetry for the releases and inventory for the packs' models; the successor's has no clause
        double[] sla = time(() -> orderStub
                .getPatchSla(fr.interieur.neogend.order.v1.GetPatchSlaRequest.newBuilder()
                        .setAgreementId(agreement)
                        .build())
                .getSla());
        double[] json = time(() -> ok(http.get(path, token)));
        double[] csv = time(() -> ok(http.get(path + ":csv", token)));
        long[] detail = new long[2]; // rows, bytes
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        double[] export = time(() -> {
            var response = client.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.gatewayUrl() + path + ":detail"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            ok(response.statusCode());
            long rows = 0;
            long bytes = 0;
            byte[] buffer = new byte[1 << 16];
            try (var in = response.body()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            rows++;
                        }
                    }
                }
            }
            detail[0] = rows - 1;
            detail[1] = bytes;
            return rows;
        });
        row("inventory: stream the month's intervals" + label, stream);
        row("order: statement, direct gRPC" + label, direct);
        row("order: patch SLA alone, direct gRPC" + label, sla);
        row("gateway: statement as JSON" + label, json);
        row("gateway: statement as CSV" + label, csv);
        row("gateway: per-pack detail export" + label, export);
        System.out.printf(
                Locale.ROOT, "  patch SLA alone / statement (medians)%s: %.2f%n", label, median(sla) / median(direct));
        return new Figures(count[0], stream, direct, json, csv, export, detail[0], detail[1]);
    }

    static final String AGREEMENT = FleetLoader.AGREEMENT;

    static final String RELEASE = """
            {"model":"%s","buildFingerprint":"%s","securityPatchLevel":"%s",
             "bulletinDate":{"year":%d,"month":%d,"day":%d},"kernelSourceSha256":"%s","kernelConfig":"CONFIG_X=y\\n"}""";

    /** The successor: notified on the first of this month, other prices. */
    static final String SUCCESSOR = """
            {"id":"%s","title":"Successeur (banc d'essai)","supplierId":"SUP-DEMO","supplierName":"Demo Mobility SAS",
             "notifiedOn":{"year":%d,"month":%d,"day":1},"termMonths":48,"minPacks":"0","maxPacks":"140000",
             "estimatedValue":"50000000.00","vatRate":"0.20","priceSchedule":[
              {"code":"PACK-SMARTPHONE-INDIVIDUAL","kind":"ITEM_KIND_PACK_LEASE","label":"Pack smartphone","packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","unitPrice":"10.85"},
              {"code":"PACK-TABLET-INDIVIDUAL","kind":"ITEM_KIND_PACK_LEASE","label":"Pack tablette","packType":"PACK_TYPE_TABLET_INDIVIDUAL","unitPrice":"15.10"},
              {"code":"PACK-TABLET-COLLECTIVE","kind":"ITEM_KIND_PACK_LEASE","label":"Pack tablette collective","packType":"PACK_TYPE_TABLET_COLLECTIVE","unitPrice":"16.90"}]}""";

    private ManagedChannel channel(String service) {
        return NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc(service))
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    private static Object ok(int status) {
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status);
        }
        return status;
    }

    private static double[] time(Work work) throws Exception {
        work.run(); // warm-up
        double[] seconds = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            work.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    private static void row(String what, double[] s) {
        System.out.printf(Locale.ROOT, "%-49s | %6.2f | %4.2f%n", what, median(s), max(s));
    }

    private static double median(double[] s) {
        List<Double> sorted = new ArrayList<>();
        for (double d : s) {
            sorted.add(d);
        }
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double max(double[] s) {
        double m = 0;
        for (double d : s) {
            m = Math.max(m, d);
        }
        return m;
    }
}
