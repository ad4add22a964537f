package fr.interieur.neogend.inventory.grpc;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.inventory.device.BulkRegistration;
import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.DeviceCounts;
import fr.interieur.neogend.inventory.device.DeviceKind;
import fr.interieur.neogend.inventory.device.DeviceService;
import fr.interieur.neogend.inventory.device.DeviceState;
import fr.interieur.neogend.inventory.device.NewDevice;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.v1.CountDevicesRequest;
import fr.interieur.neogend.inventory.v1.CountDevicesResponse;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceResponse;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesResponse;
import fr.interieur.neogend.inventory.v1.StateCount;
import fr.interieur.neogend.inventory.v1.UnitCount;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.paging.Page;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The inventory gRPC API: maps proto messages to the domain and back, nothing more. */
@Service
public class InventoryGrpcService extends InventoryServiceGrpc.InventoryServiceImplBase {

    private final DeviceService devices;

    public InventoryGrpcService(DeviceService devices) {
        this.devices = devices;
    }

    @Override
    public void registerDevice(RegisterDeviceRequest request, StreamObserver<RegisterDeviceResponse> response) {
        if (!request.hasDevice()) {
            throw InvalidArgumentException.of("device", "is required");
        }
        Device stored = devices.register(toNewDevice(request.getDevice(), "device."), CallerContext.current());
        response.onNext(RegisterDeviceResponse.newBuilder().setDevice(toProto(stored)).build());
        response.onCompleted();
    }

    @Override
    public void registerDevices(RegisterDevicesRequest request, StreamObserver<RegisterDevicesResponse> response) {
        List<NewDevice> devices = new ArrayList<>(request.getDevicesCount());
        for (int i = 0; i < request.getDevicesCount(); i++) {
            devices.add(toNewDevice(request.getDevices(i), "devices[" + i + "]."));
        }
        BulkRegistration result = this.devices.registerAll(devices, CallerContext.current());
        response.onNext(RegisterDevicesResponse.newBuilder().setRegisteredCount(result.registered())
                .setAlreadyRegisteredCount(result.alreadyRegistered()).build());
        response.onCompleted();
    }

    @Override
    public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> response) {
        Device device = devices.get(request.getImei(), CallerContext.current());
        response.onNext(GetDeviceResponse.newBuilder().setDevice(toProto(device)).build());
        response.onCompleted();
    }

    @Override
    public void countDevices(CountDevicesRequest request, StreamObserver<CountDevicesResponse> response) {
        DeviceCounts counts = devices.count(text(request.getUnitCode()), CallerContext.current());
        CountDevicesResponse.Builder out = CountDevicesResponse.newBuilder().setTotal(counts.total());
        counts.byState().forEach((state, n) -> out.addByState(StateCount.newBuilder()
                .setState(fr.interieur.neogend.inventory.v1.DeviceState.valueOf("DEVICE_STATE_" + state.name()))
                .setCount(n)));
        counts.byUnit().forEach((unit, n) -> out.addByUnit(UnitCount.newBuilder().setUnitCode(unit).setCount(n)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> response) {
        Page<Device> page = devices.list(stateOf(request.getState()), packTypeOf(request.getPackType(), "pack_type"),
                text(request.getUnitCode()), request.getPageSize(), request.getPageToken(),
                CallerContext.current());
        ListDevicesResponse.Builder out = ListDevicesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(d -> out.addDevices(toProto(d)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static NewDevice toNewDevice(fr.interieur.neogend.inventory.v1.Device d, String prefix) {
        return new NewDevice(d.getImei(), d.getSerialNumber(), d.getModel(), kindOf(d.getKind(), prefix + "kind"),
                packTypeOf(d.getPackType(), prefix + "pack_type"), text(d.getUnitCode()), text(d.getRomBuild()));
    }

    static fr.interieur.neogend.inventory.v1.Device toProto(Device d) {
        var b = fr.interieur.neogend.inventory.v1.Device.newBuilder()
                .setImei(d.imei())
                .setSerialNumber(d.serialNumber())
                .setModel(d.model())
                .setKind(fr.interieur.neogend.inventory.v1.DeviceKind.valueOf("DEVICE_KIND_" + d.kind().name()))
                .setState(fr.interieur.neogend.inventory.v1.DeviceState.valueOf("DEVICE_STATE_" + d.state().name()))
                .setCreateTime(timestamp(d.createdAt()))
                .setUpdateTime(timestamp(d.updatedAt()));
        d.packType().ifPresent(p -> b.setPackType(
                fr.interieur.neogend.inventory.v1.PackType.valueOf("PACK_TYPE_" + p.name())));
        d.unitCode().ifPresent(b::setUnitCode);
        d.romBuild().ifPresent(b::setRomBuild);
        return b.build();
    }

    private static Optional<DeviceKind> kindOf(fr.interieur.neogend.inventory.v1.DeviceKind kind, String field) {
        return switch (kind) {
            case DEVICE_KIND_PHONE -> Optional.of(DeviceKind.PHONE);
            case DEVICE_KIND_TABLET -> Optional.of(DeviceKind.TABLET);
            case DEVICE_KIND_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw InvalidArgumentException.of(field, "is not a known kind");
        };
    }

    private static Optional<PackType> packTypeOf(fr.interieur.neogend.inventory.v1.PackType type, String field) {
        return switch (type) {
            case PACK_TYPE_SMARTPHONE_INDIVIDUAL -> Optional.of(PackType.SMARTPHONE_INDIVIDUAL);
            case PACK_TYPE_TABLET_INDIVIDUAL -> Optional.of(PackType.TABLET_INDIVIDUAL);
            case PACK_TYPE_TABLET_COLLECTIVE -> Optional.of(PackType.TABLET_COLLECTIVE);
            case PACK_TYPE_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw InvalidArgumentException.of(field, "is not a known pack type");
        };
    }

    private static Optional<DeviceState> stateOf(fr.interieur.neogend.inventory.v1.DeviceState state) {
        return switch (state) {
            case DEVICE_STATE_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw InvalidArgumentException.of("state", "is not a known state");
            default -> Optional.of(DeviceState.valueOf(state.name().substring("DEVICE_STATE_".length())));
        };
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
