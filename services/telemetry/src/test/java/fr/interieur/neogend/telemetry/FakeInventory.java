package fr.interieur.neogend.telemetry;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.GetUnitRequest;
import fr.interieur.neogend.inventory.v1.GetUnitResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.ListUnitsRequest;
import fr.interieur.neogend.inventory.v1.ListUnitsResponse;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsResponse;
import fr.interieur.neogend.inventory.v1.Unit;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Inventory stood in for on a real port, with the reach rules of the real one: a unit manager or technician
 * sees the subtree of the unit its token names, a fleet manager, a service or an auditor every device (central
 * stock included); a unit outside the reach is
 * PERMISSION_DENIED (NOT_FOUND for {@code GetUnit}). Units form a real tree, each with its parent: a
 * code is a name, not a path ({@link #unit} puts CIE-BREST under GN-RBRE-GGD29, {@link #move} takes a
 * subtree elsewhere), so a client guessing the tree from the codes is caught. A few units are there from
 * the start: GN, its regions GN-RBRE and GN-RIDF, their groupements GN-RBRE-GGD35, GN-RBRE-GGD29 and
 * GN-RIDF-GGD75, and GN-RBRE-GGD35-CIE1. Placements stream in batches of two, so a client that reads
 * only the first batch is caught.
 */
final class FakeInventory implements AutoCloseable {

    record Dev(String imei, String model, String unitCode, String state) {}

    private static final Context.Key<Optional<String>> REACH = Context.key("reach");
    private static final java.util.regex.Pattern UNIT =
            java.util.regex.Pattern.compile("\"unit_code\"\\s*:\\s*\"([^\"]+)\"");

    final Map<String, Dev> devices = new ConcurrentHashMap<>();
    /** Each unit's parent, "" for a root. */
    final Map<String, String> parents = new ConcurrentHashMap<>();

    final AtomicInteger placementCalls = new AtomicInteger();
    final AtomicInteger unitCalls = new AtomicInteger();
    private final Server server;

    FakeInventory(int port) throws IOException {
        unit("GN", "");
        unit("GN-RBRE", "GN");
        unit("GN-RIDF", "GN");
        unit("GN-RBRE-GGD35", "GN-RBRE");
        unit("GN-RBRE-GGD29", "GN-RBRE");
        unit("GN-RIDF-GGD75", "GN-RIDF");
        unit("GN-RBRE-GGD35-CIE1", "GN-RBRE-GGD35");
        var service = new InventoryServiceGrpc.InventoryServiceImplBase() {
            @Override
            public void getUnit(GetUnitRequest request, StreamObserver<GetUnitResponse> out) {
                unitCalls.incrementAndGet();
                String code = request.getCode();
                if (!parents.containsKey(code)
                        || !REACH.get().map(r -> under(code, r)).orElse(true)) {
                    out.onError(
                            Status.NOT_FOUND.withDescription("no unit " + code).asRuntimeException());
                    return;
                }
                out.onNext(GetUnitResponse.newBuilder().setUnit(unitProto(code)).build());
                out.onCompleted();
            }

            @Override
            public void listUnits(ListUnitsRequest request, StreamObserver<ListUnitsResponse> out) {
                unitCalls.incrementAndGet();
                String parent = request.getParentCode();
                Optional<String> reach = REACH.get();
                var page = ListUnitsResponse.newBuilder();
                parents.keySet().stream()
                        .filter(u -> parent.isEmpty()
                                ? reach.map(u::equals).orElse(parents.get(u).isEmpty())
                                : parents.get(u).equals(parent)
                                        && reach.map(r -> under(u, r)).orElse(true))
                        .sorted()
                        .forEach(u -> page.addUnits(unitProto(u)));
                out.onNext(page.build());
                out.onCompleted();
            }

            @Override
            public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> out) {
                Dev d = devices.get(request.getImei());
                if (d == null || !visible(d)) {
                    out.onError(Status.NOT_FOUND.withDescription("no device").asRuntimeException());
                    return;
                }
                out.onNext(GetDeviceResponse.newBuilder().setDevice(device(d)).build());
                out.onCompleted();
            }

            @Override
            public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> out) {
                if (!allowed(request.getUnitCode(), out)) {
                    return;
                }
                var page = ListDevicesResponse.newBuilder();
                selected(request.getUnitCode()).forEach(d -> page.addDevices(device(d)));
                out.onNext(page.build());
                out.onCompleted();
            }

            @Override
            public void streamDevicePlacements(
                    StreamDevicePlacementsRequest request, StreamObserver<StreamDevicePlacementsResponse> out) {
                placementCalls.incrementAndGet();
                if (!allowed(request.getUnitCode(), out)) {
                    return;
                }
                List<Dev> all = selected(request.getUnitCode());
                for (int i = 0; i < all.size(); i += 2) {
                    var batch = StreamDevicePlacementsResponse.newBuilder();
                    all.subList(i, Math.min(i + 2, all.size()))
                            .forEach(d -> batch.addPlacementsBuilder()
                                    .setImei(d.imei())
                                    .setModel(d.model())
                                    .setUnitCode(d.unitCode())
                                    .setState(DeviceState.valueOf("DEVICE_STATE_" + d.state())));
                    out.onNext(batch.build());
                }
                out.onCompleted();
            }
        };
        ServerInterceptor reach = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                return Contexts.interceptCall(Context.current().withValue(REACH, unitOf(auth)), call, headers, next);
            }
        };
        server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(service, reach))
                .build()
                .start();
    }

    void add(String imei, String model, String unitCode) {
        add(imei, model, unitCode, "ASSIGNED");
    }

    void add(String imei, String model, String unitCode, String state) {
        if (!unitCode.isEmpty() && !parents.containsKey(unitCode)) {
            throw new IllegalArgumentException("no unit " + unitCode + ": create it first (unit)");
        }
        devices.put(imei, new Dev(imei, model, unitCode, state));
    }

    /** Creates a unit under an existing parent ("" for a root); its code says nothing of where it is. */
    void unit(String code, String parent) {
        if (!parent.isEmpty() && !parents.containsKey(parent)) {
            throw new IllegalArgumentException("no unit " + parent);
        }
        parents.putIfAbsent(code, parent);
    }

    /** Moves a unit, with its whole subtree and their devices, under another parent (inventory's MoveUnit). */
    void move(String code, String newParent) {
        if (!parents.containsKey(newParent) || under(newParent, code)) {
            throw new IllegalArgumentException("cannot move " + code + " under " + newParent);
        }
        parents.put(code, newParent);
    }

    /** The codes of a unit's ancestors, root first. */
    List<String> ancestors(String code) {
        List<String> up = new ArrayList<>();
        for (String p = parents.getOrDefault(code, ""); !p.isEmpty(); p = parents.getOrDefault(p, "")) {
            up.addFirst(p);
        }
        return up;
    }

    private Unit unitProto(String code) {
        return Unit.newBuilder()
                .setCode(code)
                .setName(code)
                .setParentCode(parents.get(code))
                .addAllAncestorCodes(ancestors(code))
                .build();
    }

    private static Optional<String> unitOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.empty();
        }
        try {
            String[] parts = authorization.substring(7).split("\\.");
            String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            // as inventory's Reach: a fleet manager, a service and an auditor without a unit role reach the
            // whole fleet (central stock included), whatever unit their token names
            boolean fleetManager = claims.contains("\"fleet-manager\"") || claims.contains("\"internal-service\"");
            boolean limited = claims.contains("\"unit-manager\"") || claims.contains("\"technician\"");
            if (fleetManager || (claims.contains("\"auditor\"") && !limited)) {
                return Optional.empty();
            }
            var m = UNIT.matcher(claims);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The unit is the subtree's root or one of its descendants, by the parent links. */
    private boolean under(String unit, String subtree) {
        return !unit.isEmpty() && (unit.equals(subtree) || ancestors(unit).contains(subtree));
    }

    private boolean visible(Dev d) {
        return REACH.get().map(r -> under(d.unitCode(), r)).orElse(true);
    }

    private boolean allowed(String unitCode, StreamObserver<?> out) {
        Optional<String> reach = REACH.get();
        if (!unitCode.isEmpty() && !parents.containsKey(unitCode)) {
            out.onError(Status.NOT_FOUND.withDescription("no unit " + unitCode).asRuntimeException());
            return false;
        }
        if (!unitCode.isEmpty() && reach.isPresent() && !under(unitCode, reach.get())) {
            out.onError(Status.PERMISSION_DENIED
                    .withDescription("unit " + unitCode + " is outside your unit")
                    .asRuntimeException());
            return false;
        }
        return true;
    }

    private List<Dev> selected(String unitCode) {
        return devices.values().stream()
                .filter(this::visible)
                .filter(d -> unitCode.isEmpty() || under(d.unitCode(), unitCode))
                .filter(d -> !d.state().equals("RETURNED"))
                .sorted(java.util.Comparator.comparing(Dev::imei))
                .toList();
    }

    private static Device device(Dev d) {
        return Device.newBuilder()
                .setImei(d.imei())
                .setModel(d.model())
                .setUnitCode(d.unitCode())
                .setState(DeviceState.valueOf("DEVICE_STATE_" + d.state()))
                .build();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
