package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.Stack;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a refused device upload costs the gateway, next to an accepted one, in one run: uploads of
 * 35 readings with a valid credential; the same body without a credential; a 256 KiB body without
 * a credential (a refusal must not read it); invented well-formed credentials (each one asked of
 * telemetry); and, with the per-address limit on failed authentications on, the same flood answered
 * 429. The auth-failure limit is off for the first four (one load generator is one address).
 */
final class RefusalBenchmark {

    private static final int DEVICES = 2_000;
    private static final int FIRST = 600_000; // DemoData.imei numbers, clear of the other benchmarks'
    private static final int USERS = 16;

    private final Stack stack;
    private final BenchSettings settings;
    private final String[] credentials = new String[DEVICES];
    private final AtomicLongArray sequences = new AtomicLongArray(DEVICES);

    RefusalBenchmark(Stack stack, BenchSettings settings) {
        this.stack = stack;
        this.settings = settings;
    }

    void run() throws Exception {
        System.out.printf("%nRefused uploads: enrolling %,d devices…%n", DEVICES);
        enrolAll();
        int port = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        Duration warmup = settings.warmup();
        Duration measure = settings.measure();
        byte[] body35 = jsonBatch(0, 35);
        byte[] body256k = new byte[256 * 1024];
        java.util.Arrays.fill(body256k, (byte) ' ');
        body256k[0] = '{';
        body256k[body256k.length - 1] = '}';

        stack.restart("gateway", Map.of("NEOGEND_AUTH_FAILURES_PER_SECOND", "0"), Duration.ofSeconds(90));
        var http = ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", port));
        var accepted = Load.closedLoop(
                i -> {
                    int d = (int) Math.floorMod(i * 7_919L, DEVICES);
                    expect(
                            http.get().post("/api/v1/device-readings", "Device " + credentials[d], jsonBatch(d, 35)),
                            200);
                },
                USERS,
                warmup,
                measure);
        var anonymous = Load.closedLoop(
                i -> expect(http.get().post("/api/v1/device-readings", "None", body35), 401), USERS, warmup, measure);
        var anonymousLarge = Load.closedLoop(
                i -> expect(http.get().post("/api/v1/device-readings", "None", body256k), 401), USERS, warmup, measure);
        var invented = Load.closedLoop(
                i -> expect(
                        http.get()
                                .post(
                                        "/api/v1/device-readings",
                                        "Device " + String.format("%024x", 0xF00D0000000L + i) + "." + "Q".repeat(43),
                                        body35),
                        401),
                USERS,
                warmup,
                measure);
        stack.restart("gateway", Duration.ofSeconds(90)); // the limit as shipped
        var http2 = ThreadLocal.withInitial(() -> new RawHttpClient("127.0.0.1", port));
        var limited = Load.closedLoop(
                i -> {
                    int status = http2.get()
                            .post(
                                    "/api/v1/device-readings",
                                    "Device " + String.format("%024x", 0xBAD0000000L + i) + "." + "Q".repeat(43),
                                    body35);
                    if (status != 401 && status != 429) {
                        throw new IllegalStateException("HTTP " + status);
                    }
                },
                USERS,
                warmup,
                measure);

        System.out.printf(
                "%nDevice uploads refused before their body is read vs accepted, %d clients, %s each%n",
                USERS, measure);
        System.out.println(
                "request                                        | req/s  | p50 ms | p99 ms | errors | vs accepted");
        row("accepted: valid credential, 35 readings (~11 KB)", accepted, accepted);
        row("refused: no credential, same body", anonymous, accepted);
        row("refused: no credential, 256 KiB body", anonymousLarge, accepted);
        row("refused: invented credential (asks telemetry)", invented, accepted);
        row("flood with the limit on: 429 after 30", limited, accepted);
        System.out.printf(
                Locale.ROOT, "Peak memory (VmHWM) of the gateway: %s%n", BenchDevices.peakMemory(stack, "gateway"));
    }

    private static void row(String label, LatencyRecorder.Summary s, LatencyRecorder.Summary accepted) {
        System.out.printf(
                Locale.ROOT,
                "%-46s | %6.0f | %6.2f | %6.2f | %6d | %5.1f x%n",
                label,
                s.throughput(),
                s.p50Millis(),
                s.p99Millis(),
                s.errors(),
                s.throughput() / accepted.throughput());
    }

    private static void expect(int status, int expected) {
        if (status != expected) {
            throw new IllegalStateException("HTTP " + status + ", expected " + expected);
        }
    }

    private byte[] jsonBatch(int d, int size) {
        long first = sequences.getAndAdd(d, size);
        Instant now = Instant.now();
        StringBuilder json = new StringBuilder(size * 330).append("{\"readings\":[");
        for (int k = 0; k < size; k++) {
            json.append(k == 0 ? "" : ",")
                    .append("{\"sequence\":\"")
                    .append(first + k)
                    .append("\",\"recordedAt\":\"")
                    .append(now.minusSeconds(size - k))
                    .append("\",\"batteryPercent\":")
                    .append(20 + (k % 80))
                    .append(",\"charging\":false,\"latitude\":48.1,\"longitude\":-1.68,\"accuracyM\":8")
                    .append(",\"network\":\"NETWORK_TYPE_4G\",\"securityPatchLevel\":\"2026-11-05\"")
                    .append(",\"romBuild\":\"neogend/aosp14/2026.11\",\"kernelVersion\":\"5.15.148\"")
                    .append(",\"freeStorageMb\":\"20000\",\"agentVersion\":\"1.4.2\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private void enrolAll() throws Exception {
        String[] issued = BenchDevices.enrol(stack, DEVICES, FIRST, 0x5EF0000000L, "refusal-device-");
        System.arraycopy(issued, 0, credentials, 0, DEVICES);
    }
}
