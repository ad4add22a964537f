package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.gateway.StandIns;
import fr.interieur.neogend.gateway.TestMeters;
import fr.interieur.neogend.gateway.TestTracing;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The gateway's own backend-call observations against a real gRPC stand-in: the same {@code grpc.client}
 * timers as Micrometer's observation interceptor (so the dashboards and alerts read the same series), a
 * client span only under a sampled request, and the trace context sent on in both cases.
 */
class BackendCallObservationsTest {

    private static final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    private static final Metadata.Key<String> TRACEPARENT =
            Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static Server inventory;
    private static String target;

    @BeforeAll
    static void start() {
        inventory = StandIns.inventory(lastHeaders);
        target = "127.0.0.1:" + inventory.getPort();
    }

    @AfterAll
    static void stop() {
        inventory.shutdownNow();
    }

    @Test
    void theTimersAreThoseOfMicrometersObservationInterceptor() throws Exception {
        SimpleMeterRegistry theirs = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(theirs));
        callMix(new ObservationGrpcClientInterceptor(observations));

        SimpleMeterRegistry ours = new SimpleMeterRegistry();
        callMix(new BackendCallObservations(ours, null, null, target));

        assertThat(TestMeters.timerCounts(ours, "grpc.client"))
                .isNotEmpty()
                .isEqualTo(TestMeters.timerCounts(theirs, "grpc.client"));
        assertThat(TestMeters.timerCounts(ours, "grpc.client").keySet())
                .anySatisfy(id -> assertThat(id).contains("grpc.status_code=NOT_FOUND"))
                .anySatisfy(id -> assertThat(id).contains("grpc.status_code=INTERNAL"))
                .anySatisfy(id -> assertThat(id).contains("grpc.status_code=OK"));
    }

    @Test
    void aSampledRequestGetsAClientSpanWhoseContextTheServiceReceives() throws Exception {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        TestTracing tracing = TestTracing.of(Sampler.alwaysOn(), ended);
        Span request = tracing.tracer().nextSpan().name("http get").start();
        try (var scope = tracing.tracer().withSpan(request)) {
            call(
                    channel(new BackendCallObservations(
                            new SimpleMeterRegistry(), tracing.tracer(), tracing.propagator(), target)),
                    "404000000000000");
        } catch (StatusRuntimeException expected) {
            // NOT_FOUND: the span says so
        }
        request.end();

        SpanData client = ended.stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no client span in " + ended));
        assertThat(client.getName()).isEqualTo("neogend.inventory.v1.InventoryService/GetDevice");
        assertThat(client.getTraceId()).isEqualTo(request.context().traceId());
        assertThat(client.getParentSpanId()).isEqualTo(request.context().spanId());
        assertThat(client.getAttributes().asMap().toString()).contains("grpc.status_code=NOT_FOUND");
        assertThat(client.hasEnded()).isTrue();
        // the service continues the trace under the client span
        String sent = lastHeaders.get().get(TRACEPARENT);
        assertThat(sent).startsWith("00-" + request.context().traceId() + "-" + client.getSpanId() + "-");
        assertThat(Integer.parseInt(sent.substring(53), 16) & 1)
                .as("sampled flag")
                .isEqualTo(1);
    }

    @Test
    void anUnsampledRequestGetsNoSpanButItsTraceIdStillReachesTheService() throws Exception {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        TestTracing tracing = TestTracing.of(Sampler.alwaysOff(), ended);
        Span request = tracing.tracer().nextSpan().name("http get").start();
        assertThat(request.context().sampled()).isFalse();
        try (var scope = tracing.tracer().withSpan(request)) {
            call(
                    channel(new BackendCallObservations(
                            new SimpleMeterRegistry(), tracing.tracer(), tracing.propagator(), target)),
                    "356938035643809");
        }
        request.end();

        assertThat(ended).isEmpty();
        String sent = lastHeaders.get().get(TRACEPARENT);
        assertThat(sent)
                .startsWith("00-" + request.context().traceId() + "-"
                        + request.context().spanId() + "-");
        assertThat(Integer.parseInt(sent.substring(53), 16) & 1)
                .as("sampled flag")
                .isZero();
    }

    @Test
    void withoutARequestSpanNothingIsSentAndTheCallIsStillTimed() throws Exception {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        TestTracing tracing = TestTracing.of(Sampler.alwaysOn(), ended);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        call(
                channel(new BackendCallObservations(meters, tracing.tracer(), tracing.propagator(), target)),
                "356938035643809");

        assertThat(ended).isEmpty();
        assertThat(lastHeaders.get().get(TRACEPARENT)).isNull();
        assertThat(meters.get("grpc.client")
                        .tag("grpc.status_code", "OK")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    /** Three answers, three statuses, several times each. */
    private static void callMix(ClientInterceptor interceptor) throws Exception {
        ManagedChannel channel = channel(interceptor);
        try {
            for (int i = 0; i < 3; i++) {
                call(channel, "356938035643809");
                catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, "404000000000000"));
            }
            catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, "500000000000000"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static ManagedChannel channel(ClientInterceptor interceptor) {
        return NettyChannelBuilder.forTarget(target)
                .usePlaintext()
                .intercept(interceptor)
                .build();
    }

    private static void call(ManagedChannel channel, String imei) {
        InventoryServiceGrpc.newBlockingStub(channel)
                .getDevice(GetDeviceRequest.newBuilder().setImei(imei).build());
    }
}
