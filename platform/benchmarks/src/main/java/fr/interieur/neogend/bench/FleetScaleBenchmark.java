package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.CountDevicesRequest;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDeviceHistoryRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.PackType;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * The inventory at the agreement's maximum (140,000 devices, 500,000 history rows): filtered,
 * paginated searches, dashboard counts and history reads, directly over gRPC and through the gateway
 * (REST) side by side, at a few concurrent users. Goals of the inventory issue: search p99 < 50 ms,
 * counts < 200 ms.
 */
final class FleetScaleBenchmark {

    private final Stack stack;
    private final BenchSettings settings;

    FleetScaleBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
    }

    /** One kind of request, as a gRPC call and as the same REST query. */
    private record Query(String name, LongFunction<ListDevicesRequest> grpc, LongFunction<String> rest) {}

    void run() throws Exception {
        System.out.printf(
                "%nFleet at scale: loading %,d devices and %,d history rows…%n",
                FleetLoader.DEVICES, FleetLoader.HISTORY);
        FleetLoader fleet = new FleetLoader();
        fleet.load(stack.postgres().jdbcUrl("inventory"), PostgresServer.SUPERUSER);
        TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String token = tokens.password("fleet.manager", "fleet.manager");
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc("inventory"))
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
        var stub = InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
        int gatewayPort = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        ThreadLocal<RawHttpClient> http = ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", gatewayPort));
        List<String> groupements = fleet.groupements;
        List<String> regions = fleet.regions;
        String[] models = FleetLoader.MODELS;
        String[] roms = FleetLoader.ROMS;
        // page 2 of a groupement's assigned devices: a token from page 1
        List<String> secondPages = new ArrayList<>();
        for (int g = 0; g < 20; g++) {
            secondPages.add(stub.listDevices(ListDevicesRequest.newBuilder()
                            .setState(DeviceState.DEVICE_STATE_ASSIGNED)
                            .setUnitCode(groupements.get(g))
                            .setPageSize(50)
                            .build())
                    .getNextPageToken());
        }
        List<Query> searches = List.of(
                new Query(
                        "state + groupement subtree",
                        i -> ListDevicesRequest.newBuilder()
                                .setState(DeviceState.DEVICE_STATE_ASSIGNED)
                                .setUnitCode(pick(groupements, i))
                                .setPageSize(50)
                                .build(),
                        i -> "/api/v1/devices?state=ASSIGNED&unit_code=" + pick(groupements, i) + "&page_size=50"),
                new Query(
                        "... its page 2 (token)",
                        i -> ListDevicesRequest.newBuilder()
                                .setState(DeviceState.DEVICE_STATE_ASSIGNED)
                                .setUnitCode(groupements.get((int) (i % 20)))
                                .setPageSize(50)
                                .setPageToken(secondPages.get((int) (i % 20)))
                                .build(),
                        i -> "/api/v1/devices?state=ASSIGNED&unit_code=" + groupements.get((int) (i % 20))
                                + "&page_size=50&page_token=" + secondPages.get((int) (i % 20))),
                new Query(
                        "model + ROM build",
                        i -> ListDevicesRequest.newBuilder()
                                .setModel(models[(int) (i % 4)])
                                .setRomBuild(roms[(int) (i % 6)])
                                .setPageSize(50)
                                .build(),
                        i -> "/api/v1/devices?model=" + models[(int) (i % 4)].replace(" ", "%20") + "&rom_build="
                                + roms[(int) (i % 6)] + "&page_size=50"),
                new Query(
                        "holder (agent)",
                        i -> ListDevicesRequest.newBuilder()
                                .setHolderAgentId(agent(i))
                                .build(),
                        i -> "/api/v1/devices?holder_agent_id=" + agent(i)),
                new Query(
                        "region, recent first",
                        i -> ListDevicesRequest.newBuilder()
                                .setUnitCode(pick(regions, i))
                                .setOrderBy("update_time desc")
                                .setPageSize(50)
                                .build(),
                        i -> "/api/v1/devices?unit_code=" + pick(regions, i)
                                + "&order_by=update_time%20desc&page_size=50"),
                new Query(
                        "pack type + state (rare)",
                        i -> ListDevicesRequest.newBuilder()
                                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)
                                .setState(DeviceState.DEVICE_STATE_IN_REPAIR)
                                .setPageSize(50)
                                .build(),
                        i -> "/api/v1/devices?pack_type=TABLET_COLLECTIVE&state=IN_REPAIR&page_size=50"));

        Duration warmup = settings.warmup().dividedBy(2);
        Duration measure = settings.measure().dividedBy(2);
        int users = 4;
        System.out.printf("%nSearches (%d concurrent users, %s each; ms)%n", users, measure);
        System.out.println(
                "query                       | direct p50 | direct p99 | gateway p50 | gateway p99 | gateway/direct p99");
        // every search on both paths before the first is measured: the first row of the table had paid the
        // services' and the gateway's JIT warm-up for all of them (its p50 2x the same query's page 2)
        int kinds = searches.size();
        Load.closedLoop(
                i -> stub.listDevices(searches.get((int) (i % kinds)).grpc().apply(i / kinds)),
                users,
                settings.warmup(),
                Duration.ofMillis(200));
        Load.closedLoop(
                i -> ok(http.get().get(searches.get((int) (i % kinds)).rest().apply(i / kinds), token)),
                users,
                settings.warmup(),
                Duration.ofMillis(200));
        double worstSearchP99 = 0;
        for (Query q : searches) {
            var direct = Load.closedLoop(i -> stub.listDevices(q.grpc().apply(i)), users, warmup, measure);
            var gateway = Load.closedLoop(i -> ok(http.get().get(q.rest().apply(i), token)), users, warmup, measure);
            check(q.name(), direct, gateway);
            worstSearchP99 = Math.max(worstSearchP99, Math.max(direct.p99Millis(), gateway.p99Millis()));
            System.out.printf(
                    Locale.ROOT,
                    "%-27s | %10.1f | %10.1f | %11.1f | %11.1f | %.2f%n",
                    q.name(),
                    direct.p50Millis(),
                    direct.p99Millis(),
                    gateway.p50Millis(),
                    gateway.p99Millis(),
                    gateway.p99Millis() / direct.p99Millis());
        }
        System.out.printf("%nCounts per state and per unit (1 user; ms)%n");
        System.out.println("scope                       | direct p50 | direct p99 | gateway p50 | gateway p99");
        double worstCount = 0;
        for (String scope : new String[] {"", regions.getFirst(), groupements.get(7)}) {
            var direct = Load.closedLoop(
                    i -> stub.countDevices(
                            CountDevicesRequest.newBuilder().setUnitCode(scope).build()),
                    1,
                    warmup,
                    measure);
            var gateway = Load.closedLoop(
                    i -> ok(http.get()
                            .get("/api/v1/devices:count" + (scope.isEmpty() ? "" : "?unit_code=" + scope), token)),
                    1,
                    warmup,
                    measure);
            check("count " + scope, direct, gateway);
            worstCount = Math.max(worstCount, Math.max(direct.p99Millis(), gateway.p99Millis()));
            System.out.printf(
                    Locale.ROOT,
                    "%-27s | %10.1f | %10.1f | %11.1f | %11.1f%n",
                    scope.isEmpty() ? "whole fleet (3,500 units)" : scope,
                    direct.p50Millis(),
                    direct.p99Millis(),
                    gateway.p50Millis(),
                    gateway.p99Millis());
        }
        var history = Load.closedLoop(
                i -> stub.listDeviceHistory(ListDeviceHistoryRequest.newBuilder()
                        .setImei(DemoData.imei(FleetLoader.FIRST + (int) Math.floorMod(i * 7919, FleetLoader.DEVICES)))
                        .build()),
                users,
                warmup,
                measure);
        System.out.printf(
                Locale.ROOT,
                "%nHistory of one device (direct, %d users): p50 %.1f ms, p99 %.1f ms%n",
                users,
                history.p50Millis(),
                history.p99Millis());
        System.out.printf(
                Locale.ROOT,
                "%nGoals: search p99 < 50 ms: worst %.1f ms -> %s; counts < 200 ms: worst p99 " + "%.1f ms -> %s%n",
                worstSearchP99,
                worstSearchP99 < 50 ? "met" : "NOT met",
                worstCount,
                worstCount < 200 ? "met" : "NOT met");
        channel.shutdownNow();
    }

    private static void check(String what, LatencyRecorder.Summary direct, LatencyRecorder.Summary gateway) {
        if (direct.errors() > 0 || gateway.errors() > 0) {
            throw new IllegalStateException(
                    what + ": " + direct.errors() + " direct and " + gateway.errors() + " gateway errors");
        }
    }

    private static String pick(List<String> list, long i) {
        return list.get((int) Math.floorMod(i * 31, list.size()));
    }

    /** An agent holding an individual pack (about half of the fleet's numbers are). */
    private static String agent(long i) {
        return "AG-" + (FleetLoader.FIRST + Math.floorMod(i * 7919, FleetLoader.DEVICES));
    }

    private static void ok(int status) {
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status);
        }
    }

    private static Metadata bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }
}
