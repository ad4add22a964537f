package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * A little fleet for demos, loaded through the gateway as a fleet manager would (so the first
 * load exercises the whole chain). Loading again is harmless: devices already there answer 409.
 */
public final class DemoData {

    private record DemoDevice(int n, String model, String kind, String packType, String unit) {
    }

    private static final List<DemoDevice> DEVICES = List.of(
            new DemoDevice(1, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35-CIE1"),
            new DemoDevice(2, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35-CIE1"),
            new DemoDevice(3, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD35"),
            new DemoDevice(4, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "GN-RBRE-GGD29"),
            new DemoDevice(5, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "GN-RIDF-GGD75"),
            new DemoDevice(6, "Field Tab 10", "DEVICE_KIND_TABLET", "PACK_TYPE_TABLET_INDIVIDUAL", "GN-RBRE-GGD35"),
            new DemoDevice(7, "Field Tab 10", "DEVICE_KIND_TABLET", "PACK_TYPE_TABLET_INDIVIDUAL", "GN-RIDF-GGD75"),
            new DemoDevice(8, "Field Tab 10", "DEVICE_KIND_TABLET", "PACK_TYPE_TABLET_COLLECTIVE", "GN-RBRE-GGD35-CIE1"),
            new DemoDevice(9, "Field Tab 10", "DEVICE_KIND_TABLET", "PACK_TYPE_TABLET_COLLECTIVE", "PN-DDSP35"),
            new DemoDevice(10, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", "PN-DDSP35"),
            new DemoDevice(11, "Rugged X5", "DEVICE_KIND_PHONE", "PACK_TYPE_SMARTPHONE_INDIVIDUAL", null),
            new DemoDevice(12, "Field Tab 10", "DEVICE_KIND_TABLET", "PACK_TYPE_TABLET_COLLECTIVE", null));

    private DemoData() {
    }

    /** A valid IMEI (Luhn check digit) for demo device {@code n}. */
    public static String imei(int n) {
        String body = String.format("35299011%06d", n);
        int sum = 0;
        for (int i = 0; i < 14; i++) {
            int d = body.charAt(i) - '0';
            if (i % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return body + (10 - sum % 10) % 10;
    }

    /** Registers the demo devices; returns how many were new. */
    public static int load(String gatewayUrl, String fleetManagerToken) {
        HttpClient http = HttpClient.newHttpClient();
        int created = 0;
        for (DemoDevice d : DEVICES) {
            String json = "{\"imei\":\"" + imei(d.n()) + "\",\"serialNumber\":\"DEMO-" + d.n() + "\",\"model\":\""
                    + d.model() + "\",\"kind\":\"" + d.kind() + "\",\"packType\":\"" + d.packType() + "\""
                    + (d.unit() == null ? "" : ",\"unitCode\":\"" + d.unit() + "\"")
                    + ",\"romBuild\":\"neogend/aosp14/2026.11:user/release-keys\"}";
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/devices"))
                        .header("Authorization", "Bearer " + fleetManagerToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    created++;
                } else if (r.statusCode() != 409) {
                    throw new IllegalStateException("demo device " + imei(d.n()) + " refused: HTTP " + r.statusCode()
                            + " " + r.body());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot reach the gateway at " + gatewayUrl, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return created;
    }
}
