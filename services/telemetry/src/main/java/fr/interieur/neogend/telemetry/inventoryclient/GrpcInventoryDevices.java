package fr.interieur.neogend.telemetry.inventoryclient;

import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Asks inventory about a device with the caller's own token (inventory checks it again). */
@Component
class GrpcInventoryDevices implements InventoryDevices, DisposableBean {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;

    private final PeerChannel peer;

    GrpcInventoryDevices(@Value("${neogend.inventory.target:localhost:9091}") String target,
                         ObservationRegistry observations) {
        this.peer = new PeerChannel("inventory", target, Duration.ofSeconds(10), observations);
        this.channel = peer.channel();
    }

    @Override
    public boolean exists(String imei) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + CallerContext.bearerToken());
        try {
            InventoryServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getDevice(GetDeviceRequest.newBuilder().setImei(imei).build());
            return true;
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.NOT_FOUND) {
                return false;
            }
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                channel.resetConnectBackoff();
                throw Status.UNAVAILABLE.withDescription("inventory is unavailable: enrol the device again later")
                        .asRuntimeException();
            }
            throw e;
        }
    }

    @Override
    public List<Placed> subtree(String unitCode) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + CallerContext.bearerToken());
        var stub = InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        List<Placed> placed = new ArrayList<>();
        String token = "";
        try {
            do {
                ListDevicesResponse page = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listDevices(ListDevicesRequest.newBuilder().setUnitCode(unitCode).setNotReturned(true)
                                .setPageSize(500).setPageToken(token).build());
                page.getDevicesList().forEach(d -> placed.add(new Placed(d.getImei(), d.getModel(), d.getUnitCode())));
                token = page.getNextPageToken();
            } while (!token.isEmpty());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                channel.resetConnectBackoff();
                throw Status.UNAVAILABLE.withDescription("inventory is unavailable: try again later").asRuntimeException();
            }
            throw e;
        }
        return placed;
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
