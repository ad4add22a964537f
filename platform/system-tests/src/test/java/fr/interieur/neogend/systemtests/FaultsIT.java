package fr.interieur.neogend.systemtests;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.ManagedProcess;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.StreamReadingsRequest;
import fr.interieur.neogend.telemetry.v1.StreamReadingsResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults injected into the whole suite while it works, and what must hold: nothing acknowledged is
 * lost, nothing is stored twice, the suite recovers on its own. Each test prints its figures
 * (requests sent, errors seen, data lost). The supplier's API down, slow or erroring is covered by
 * the order service's SupplierIntakeIT.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(1) // a stack of its own, before the shared one starts (SharedStack)
class FaultsIT {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Stack stack;
    static TokenClient tokens;
    static String fleet;

    @BeforeAll
    static void startSuite() throws Exception {
        Path root = Path.of(System.getProperty("neogend.root", "../.."))
                .toAbsolutePath()
                .normalize();
        System.out.println("starting the suite for the fault tests…");
        stack = Stack.start(new Stack.Options(
                root,
                Files.createTempDirectory("neogend-faults"),
                false,
                Stack.SERVICES,
                Stack.Ports.free(),
                Stack.QUICK_START_JVM,
                Map.of("NEOGEND_RATE_LIMIT_PER_SECOND", "0")));
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        fleet = tokens.password("fleet.manager", "fleet.manager");
        DemoData.loadUnits(stack.gatewayUrl(), fleet);
        DemoData.loadAgreement(stack.gatewayUrl(), fleet); // the agreement the test packs are leased under
    }

