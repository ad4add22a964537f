package fr.interieur.neogend.inventory.grpc;

import fr.interieur.neogend.inventory.device.DeviceService;
import fr.interieur.neogend.inventory.device.InMemoryDeviceRepository;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.GrpcTestClients;
import fr.interieur.neogend.testkit.InProcessGrpcServer;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/** The gRPC edge of inventory, in-process, behind the production interceptors: status codes. */
class InventoryGrpcServiceTest {

    private final InProcessGrpcServer grpc = InProcessGrpcServer.serve(
            new InventoryGrpcService(new DeviceService(new InMemoryDeviceRepository(), Optional.empty())));

    @AfterEach
    void stop() {
        grpc.close();
    }

    private InventoryServiceGrpc.InventoryServiceBlockingStub as(String token) {
        var stub = InventoryServiceGrpc.newBlockingStub(grpc.channel());
        return token == null ? stub : GrpcTestClients.withToken(stub, token);
    }

    private static Status.Code code(Runnable call) {
        return GrpcAssertions.failure(call).getStatus().getCode();
    }

    @Test
    void registerThenGetAndList() {
        var fm = as(TestTokens.fleetManager());
        assertThat(fm.registerDevice(register(phone(1, "GN-RBRE"))).getDevice().getImei()).isEqualTo(imei(1));
        assertThat(fm.getDevice(GetDeviceRequest.newBuilder().setImei(imei(1)).build()).getDevice().getSerialNumber())
                .isEqualTo("SN-1");
        assertThat(fm.listDevices(ListDevicesRequest.getDefaultInstance()).getDevicesCount()).isEqualTo(1);
    }

    @Test
    void statusCodes() {
        var fm = as(TestTokens.fleetManager());
        fm.registerDevice(register(phone(2, null)));
        assertThat(code(() -> fm.registerDevice(register(phone(2, null))))).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(code(() -> fm.registerDevice(RegisterDeviceRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> fm.registerDevice(register(phone(3, null).setImei("12345")))))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> fm.getDevice(GetDeviceRequest.newBuilder().setImei(imei(9)).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> fm.getDevice(GetDeviceRequest.newBuilder().setImei("x").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> as(null).getDevice(GetDeviceRequest.newBuilder().setImei(imei(2)).build())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(() -> as(TestTokens.expired()).listDevices(ListDevicesRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(() -> as(TestTokens.auditor()).registerDevice(register(phone(4, null)))))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> as(TestTokens.supplier("SUP-DEMO")).listDevices(ListDevicesRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> as(TestTokens.unitManager("GN-RBRE")).registerDevice(register(phone(5, null)))))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void correlationIdIsEchoedOrMade() {
        var id = io.grpc.Metadata.Key.of("x-correlation-id", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
        var sent = new io.grpc.Metadata();
        sent.put(id, "corr-42");
        var headers = new java.util.concurrent.atomic.AtomicReference<io.grpc.Metadata>();
        var trailers = new java.util.concurrent.atomic.AtomicReference<io.grpc.Metadata>();
        as(TestTokens.auditor()).withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(sent),
                io.grpc.stub.MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .listDevices(ListDevicesRequest.getDefaultInstance());
        assertThat(headers.get().get(id)).isEqualTo("corr-42");

        as(TestTokens.auditor()).withInterceptors(io.grpc.stub.MetadataUtils.newCaptureMetadataInterceptor(headers,
                trailers)).listDevices(ListDevicesRequest.getDefaultInstance());
        assertThat(headers.get().get(id)).isNotBlank().isNotEqualTo("corr-42");
    }

    @Test
    void unitManagerWithoutUnitSeesNothing() {
        var fm = as(TestTokens.fleetManager());
        fm.registerDevice(register(phone(6, "GN-RBRE")));
        var noUnit = as(TestTokens.user("someone", "unit-manager", null));
        assertThat(noUnit.listDevices(ListDevicesRequest.getDefaultInstance()).getDevicesCount()).isZero();
        assertThat(code(() -> noUnit.getDevice(GetDeviceRequest.newBuilder().setImei(imei(6)).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
    }
}
