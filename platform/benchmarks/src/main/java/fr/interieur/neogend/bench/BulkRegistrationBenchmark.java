package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * A delivery of 10,000 devices registered in one call, directly over gRPC and through the gateway
 * (JSON), then the same delivery again (idempotent: nothing stored twice). Goal of the inventory
 * issue: under 5 s.
 */
final class BulkRegistrationBenchmark {

    private static final int DELIVERY = 10_000;

    private final Stack stack;

    BulkRegistrationBenchmark(Stack stack) {
        this.stack = stack;
    }

    void run() throws Exception {
        TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.options().ports().grpc("inventory"))
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
        try {
            System.out.printf("%nRegisterDevices: one delivery of %,d devices%n", DELIVERY);
            System.out.println("path              | new delivery s | same delivery again s | stored");
            for (String path : new String[] {"direct gRPC", "gateway REST"}) {
                int offset = path.startsWith("direct") ? 600_000 : 700_000; // DemoData IMEIs take 6 digits
                String token = tokens.password("fleet.manager", "fleet.manager");
                double first = time(() -> register(path, channel, token, offset));
                double again = time(() -> register(path, channel, token, offset));
                System.out.printf(Locale.ROOT, "%-17s | %14.2f | %21.2f | %,d%n", path, first, again, DELIVERY);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double time(Work work) throws Exception {
        long t0 = System.nanoTime();
        work.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private void register(String path, ManagedChannel channel, String token, int offset) throws Exception {
        RegisterDevicesRequest.Builder request = RegisterDevicesRequest.newBuilder();
        StringBuilder json = new StringBuilder(DELIVERY * 200).append("{\"devices\":[");
        for (int i = 0; i < DELIVERY; i++) {
            String imei = DemoData.imei(offset + i);
            request.addDevices(Device.newBuilder()
                    .setImei(imei)
                    .setSerialNumber("BULK-" + (offset + i))
                    .setModel("Rugged X5")
                    .setKind(DeviceKind.DEVICE_KIND_PHONE)
                    .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                    .setUnitCode("GN-RBRE-GGD35"));
            json.append(i == 0 ? "" : ",")
                    .append("{\"imei\":\"")
                    .append(imei)
                    .append("\",\"serialNumber\":\"BULK-")
                    .append(offset + i)
                    .append("\",\"model\":\"Rugged X5\",\"kind\":\"DEVICE_KIND_PHONE\","
                            + "\"packType\":\"PACK_TYPE_SMARTPHONE_INDIVIDUAL\",\"unitCode\":\"GN-RBRE-GGD35\"}");
        }
        json.append("]}");
        if (path.startsWith("direct")) {
            Metadata md = new Metadata();
            md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            InventoryServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .registerDevices(request.build());
        } else {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/devices:registerBatch"))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
        }
    }
}
