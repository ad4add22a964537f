package fr.interieur.neogend.telemetry.inventoryclient;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetUnitRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Asks inventory about a device with the caller's own token (inventory checks it again). */
@Component
class GrpcInventoryDevices implements InventoryDevices, DisposableBean {

    private final PeerChannel peer;

    GrpcInventoryDevices(
            @Value("${neogend.inventory.target:localhost:9091}") String target, ObservationRegistry observations) {
        this.peer = new PeerChannel("inventory", target, Duration.ofSeconds(10), observations);
    }

    @Override
    public Optional<Placed> device(String imei) {
        try {
            Device d = peer.call(
                            InventoryServiceGrpc.newBlockingStub(peer.channel()),
                            s -> s.getDevice(
                                    GetDeviceRequest.newBuilder().setImei(imei).build()),
                            "try again later")
                    .getDevice();
            String state = d.getState().name().startsWith("DEVICE_STATE_")
                    ? d.getState().name().substring("DEVICE_STATE_".length())
                    : d.getState().name();
            return Optional.of(new Placed(d.getImei(), d.getModel(), d.getUnitCode(), state));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<List<String>> ancestors(String unitCode) {
        try {
            return Optional.of(List.copyOf(peer.call(
                            InventoryServiceGrpc.newBlockingStub(peer.channel()),
                            s -> s.getUnit(GetUnitRequest.newBuilder()
                                    .setCode(unitCode)
                                    .build()),
                            "try again later")
                    .getUnit()
                    .getAncestorCodesList()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<Placed> subtree(String unitCode) {
        var stub = peer.onCallersBehalf(InventoryServiceGrpc.newBlockingStub(peer.channel()));
        List<Placed> placed = new ArrayList<>();
        String token = "";
        try {
            do { // each page within the peer's deadline
                ListDevicesResponse page = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setUnitCode(unitCode)
                                .setNotReturned(true)
                                .setPageSize(500)
                                .setPageToken(token)
                                .build());
                page.getDevicesList().forEach(d -> placed.add(new Placed(d.getImei(), d.getModel(), d.getUnitCode())));
                token = page.getNextPageToken();
            } while (!token.isEmpty());
        } catch (StatusRuntimeException e) {
            throw peer.failure(e, "try again later");
        }
        return placed;
    }

    @Override
    public List<Placed> placements(java.util.Optional<String> unitCode) {
        var stub = peer.onCallersBehalf(InventoryServiceGrpc.newBlockingStub(peer.channel()))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        List<Placed> placed = new ArrayList<>();
        try {
            stub.streamDevicePlacements(StreamDevicePlacementsRequest.newBuilder()
                            .setUnitCode(unitCode.orElse(""))
                            .build())
                    .forEachRemaining(batch -> batch.getPlacementsList()
                            .forEach(p -> placed.add(new Placed(
                                    p.getImei(),
                                    p.getModel(),
                                    p.getUnitCode(),
                                    p.getState().name().substring("DEVICE_STATE_".length())))));
        } catch (StatusRuntimeException e) {
            throw peer.failure(e, "try again later");
        }
        return placed;
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
