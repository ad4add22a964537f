package fr.interieur.neogend.gateway.web;

import fr.interieur.neogend.gateway.TestMeters;
import fr.interieur.neogend.gateway.TestTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway's request observations around a handler: the {@code http.server.requests} timer with Spring's
 * tags (the operation's template as {@code uri}), the request's span continuing the caller's trace and
 * current while the backend is called, nothing recorded of an unsampled request but its trace id still
 * passed on.
 */
class RequestObservationsTest {

    private static final String TEMPLATE = "/api/v1/devices/{imei}";
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** A handler as the gateway's: names the operation when routed, answers with the given status. */
    private static HttpHandler answering(int status, boolean routed) {
        return (request, response) -> Mono.deferContextual(context -> {
            if (routed) {
                RequestObservations.Current.in(context).routedTo(TEMPLATE);
            }
            response.setStatusCode(HttpStatus.valueOf(status));
            return response.setComplete();
        });
    }

    private void handle(RequestObservations observations, HttpHandler handler, MockServerHttpRequest request) {
        observations
                .apply(handler)
                .handle(request, new MockServerHttpResponse())
                .block(Duration.ofSeconds(5));
    }

    @Test
    void eachRequestIsTimedUnderItsOperationWithSpringsTags() {
        var observations = new RequestObservations(meters, null, null);
        for (int i = 0; i < 3; i++) {
            handle(
                    observations,
                    answering(200, true),
                    MockServerHttpRequest.get("/api/v1/devices/35693803564380" + i)
                            .build());
        }
        handle(
                observations,
                answering(404, true),
                MockServerHttpRequest.get("/api/v1/devices/404").build());
        handle(
                observations,
                answering(404, false),
                MockServerHttpRequest.get("/api/v1/nowhere").build());
        handle(
                observations,
                answering(401, false),
                MockServerHttpRequest.get("/api/v1/devices/1").build());
        handle(
                observations,
                answering(302, false),
                MockServerHttpRequest.get("/console").build());
        handle(
                observations,
                answering(200, false),
                MockServerHttpRequest.get("/").build());

        assertThat(TestMeters.timerCounts(meters, "http.server.requests"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "{error=none, exception=none, method=GET, outcome=SUCCESS, status=200, uri=" + TEMPLATE + "}",
                        3L,
                        "{error=none, exception=none, method=GET, outcome=CLIENT_ERROR, status=404, uri=" + TEMPLATE
                                + "}",
                        1L,
                        "{error=none, exception=none, method=GET, outcome=CLIENT_ERROR, status=404, uri=NOT_FOUND}",
                        1L,
                        "{error=none, exception=none, method=GET, outcome=CLIENT_ERROR, status=401, uri=UNKNOWN}",
                        1L,
                        "{error=none, exception=none, method=GET, outcome=REDIRECTION, status=302, uri=REDIRECTION}",
                        1L,
                        "{error=none, exception=none, method=GET, outcome=SUCCESS, status=200, uri=root}",
                        1L));
        // one timer per series, kept: the 3 requests of the first went to the same one
        assertThat(meters.get("http.server.requests")
                        .tag("status", "200")
                        .tag("uri", TEMPLATE)
                        .timers())
                .hasSize(1);
    }

    @Test
    void aFailedHandlerIsAServerErrorNamedAfterItsException() {
        var observations = new RequestObservations(meters, null, null);
        HttpHandler failing = (request, response) -> Mono.error(new IllegalStateException("boom"));
        assertThatThrownBy(() -> handle(
                        observations,
                        failing,
                        MockServerHttpRequest.post("/api/v1/devices").build()))
                .hasMessageContaining("boom");

        assertThat(TestMeters.timerCounts(meters, "http.server.requests"))
                .containsOnlyKeys("{error=IllegalStateException, exception=IllegalStateException, method=POST, "
                        + "outcome=SERVER_ERROR, status=500, uri=UNKNOWN}");
    }

    @Test
    void aRequestTheClientAbandonsIsCountedAsUnknown() {
        var observations = new RequestObservations(meters, null, null);
        HttpHandler never = (request, response) -> Mono.never();
        observations
                .apply(never)
                .handle(MockServerHttpRequest.get("/api/v1/devices/1").build(), new MockServerHttpResponse())
                .subscribe()
                .dispose();

        assertThat(TestMeters.timerCounts(meters, "http.server.requests"))
                .containsOnlyKeys(
                        "{error=none, exception=none, method=GET, outcome=UNKNOWN, status=UNKNOWN, uri=UNKNOWN}");
    }

    @Test
    void aSampledRequestContinuesTheCallersTraceAndItsSpanIsCurrentDuringTheCall() {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        TestTracing tracing = TestTracing.of(Sampler.parentBased(Sampler.alwaysOn()), ended);
        var observations = new RequestObservations(meters, tracing.tracer(), tracing.propagator());
        AtomicReference<Span> currentDuringCall = new AtomicReference<>();
        HttpHandler handler = (request, response) -> Mono.deferContextual(context -> {
            var observed = RequestObservations.Current.in(context);
            observed.routedTo(TEMPLATE);
            try (var scope = observed.scope()) {
                currentDuringCall.set(tracing.tracer().currentSpan());
            }
            assertThat(tracing.tracer().currentSpan()).as("the scope is closed").isNull();
            response.setStatusCode(HttpStatus.OK);
            return response.setComplete();
        });
        handle(
                observations,
                handler,
                MockServerHttpRequest.get("/api/v1/devices/356938035643809")
                        .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                        .build());

        assertThat(ended).hasSize(1);
        SpanData server = ended.getFirst();
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getName()).isEqualTo("http get " + TEMPLATE);
        assertThat(server.getTraceId()).isEqualTo(TRACE);
        assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(server.getAttributes().asMap().toString())
                .contains("status=200")
                .contains("uri=" + TEMPLATE)
                .contains("http.url=/api/v1/devices/356938035643809");
        assertThat(currentDuringCall.get().context().spanId()).isEqualTo(server.getSpanId());
    }

    @Test
    void anUnsampledRequestRecordsNoSpanButItsTraceIdIsCurrentDuringTheCall() {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        TestTracing tracing = TestTracing.of(Sampler.parentBased(Sampler.alwaysOn()), ended);
        var observations = new RequestObservations(meters, tracing.tracer(), tracing.propagator());
        AtomicReference<Span> currentDuringCall = new AtomicReference<>();
        HttpHandler handler = (request, response) -> Mono.deferContextual(context -> {
            try (var scope = RequestObservations.Current.in(context).scope()) {
                currentDuringCall.set(tracing.tracer().currentSpan());
            }
            response.setStatusCode(HttpStatus.OK);
            return response.setComplete();
        });
        handle(
                observations,
                handler,
                MockServerHttpRequest.get("/api/v1/devices/356938035643809")
                        .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-00")
                        .build());

        assertThat(ended).isEmpty();
        assertThat(currentDuringCall.get().context().traceId()).isEqualTo(TRACE);
        assertThat(currentDuringCall.get().context().sampled()).isFalse();
        assertThat(TestMeters.timerCounts(meters, "http.server.requests")).hasSize(1); // timed all the same
    }
}
