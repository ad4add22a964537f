package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.order.v1.GetLeaseStatementRequest;
import fr.interieur.neogend.order.v1.LeaseStatement;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
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
 * order service over gRPC, and through the gateway as JSON and as CSV. Goal of the orders issue:
 * under 5 s end to end.
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
        String path = "/api/v1/agreements/AC-2026-NEOGEND/statements/" + year + "/" + month;
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", gatewayPort)) {
            var inventoryStub = InventoryServiceGrpc.newBlockingStub(inventory)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
            var orderStub = OrderServiceGrpc.newBlockingStub(order)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
            System.out.printf("%nMonthly lease statement %d-%02d of the whole fleet (%d runs each, after one warm-up; s)%n",
                    year, month, RUNS);
            long[] count = new long[1];
            double[] stream = time(() -> {
                count[0] = 0;
                inventoryStub.streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder().setYear(year)
                        .setMonth(month).build()).forEachRemaining(b -> count[0] += b.getIntervalsCount());
                return count[0];
            });
            LeaseStatement[] last = new LeaseStatement[1];
            double[] direct = time(() -> last[0] = orderStub.getLeaseStatement(GetLeaseStatementRequest.newBuilder()
                    .setAgreementId("AC-2026-NEOGEND").setYear(year).setMonth(month).build()).getStatement());
            double[] json = time(() -> ok(http.get(path, token)));
            double[] csv = time(() -> ok(http.get(path + ":csv", token)));
            System.out.println("step                                   | median | max");
            row("inventory: stream the month's intervals", stream);
            row("order: statement, direct gRPC", direct);
            row("gateway: statement as JSON", json);
            row("gateway: statement as CSV", csv);
            System.out.printf(Locale.ROOT, "  %,d pack intervals; total excl. tax %s. Inventory reading and streaming "
                            + "the intervals (to this client: %.2f s) is most of the statement (%.2f s); the order "
                            + "service adds them up as they arrive.%n", count[0], last[0].getTotalExclTax(),
                    median(stream), median(direct));
            double worst = Math.max(max(json), max(csv));
            System.out.printf(Locale.ROOT, "Goal: statement for the fleet under 5 s end to end: worst %.2f s -> %s%n",
                    worst, worst < 5 ? "met" : "NOT met");
        } finally {
            inventory.shutdownNow();
            order.shutdownNow();
        }
    }

    private ManagedChannel channel(String service) {
        return NettyChannelBuilder.forAddress("127.0.0.1", stack.options().ports().grpc(service)).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
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
        System.out.printf(Locale.ROOT, "%-38s | %6.2f | %4.2f%n", what, median(s), max(s));
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
