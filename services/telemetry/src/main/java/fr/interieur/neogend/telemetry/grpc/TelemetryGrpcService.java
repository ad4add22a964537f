package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.telemetry.devicestatus.DeviceStatus;
import fr.interieur.neogend.telemetry.devicestatus.DeviceStatusCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesRequest;
import fr.interieur.neogend.telemetry.v1.ListDeviceStatusesResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.telemetry.revocation.InventoryEvent;
import fr.interieur.neogend.telemetry.revocation.InventoryEventHandler;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventResponse;
import io.grpc.stub.StreamObserver;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** The telemetry gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class TelemetryGrpcService extends TelemetryServiceGrpc.TelemetryServiceImplBase {

    private final DeviceStatusCatalog catalog;
    private final InventoryEventHandler inventoryEvents;

    public TelemetryGrpcService(DeviceStatusCatalog catalog, InventoryEventHandler inventoryEvents) {
        this.catalog = catalog;
        this.inventoryEvents = inventoryEvents;
    }

    @Override
    public void recordInventoryEvent(RecordInventoryEventRequest request,
                                     StreamObserver<RecordInventoryEventResponse> response) {
        var e = request.getEvent();
        UUID id;
        try {
            id = UUID.fromString(e.getEventId());
        } catch (IllegalArgumentException bad) {
            throw InvalidArgumentException.of("event.event_id", "must be a UUID");
        }
        InventoryEvent.Kind kind = switch (e.getKind()) {
            case INVENTORY_EVENT_KIND_DEVICE_LOST -> InventoryEvent.Kind.DEVICE_LOST;
            case INVENTORY_EVENT_KIND_DEVICE_STOLEN -> InventoryEvent.Kind.DEVICE_STOLEN;
            case INVENTORY_EVENT_KIND_DEVICE_EXCHANGED -> InventoryEvent.Kind.DEVICE_EXCHANGED;
            case INVENTORY_EVENT_KIND_DEVICE_RETURNED -> InventoryEvent.Kind.DEVICE_RETURNED;
            case INVENTORY_EVENT_KIND_UNSPECIFIED, UNRECOGNIZED ->
                    throw InvalidArgumentException.of("event.kind", "is required");
        };
        boolean applied = inventoryEvents.apply(new InventoryEvent(id, kind, e.getImei(),
                Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos()),
                e.getReplacementImei().isEmpty() ? Optional.empty() : Optional.of(e.getReplacementImei()),
                e.getPackId().isEmpty() ? Optional.empty() : Optional.of(e.getPackId())));
        response.onNext(RecordInventoryEventResponse.newBuilder().setAlreadyRecorded(!applied).build());
        response.onCompleted();
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