    @AfterAll
    static void stopSuite() {
        if (stack != null) {
            stack.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        return SuiteHttp.send(method, stack.gatewayUrl() + path, token, json);
    }

    static String device(String imei, String unit) {
        return """
                {"imei":"%s","serialNumber":"F-%s","model":"Rugged X5","kind":"DEVICE_KIND_PHONE",
                 "packType":"PACK_TYPE_SMARTPHONE_INDIVIDUAL","agreementId":"AC-2026-NEOGEND","unitCode":"%s"}""".formatted(imei, imei, unit);
    }

    /** Registers devices in a loop from several threads until stopped; remembers which were acknowledged. */
    static final class Writers implements AutoCloseable {
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService threads = Executors.newFixedThreadPool(3);

        Writers(int firstSerial) {
            AtomicInteger next = new AtomicInteger(firstSerial);
            for (int t = 0; t < 3; t++) {
                threads.submit(() -> {
                    while (running.get()) {
                        String imei = DemoData.imei(next.getAndIncrement());
                        sent.incrementAndGet();
                        int status;
                        try {
                            status = send("POST", "/api/v1/devices", fleet, device(imei, "GN-RBRE-GGD35"))
                                    .statusCode();
                        } catch (Exception e) {
                            status = -1; // no answer at all
                        }
                        statuses.computeIfAbsent(status, s -> new AtomicInteger())
                                .incrementAndGet();
                        if (status == 200) {
                            acknowledged.add(imei);
                        }
                    }
                    return null;
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        int errors() {
            return statuses.entrySet().stream()
                    .filter(e -> e.getKey() != 200)
                    .mapToInt(e -> e.getValue().get())
                    .sum();
        }

        /** Acknowledged registrations that inventory no longer knows. */
        long lost() throws Exception {
            long lost = 0;
            for (String imei : acknowledged) {
                if (send("GET", "/api/v1/devices/" + imei, fleet, null).statusCode() != 200) {
                    lost++;
                }
            }
            return lost;
        }
    }

    @Test
    @Order(1)
    void sigtermUnderLoadFinishesTheCallsInFlightAndStopsWithinItsGracePeriod() throws Exception {
        ManagedProcess inventory = stack.process("inventory").orElseThrow();
        int http = stack.options().ports().http("inventory");
        List<Integer> readiness = new ArrayList<>();
        Duration stopped;
        Writers writers = new Writers(20_000);
        try (writers) {
            Thread.sleep(1500); // under load
            Instant sigterm = Instant.now();
            inventory.terminate();
            // readiness goes down while the process still finishes its work
            while (!inventory.awaitExit(Duration.ofMillis(50))) {
                readiness.add(status("http://127.0.0.1:" + http + "/actuator/health/readiness"));
            }
            stopped = Duration.between(sigterm, Instant.now());
            Thread.sleep(500);
        }
        System.out.printf(
                "SIGTERM under load: %d registrations sent, answers %s, stopped in %d ms, readiness seen %s%n",
                writers.sent.get(), writers.statuses, stopped.toMillis(), new java.util.TreeSet<>(readiness));
        assertThat(stopped).as("within the 25 s shutdown phase").isLessThan(Duration.ofSeconds(25));
        assertThat(readiness)
                .as("readiness answers 503 (or no longer answers) before the process is gone")
                .anyMatch(s -> s != 200);
        // every answer is a success or a clean 'service unavailable': no call cut in the middle
        assertThat(writers.statuses.keySet()).isSubsetOf(Set.of(200, 503));
        stack.restart("inventory", Duration.ofMinutes(2));
        awaitThroughGateway("/api/v1/devices?page_size=1");
        assertThat(writers.lost()).as("acknowledged registrations lost").isZero();
    }

    @Test
    @Order(2)
    void aTelemetryServiceKilledMidStreamLosesNoAcknowledgedReadingAndStoresNoneTwice() throws Exception {
        String imei = DemoData.imei(30_000);
        assertThat(send("POST", "/api/v1/devices", fleet, device(imei, "GN-RBRE-GGD35"))
                        .statusCode())
                .isEqualTo(200);
        var enrolled = send("POST", "/api/v1/devices/" + imei + ":enroll", fleet, "{}");
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        String credential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");

        int batches = 40;
        int perBatch = 20; // 800 readings: one page of ListDeviceReadings (at most 1,000)
        Instant base = Instant.now().minusSeconds(3600);
        List<StreamReadingsRequest> all = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            StreamReadingsRequest.Builder batch = StreamReadingsRequest.newBuilder();
            for (int i = 0; i < perBatch; i++) {
                int n = b * perBatch + i + 1; // sequence 0 would not show in JSON (a default value)
                Instant at = base.plusSeconds(n);
                batch.addReadings(Reading.newBuilder()
                        .setSequence(n)
                        .setRecordedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                        .setBatteryPercent(90 - n % 50));
            }
            all.add(batch.build());
        }
        ManagedProcess telemetry = stack.process("telemetry").orElseThrow();
        int acknowledged = 0; // batches acknowledged, in order
        int stored = 0;
        int duplicates = 0;
        int attempts = 0;
        boolean killed = false;
        while (acknowledged < batches) {
            attempts++;
            assertThat(attempts).as("stream attempts").isLessThan(10);
            ManagedChannel channel = Grpc.newChannelBuilder(
                            "localhost:" + stack.options().ports().grpc("telemetry"),
                            InsecureChannelCredentials.create())
                    .build();
            try {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Device " + credential);
                LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
                StreamObserver<StreamReadingsRequest> out = TelemetryServiceGrpc.newStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                        .streamReadings(new StreamObserver<>() {
                            @Override
                            public void onNext(StreamReadingsResponse value) {
                                answers.add(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                answers.add(t);
                            }

                            @Override
                            public void onCompleted() {
                                answers.add("done");
                            }
                        });
                // a device resends what was not acknowledged, from the last acknowledged batch on
                for (int b = acknowledged; b < batches; b++) {
                    out.onNext(all.get(b));
                    Object answer = answers.poll(30, TimeUnit.SECONDS);
                    if (!(answer instanceof StreamReadingsResponse r)) {
                        break; // the stream broke: reconnect and resend
                    }
                    stored += r.getStored();
                    duplicates += r.getDuplicates();
                    assertThat(r.getRejectedList()).isEmpty();
                    acknowledged = b + 1;
                    if (!killed && acknowledged == batches / 2) {
                        // the next batch is on its way when the service dies (SIGKILL: no shutdown at all)
                        out.onNext(all.get(acknowledged));
                        telemetry.kill();
                        killed = true;
                        stack.restart("telemetry", Duration.ofMinutes(2));
                        break;
                    }
                }
                out.onCompleted();
            } finally {
                channel.shutdownNow();
            }
        }
        // what is stored: every reading once, whatever was resent
        var r = send(
                "GET",
                "/api/v1/devices/" + imei + "/readings?page_size=1000&since=" + base.minusSeconds(1),
                fleet,
                null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        long kept = r.body().split("\"sequence\"", -1).length - 1;
        Set<String> sequences = new java.util.HashSet<>(java.util.regex.Pattern.compile("\"sequence\":\"([0-9]+)\"")
                .matcher(r.body())
                .results()
                .map(m -> m.group(1))
                .toList());
        System.out.printf(
                "telemetry killed mid-stream: %d readings in %d batches over %d streams; answers: %d stored, "
                        + "%d duplicates (resent); kept %d; lost %d%n",
                batches * perBatch, batches, attempts, stored, duplicates, kept, batches * perBatch - kept);
        assertThat(killed).isTrue();
        assertThat(kept).as("every reading kept exactly once").isEqualTo((long) batches * perBatch);
        assertThat(sequences).hasSize(batches * perBatch);
        assertThat(stored + duplicates).isGreaterThanOrEqualTo(batches * perBatch);
    }

    @Test
    @Order(3)
    void postgresRestartedUnderLoadTheServicesRecoverOnTheirOwn() throws Exception {
        Writers writers = new Writers(40_000);
        Instant restartedAt;
        try (writers) {
            Thread.sleep(1500);
            stack.postgres().restart();
            restartedAt = Instant.now();
            // recovered: a write succeeds again, without restarting any service
            long until = System.nanoTime() + 60_000_000_000L;
            int before = writers.acknowledged.size();
            while (writers.acknowledged.size() < before + 20) {
                assertThat(System.nanoTime())
                        .as("writes succeed again within 60 s")
                        .isLessThan(until);
                Thread.sleep(100);
            }
        }
        Duration recovery = Duration.between(restartedAt, Instant.now());
        awaitThroughGateway("/api/v1/devices?page_size=1");
        long lost = writers.lost();
        System.out.printf(
                "PostgreSQL restarted under load: %d registrations sent, answers %s, 20 more acknowledged "
                        + "%d ms after the restart, acknowledged lost: %d%n",
                writers.sent.get(), writers.statuses, recovery.toMillis(), lost);
        assertThat(lost).as("acknowledged registrations lost").isZero();
        for (String service : Stack.SERVICES) {
            assertThat(stack.process(service).orElseThrow().isAlive())
                    .as(service + " still running")
                    .isTrue();
        }
        assertThat(writers.statuses.keySet())
                .as("a write either succeeds or is refused as 'retry' (503)")
                .isSubsetOf(Set.of(200, 503));
    }

    @Test
    @Order(4)
    void keycloakDownTokensAlreadyIssuedKeepWorkingAndNewLoginsFailCleanly() throws Exception {
        String auditor = tokens.password("auditor", "auditor");
        String manager = tokens.password("fleet.manager", "fleet.manager");
        assertThat(send("GET", "/api/v1/devices?page_size=1", auditor, null).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/api/v1/agreements/none", auditor, null).statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/v1/courses", manager, """
                {"code":"FAULT-KC","title":"Keycloak down","durationDays":1,"modelFamilies":["Rugged X"]}""").statusCode()).isEqualTo(200);
        var session = send("POST", "/api/v1/sessions", manager, """
                {"courseCode":"FAULT-KC","startDate":%s,"endDate":%1$s,"place":"Rennes","capacity":2,"trainer":"T"}""".formatted(
                        JsonDays.day(java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris")))));
        String sessionId = session.body().replaceAll(".*\"id\":\"(TS-[0-9]+)\".*", "$1");
        stack.keycloak().process().stop(Duration.ofSeconds(20));
        // who is a technician cannot be read: 503 (try again), never 400 (as if the person did not exist)
        for (String who : List.of("technician.quimper", "nobody.here")) {
            var enrol = send(
                    "POST", "/api/v1/sessions/" + sessionId + ":enroll", manager, "{\"technician\":\"" + who + "\"}");
            assertThat(enrol.statusCode()).as(enrol.body()).isEqualTo(503);
            assertThat(enrol.body()).contains("\"code\":\"UNAVAILABLE\"").doesNotContain("Exception");
        }
        assertThat(send("GET", "/api/v1/sessions/" + sessionId, manager, null).body())
                .doesNotContain("technician.quimper");
        int ok = 0;
        for (int i = 0; i < 20; i++) {
            ok += send("GET", "/api/v1/devices?page_size=1", i % 2 == 0 ? auditor : fleet, null)
                                    .statusCode()
                            == 200
                    ? 1
                    : 0;
            ok += send("GET", "/api/v1/agreements/none", auditor, null).statusCode() == 404 ? 1 : 0;
        }
        System.out.printf("Keycloak down: 40 calls with tokens issued before, %d answered normally; a new login: ", ok);
        assertThat(ok).isEqualTo(40);
        assertThatThrownBy(() -> tokens.password("fleet.manager", "fleet.manager"))
                .satisfies(e -> System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /**
     * After a service comes back, the gateway has paused calls to it for a while (its circuit
     * breaker): waits until a call through the gateway answers 200 again.
     */
    static void awaitThroughGateway(String path) throws Exception {
        long until = System.nanoTime() + 60_000_000_000L;
        while (send("GET", path, fleet, null).statusCode() != 200) {
            assertThat(System.nanoTime())
                    .as(path + " answers through the gateway again within 60 s")
                    .isLessThan(until);
            Thread.sleep(250);
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1; // no longer answering
        }
    }
}
