package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.FindRegisteredImeisRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.delivery.InventoryRegistrar;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Registers received devices through inventory's RegisterDevices (all or nothing, idempotent by IMEI),
 * on behalf of the fleet manager receiving them: inventory checks that person's token and roles
 * again. An unreachable inventory is tried once more at once; then the caller sees 503 and receives
 * again later; a refusal (a bad row) comes back as inventory gave it. Nothing is recorded until
 * inventory accepted.
 */
@Component
class GrpcInventoryRegistrar implements InventoryRegistrar {

    private final PeerChannel peer;

    GrpcInventoryRegistrar(InventoryChannel channel) {
        this.peer = channel.peer();
    }

    @Override
    public int register(List<ReceivedDevice> devices) {
        RegisterDevicesRequest.Builder request = RegisterDevicesRequest.newBuilder();
        for (ReceivedDevice d : devices) {
            Device.Builder device = Device.newBuilder()
                    .setImei(d.imei())
                    .setSerialNumber(d.serialNumber())
                    .setModel(d.model())
                    .setKind(d.kind().equals("TABLET") ? DeviceKind.DEVICE_KIND_TABLET : DeviceKind.DEVICE_KIND_PHONE);
            if (d.packType() != null) {
                device.setPackType(PackType.valueOf("PACK_TYPE_" + d.packType()))
                        .setAgreementId(d.agreementId());
            }
            request.addDevices(device);
        }
        // RegisterDevices is idempotent: if inventory was unreachable (the channel may still be backing
        // off from an earlier outage), reconnect and try once more, waiting a little for it
        return peer.callIdempotent(
                        InventoryServiceGrpc.newBlockingStub(peer.channel()),
                        s -> s.registerDevices(request.build()),
                        "nothing was received; receive the delivery again later")
                .getRegisteredCount();
    }

    @Override
    public Set<String> inFleet(Collection<String> imeis) {
        if (imeis.isEmpty()) {
            return Set.of();
        }
        FindRegisteredImeisRequest request =
                FindRegisteredImeisRequest.newBuilder().addAllImeis(imeis).build();
        return new HashSet<>(peer.callIdempotent(
                        InventoryServiceGrpc.newBlockingStub(peer.channel()),
                        s -> s.findRegisteredImeis(request),
                        "the delivery cannot be checked now; post it again later")
                .getRegisteredImeisList());
    }
}
