package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.inventory.v1.CheckDevicesRequest;
import fr.interieur.neogend.inventory.v1.CheckDevicesResponse;
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
 * issue: under 5 s. Then a delivery of 10,000 bad rows (two problems each) checked (CheckDevices):
 * the 20,000 problems listed in one answer, on both paths.
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
            // the packs are leased under the demo agreement (a pack names its agreement)
            DemoData.loadAgreement(stack.gatewayUrl(), tokens.password("fleet.manager", "fleet.manager"));
            System.out.printf("%nRegisterDevices: one delivery of %,d devices%n", DELIVERY);
            System.out.println("path              | new delivery s | same delivery again s | stored");
            for (String path : new String[] {"direct gRPC", "gateway REST"}) {
                int offset = path.startsWith("direct") ? 600_000 : 700_000; // DemoData IMEIs take 6 digits
                String token = tokens.password("fleet.manager", "fleet.manager");
                double first = time(() -> register(path, channel, token, offset));
                double again = time(() -> register(path, channel, token, offset));
                System.out.printf(Locale.ROOT, "%-17s | %14.2f | %21.2f | %,d%n", path, first, again, DELIVERY);
            }
            System.out.printf(
                    "%nCheckDevices: a delivery of %,d rows, each without a kind and in an unknown unit%n", DELIVERY);
            System.out.println("path              | check s | problems listed | answer bytes");
            for (String path : new String[] {"direct gRPC", "gateway REST"}) {
                String token = tokens.password("fleet.manager", "fleet.manager");
                long[] answer = new long[2];
                double seconds = time(() -> {
                    long[] a = check(path, channel, token);
                    answer[0] = a[0];
                    answer[1] = a[1];
                });
                System.out.printf(Locale.ROOT, "%-17s | %7.2f | %,15d | %,d%n", path, seconds, answer[0], answer[1]);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    /** Checks the bad delivery; answers the problems listed and the answer's size in bytes. */
    private long[] check(String path, ManagedChannel channel, String token) throws Exception {
        CheckDevicesRequest.Builder request = CheckDevicesRequest.newBuilder();
        StringBuilder json = new StringBuilder(DELIVERY * 200).append("{\"devices\":[");
        for (int i = 0; i < DELIVERY; i++) {
            String imei = DemoData.imei(800_000 + i);
            request.addDevices(Device.newBuilder()
                    .setImei(imei)
                    .setSerialNumber("CHECK-" + i)
                    .setModel("Rugged X5")
                    .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                    .setAgreementId(DemoData.AGREEMENT_ID)
                    .setUnitCode("GN-NOPE"));
            json.append(i == 0 ? "" : ",")
                    .append("{\"imei\":\"")
                    .append(imei)
                    .append("\",\"serialNumber\":\"CHECK-")
                    .append(i)
                    .append(
                            "\",\"model\":\"Rugged X5\",\"packType\":\"PACK_TYPE_SMARTPHONE_INDIVIDUAL\",\"agreementId\":\"")
                    .append(DemoData.AGREEMENT_ID)
                    .append("\",\"unitCode\":\"GN-NOPE\"}");
        }
        json.append("]}");
        if (path.startsWith("direct")) {
            CheckDevicesResponse r = as(channel, token).checkDevices(request.build());
            return new long[] {r.getProblemsCount(), r.getSerializedSize()};
        }
        HttpResponse<String> r = post("/api/v1/devices:checkBatch", token, json);
        long listed = r.body().split("\"field\":", -1).length - 1;
        return new long[] {listed, r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length};
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
                    .setAgreementId(DemoData.AGREEMENT_ID)
                    .setUnitCode("GN-RBRE-GGD35"));
            json.append(i == 0 ? "" : ",")
                    .append("{\"imei\":\"")
                    .append(imei)
                    .append("\",\"serialNumber\":\"BULK-")
                    .append(offset + i)
                    .append("\",\"model\":\"Rugged X5\",\"kind\":\"DEVICE_KIND_PHONE\","
                            + "\"packType\":\"PACK_TYPE_SMARTPHONE_INDIVIDUAL\",\"agreementId\":\""
                            + DemoData.AGREEMENT_ID
                            + "\",\"unitCode\":\"GN-RBRE-GGD35\"}");
        }
        json.append("]}");
        if (path.startsWith("direct")) {
            as(channel, token).registerDevices(request.build());
        } else {
            post("/api/v1/devices:registerBatch", token, json);
        }
    }

    /** Inventory's stub calling as the token's user. */
    private static InventoryServiceGrpc.InventoryServiceBlockingStub as(ManagedChannel channel, String token) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** A JSON body posted to the gateway as the token's user; anything but 200 stops the benchmark. */
    private HttpResponse<String> post(String path, String token, CharSequence json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return r;
    }
}
