package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.time.Duration;
import java.util.Locale;

/**
 * GetDevice called directly over gRPC and through the gateway over REST (real Keycloak token), at
 * several concurrency levels, side by side in one run; then both at a fixed rate of half the
 * direct maximum, to see the latency the gateway adds.
 */
final class GatewayOverheadBenchmark {

    private static final int DEVICES = 1000;

    private final Stack stack;
    private final BenchSettings settings;
    private final TokenClient tokens;

    GatewayOverheadBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
        this.tokens = new TokenClient(stack.keycloak().tokenEndpoint());
    }

    void run() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1",
                stack.options().ports().grpc("inventory")).usePlaintext().build();
        int gatewayPort = stack.options().ports().gateway();
        ThreadLocal<RawHttpClient> http = ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort));
        try {
            seed(channel);
            System.out.println();
            System.out.println("GetDevice: direct gRPC vs gateway REST (closed loop, "
                    + settings.measure().toSeconds() + " s per cell after " + settings.warmup().toSeconds()
                    + " s warm-up)");
            System.out.println("concurrency | direct req/s  p50 ms  p99 ms | gateway req/s  p50 ms  p99 ms | "
                    + "throughput ratio");
            double maxDirect = 0;
            double bestRatio = 0;
            for (int concurrency : settings.concurrency()) {
                var directStub = grpcStub(channel);
                var direct = Load.closedLoop(i -> directStub.getDevice(request(i)), concurrency,
                        settings.warmup(), settings.measure());
                String token = token();
                var gateway = Load.closedLoop(i -> restGet(http.get(), i, token), concurrency,
                        settings.warmup(), settings.measure());
                double ratio = gateway.throughput() / direct.throughput();
                maxDirect = Math.max(maxDirect, direct.throughput());
                bestRatio = Math.max(bestRatio, ratio);
                System.out.println(String.format(Locale.ROOT,
                        "%11d | %12.0f %7.2f %7.2f | %13.0f %7.2f %7.2f | %6.2f%s",
                        concurrency, direct.throughput(), direct.p50Millis(), direct.p99Millis(), gateway.throughput(),
                        gateway.p50Millis(), gateway.p99Millis(), ratio,
                        direct.errors() + gateway.errors() > 0 ? "  (errors: " + direct.errors() + "/"
                                + gateway.errors() + ")" : ""));
            }

            int workers = 64;
            double addedAtHalf = Double.NaN;
            for (double share : new double[] {0.25, 0.5}) {
                double rate = maxDirect * share;
                System.out.printf(Locale.ROOT, "%nGetDevice at a fixed %.0f req/s (%.0f%% of the direct maximum), %d workers, "
                                + "latency from each request's due time, %d s%n", rate, share * 100, workers,
                        settings.measure().toSeconds());
                var fixedStub = grpcStub(channel);
                var directFixed = Load.openLoop(i -> fixedStub.getDevice(request(i)), rate, workers,
                        settings.warmup(), settings.measure());
                String token = token();
                var gatewayFixed = Load.openLoop(i -> restGet(http.get(), i, token), rate, workers,
                        settings.warmup(), settings.measure());
                double added = gatewayFixed.p99Millis() - directFixed.p99Millis();
                System.out.printf(Locale.ROOT, "direct  p50 %.2f ms  p99 %.2f ms  (%d requests, %d errors)%n",
                        directFixed.p50Millis(), directFixed.p99Millis(), directFixed.count(), directFixed.errors());
                System.out.printf(Locale.ROOT, "gateway p50 %.2f ms  p99 %.2f ms  (%d requests, %d errors)  "
                                + "p99 added: %.2f ms%n", gatewayFixed.p50Millis(), gatewayFixed.p99Millis(),
                        gatewayFixed.count(), gatewayFixed.errors(), added);
                if (share == 0.5) {
                    addedAtHalf = added;
                }
            }
            System.out.printf(Locale.ROOT, "%nGoals: gateway throughput >= 50%% of direct: best ratio %.2f -> %s; "
                            + "p99 added at half the direct maximum <= 5 ms: %.2f ms -> %s%n",
                    bestRatio, bestRatio >= 0.5 ? "met" : "NOT met", addedAtHalf, addedAtHalf <= 5 ? "met" : "NOT met");
        } finally {
            channel.shutdownNow();
        }
    }

    private static void restGet(RawHttpClient client, long i, String token) throws java.io.IOException {
        int status = client.get("/api/v1/devices/" + DemoData.imei(500_000 + (int) Math.floorMod(i, DEVICES)), token);
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status);
        }
    }

    private void seed(ManagedChannel channel) {
        var stub = grpcStub(channel);
        int created = 0;
        for (int i = 0; i < DEVICES; i++) {
            try {
                stub.registerDevice(RegisterDeviceRequest.newBuilder().setDevice(Device.newBuilder()
                        .setImei(DemoData.imei(500_000 + i)).setSerialNumber("BENCH-" + i).setModel("Rugged X5")
                        .setKind(DeviceKind.DEVICE_KIND_PHONE).setUnitCode("GN-RBRE-GGD35")).build());
                created++;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
        System.out.println("  seeded " + created + " devices");
    }

    private InventoryServiceGrpc.InventoryServiceBlockingStub grpcStub(ManagedChannel channel) {
        return InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token())));
    }

    private String cachedToken;
    private long cachedAt;

    /** A fleet manager's token from Keycloak, renewed every minute (tokens live 5 minutes). */
    private synchronized String token() {
        if (cachedToken == null || System.nanoTime() - cachedAt > Duration.ofMinutes(1).toNanos()) {
            cachedToken = tokens.password("fleet.manager", "fleet.manager");
            cachedAt = System.nanoTime();
        }
        return cachedToken;
    }

    private static Metadata bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }

    private static GetDeviceRequest request(long i) {
        return GetDeviceRequest.newBuilder().setImei(DemoData.imei(500_000 + (int) Math.floorMod(i, DEVICES))).build();
    }
}
