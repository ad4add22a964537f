package fr.interieur.neogend.gateway;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceResponse;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** What the gateway tests run against: Keycloak's key set and stand-in inventory and telemetry services. */
public final class StandIns {

    private StandIns() {}

    /** Serves the test keys at /certs like Keycloak's JWKS, counting fetches. */
    static HttpServer jwks(AtomicInteger fetches) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/certs", exchange -> {
                fetches.incrementAndGet();
                byte[] json = TestTokens.jwks().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, json.length);
                exchange.getResponseBody().write(json);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A device credential the stand-in telemetry accepts, for IMEI 490154203237518. */
    static final String DEVICE_CREDENTIAL = "0123456789abcdef01234567." + "A".repeat(43);

    /**
     * A stand-in telemetry service: CheckDeviceCredential accepts {@link #DEVICE_CREDENTIAL} only
     * (counting every check), UploadReadings answers how many readings it got (counting uploads).
     */
    static Server telemetry(AtomicInteger checks, AtomicInteger uploads) {
        return telemetry(checks, uploads, (java.util.function.Predicate<String>) DEVICE_CREDENTIAL::equals);
    }

    /** The same, accepting the credential {@code accepted} gives at each check. */
    public static Server telemetry(
            AtomicInteger checks, AtomicInteger uploads, java.util.function.Supplier<String> accepted) {
        return telemetry(checks, uploads, (java.util.function.Predicate<String>)
                credential -> credential.equals(accepted.get()));
    }

    /**
     * The same, accepting the credentials {@code accepted} holds at the time — at the check and, as telemetry
     * does, again at each upload (UNAUTHENTICATED for one revoked since).
     */
    public static Server telemetry(
            AtomicInteger checks, AtomicInteger uploads, java.util.function.Predicate<String> accepted) {
        var service = new fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceImplBase() {
            @Override
            public void checkDeviceCredential(
                    fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialRequest request,
                    StreamObserver<fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialResponse> r) {
                checks.incrementAndGet();
                if (acceptedNow(accepted)) {
                    r.onNext(fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialResponse.newBuilder()
                            .setImei("490154203237518")
                            .build());
                    r.onCompleted();
                } else {
                    r.onError(
                            Status.UNAUTHENTICATED.withDescription("not valid").asRuntimeException());
                }
            }

            @Override
            public void uploadReadings(
                    fr.interieur.neogend.telemetry.v1.UploadReadingsRequest request,
                    StreamObserver<fr.interieur.neogend.telemetry.v1.UploadReadingsResponse> r) {
                uploads.incrementAndGet();
                if (!acceptedNow(accepted)) {
                    r.onError(Status.UNAUTHENTICATED
                            .withDescription("the device credential is not valid or was revoked")
                            .asRuntimeException());
                    return;
                }
                r.onNext(fr.interieur.neogend.telemetry.v1.UploadReadingsResponse.newBuilder()
                        .setStored(request.getReadingsCount())
                        .build());
                r.onCompleted();
            }
        };
        ServerInterceptor authorization = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                    io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                String value = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                return Contexts.interceptCall(
                        io.grpc.Context.current().withValue(AUTHORIZATION, value == null ? "" : value),
                        call,
                        headers,
                        next);
            }
        };
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(ServerInterceptors.intercept(service, authorization))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final io.grpc.Context.Key<String> AUTHORIZATION = io.grpc.Context.key("authorization");

    /** Whether the call's {@code Device} credential is one {@code accepted} holds now. */
    private static boolean acceptedNow(java.util.function.Predicate<String> accepted) {
        String authorization = AUTHORIZATION.get();
        return authorization != null
                && authorization.startsWith("Device ")
                && accepted.test(authorization.substring(7));
    }

    /** Answers by IMEI: 000… invalid (with a field violation), 404…/409…/403…/500… that status. */
    public static Server inventory(AtomicReference<Metadata> lastHeaders) {
        var service = new InventoryServiceGrpc.InventoryServiceImplBase() {
            @Override
            public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> response) {
                String imei = request.getImei();
                switch (imei.substring(0, 3)) {
                    case "000" ->
                        response.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                                .setCode(Code.INVALID_ARGUMENT_VALUE)
                                .setMessage("invalid request: imei: bad check digit")
                                .addDetails(Any.pack(BadRequest.newBuilder()
                                        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                                .setField("imei")
                                                .setDescription("bad check digit"))
                                        .build()))
                                .build()));
                    case "404" ->
                        response.onError(
                                Status.NOT_FOUND.withDescription("no device").asRuntimeException());
                    case "409" -> response.onError(Status.ALREADY_EXISTS.asRuntimeException());
                    case "403" -> response.onError(Status.PERMISSION_DENIED.asRuntimeException());
                    case "500" ->
                        response.onError(Status.INTERNAL
                                .withDescription("secret stack detail")
                                .asRuntimeException());
                    default -> {
                        response.onNext(GetDeviceResponse.newBuilder()
                                .setDevice(Device.newBuilder().setImei(imei).setModel("Rugged X5"))
                                .build());
                        response.onCompleted();
                    }
                }
            }

            @Override
            public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> response) {
                response.onNext(ListDevicesResponse.newBuilder()
                        .setNextPageToken(
                                request.getState() + "|" + request.getPageSize() + "|" + request.getUnitCode())
                        .build());
                response.onCompleted();
            }

            @Override
            public void registerDevice(RegisterDeviceRequest request, StreamObserver<RegisterDeviceResponse> response) {
                response.onNext(RegisterDeviceResponse.newBuilder()
                        .setDevice(request.getDevice())
                        .build());
                response.onCompleted();
            }
        };
        ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                    io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                lastHeaders.set(headers);
                return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
            }
        };
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(ServerInterceptors.intercept(service, recorder))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
