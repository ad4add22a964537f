package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.order.delivery.InventoryRegistrar;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Registers received devices through inventory's RegisterDevices (all or nothing, idempotent by IMEI),
 * on behalf of the fleet manager receiving them: inventory checks that person's token and roles
 * again. Not retried here: the caller sees inventory's answer (a bad row, or 503 while it is down)
 * and receives again later; nothing is recorded until inventory accepted.
 */
@Component
class GrpcInventoryRegistrar implements InventoryRegistrar {

    private final ManagedChannel channel;
    private final Duration deadline;

    GrpcInventoryRegistrar(InventoryChannel channel, @Value("${neogend.inventory.deadline:60s}") Duration deadline) {
        this.channel = channel.channel();
        this.deadline = deadline;
    }

    @Override
    public int register(List<ReceivedDevice> devices) {
        Metadata headers = InventoryChannel.bearer(CallerContext.bearerToken());
        RegisterDevicesRequest.Builder request = RegisterDevicesRequest.newBuilder();
        for (ReceivedDevice d : devices) {
            Device.Builder device = Device.newBuilder().setImei(d.imei()).setSerialNumber(d.serialNumber())
                    .setModel(d.model())
                    .setKind(d.kind().equals("TABLET") ? DeviceKind.DEVICE_KIND_TABLET : DeviceKind.DEVICE_KIND_PHONE);
            if (d.packType() != null) {
                device.setPackType(PackType.valueOf("PACK_TYPE_" + d.packType()));
            }
            request.addDevices(device);
        }
        var stub = InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        try {
            return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .registerDevices(request.build()).getRegisteredCount();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                throw e;
            }
            // The channel may still be backing off from an earlier outage: reconnect now and try once
            // more (RegisterDevices is idempotent), waiting a little for inventory to be reachable.
            channel.resetConnectBackoff();
            try {
                return stub.withWaitForReady()
                        .withDeadlineAfter(Math.min(deadline.toMillis(), 5000), TimeUnit.MILLISECONDS)
                        .registerDevices(request.build()).getRegisteredCount();
            } catch (StatusRuntimeException again) {
                Status.Code code = again.getStatus().getCode();
                if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                    throw Status.UNAVAILABLE.withDescription("inventory is unavailable: nothing was received; "
                            + "receive the delivery again later").asRuntimeException();
                }
                throw again;
            }
        }
    }
}
