package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.telemetry.devicestatus.DeviceStatus;
import fr.interieur.neogend.telemetry.devicestatus.DeviceStatusCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesRequest;
import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/** The telemetry gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class TelemetryGrpcService extends TelemetryServiceGrpc.TelemetryServiceImplBase {

    private final DeviceStatusCatalog catalog;

    public TelemetryGrpcService(DeviceStatusCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listDeviceStatuses(ListDeviceStatusesRequest request, StreamObserver<ListDeviceStatusesResponse> response) {
        Page<DeviceStatus> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListDeviceStatusesResponse.Builder out = ListDeviceStatusesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static fr.interieur.neogend.telemetry.v1.DeviceStatus toProto(DeviceStatus item) {
        return fr.interieur.neogend.telemetry.v1.DeviceStatus.newBuilder()
                .setImei(item.imei())
                .setBatteryPercent(item.batteryPercent())
                .setSecurityPatchLevel(item.securityPatchLevel())
                .build();
    }
}
