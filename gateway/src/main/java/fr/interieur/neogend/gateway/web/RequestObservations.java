package fr.interieur.neogend.gateway.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.util.context.ContextView;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the gateway observes of each HTTP request, wrapped around the whole request handling (security,
 * transcoding, error handlers) in place of Spring's per-request {@code Observation} (issue 18: building
 * its context and key-values, its long-task timer and its scopes per request cost a sixth of the gateway's
 * CPU with the gRPC client's):
 *
 * <ul>
 *   <li>the {@code http.server.requests} timer with Spring's tags ({@code method}, {@code uri},
 *       {@code status}, {@code outcome}, {@code exception}, {@code error}); {@code uri} is the path
 *       template of the operation the request was routed to ({@code /api/v1/devices/{imei}}), else
 *       {@code NOT_FOUND}, {@code REDIRECTION}, {@code root} or {@code UNKNOWN} as Spring names them; each
 *       timer is looked up once and kept;
 *   <li>a server span continuing the caller's trace ({@code traceparent}), named {@code http <method>
 *       <template>}, recorded and exported only when sampled; it is the parent of the backend call's
 *       span (see {@link Current#scope()}).
 * </ul>
 */
public final class RequestObservations implements Function<HttpHandler, HttpHandler> {

    /** The Reactor context key under which the request being observed is found. */
    public static final Class<Current> KEY = Current.class;

    private final MeterRegistry meters;
    private final Tracer tracer;
    private final Propagator propagator;
    private final ConcurrentMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    /**
     * @param tracer     the tracer of the request spans, or null: timers only
     * @param propagator how the caller's trace context is read from the headers (null with a null tracer)
     */
    public RequestObservations(MeterRegistry meters, Tracer tracer, Propagator propagator) {
        this.meters = meters;
        this.tracer = propagator == null ? null : tracer;
        this.propagator = propagator;
    }

    /** A span made current, until closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NO_SCOPE = () -> {};

    /**
     * Whether the observation of that name is recorded: a meter registry exists and the observation
     * predicates let it through ({@code management.observations.enable.<name>} or {@code .all}).
     */
    public static boolean observed(String name, ObservationRegistry observations, MeterRegistry meters) {
        return meters != null
                && !Observation.createNotStarted(name, observations).isNoop();
    }

    /** The request being observed: its span, and the operation it was routed to once known. */
    public static final class Current {
        private final Tracer tracer;
        private final Span span;
        private volatile String route;

        Current(Tracer tracer, Span span) {
            this.tracer = tracer;
            this.span = span;
        }

        /** Names the operation the request was routed to: its path template (the {@code uri} tag). */
        public void routedTo(String template) {
            this.route = template;
        }

        /** Makes the request's span the current one on this thread until closed (nothing without a span). */
        public Scope scope() {
            return span == null ? NO_SCOPE : tracer.withSpan(span)::close;
        }

        /** The request observed in this Reactor context, or null. */
        public static Current in(ContextView context) {
            return context.getOrDefault(KEY, null);
        }
    }

    @Override
    public HttpHandler apply(HttpHandler handler) {
        return (request, response) -> {
            long start = System.nanoTime();
            Span span = tracer == null
                    ? null
                    : propagator
                            .extract(request.getHeaders(), HttpHeaders::getFirst)
                            .name("http " + request.getMethod().name().toLowerCase(Locale.ROOT))
                            .kind(Span.Kind.SERVER)
                            .start();
            Current current = new Current(tracer, span);
            return handler.handle(request, response)
                    .doOnSuccess(done -> finished(request, response, current, start, null, false))
                    .doOnError(error -> finished(request, response, current, start, error, false))
                    .doOnCancel(() -> finished(request, response, current, start, null, true))
                    .contextWrite(context -> context.put(KEY, current));
        };
    }

    private void finished(
            ServerHttpRequest request,
            ServerHttpResponse response,
            Current current,
            long start,
            Throwable error,
            boolean aborted) {
        long nanos = System.nanoTime() - start;
        HttpStatusCode code = response.getStatusCode();
        int status = aborted ? 0 : code != null ? code.value() : error != null ? 500 : 200;
        String method = request.getMethod().name();
        String uri = uri(current.route, status, request);
        String exception = error == null ? "none" : error.getClass().getSimpleName();
        timers.computeIfAbsent(
                        new TimerKey(method, uri, status, exception),
                        key -> Timer.builder("http.server.requests")
                                .description("Duration of HTTP server request handling")
                                .tags(tags(key))
                                .register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
        Span span = current.span;
        if (span != null) {
            if (current.route != null) {
                span.name("http " + method.toLowerCase(Locale.ROOT) + " " + current.route);
            }
            tags(new TimerKey(method, uri, status, exception)).forEach(t -> span.tag(t.getKey(), t.getValue()));
            span.tag("http.url", request.getPath().value());
            if (error != null) {
                span.error(error);
            }
            span.end();
        }
    }

    private static Tags tags(TimerKey key) {
        return Tags.of(
                "method", key.method(),
                "uri", key.uri(),
                "status", key.status() == 0 ? "UNKNOWN" : Integer.toString(key.status()),
                "outcome", outcome(key.status()),
                "exception", key.exception(),
                "error", key.exception());
    }

    /** Spring's names when the request reached no operation. */
    private static String uri(String route, int status, ServerHttpRequest request) {
        if (route != null) {
            return route;
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        String path = request.getPath().pathWithinApplication().value();
        return path.isEmpty() || path.equals("/") ? "root" : "UNKNOWN";
    }

    private static String outcome(int status) {
        if (status >= 100 && status < 200) {
            return "INFORMATIONAL";
        }
        if (status >= 200 && status < 300) {
            return "SUCCESS";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        if (status >= 400 && status < 500) {
            return "CLIENT_ERROR";
        }
        if (status >= 500 && status < 600) {
            return "SERVER_ERROR";
        }
        return "UNKNOWN";
    }

    private record TimerKey(String method, String uri, int status, String exception) {}
}
