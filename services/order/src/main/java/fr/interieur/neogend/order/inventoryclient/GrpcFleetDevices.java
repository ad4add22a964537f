package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.exchange.FleetDevices;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** Devices from inventory's GetDevice, on the caller's behalf: a device outside the caller's reach is not found. */
@Component
class GrpcFleetDevices implements FleetDevices {

    private final PeerChannel peer;

    GrpcFleetDevices(InventoryChannel channel) {
        this.peer = channel.peer();
    }

    @Override
    public Optional<FleetDevice> find(String imei) {
        try {
            Device d = peer.callIdempotent(
                            InventoryServiceGrpc.newBlockingStub(peer.channel()),
                            stub -> stub.getDevice(
                                    GetDeviceRequest.newBuilder().setImei(imei).build()),
                            "the device cannot be checked now; try again later")
                    .getDevice();
            return Optional.of(new FleetDevice(
                    d.getImei(),
                    d.getModel(),
                    d.getState().name().substring("DEVICE_STATE_".length()),
                    d.getPackId().isEmpty() ? Optional.empty() : Optional.of(d.getPackId()),
                    d.getAgreementId().isEmpty() ? Optional.empty() : Optional.of(d.getAgreementId())));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
