package fr.interieur.neogend.gateway.transcoding;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway observes of each call to a backend, without an {@code Observation} per call (issue 18:
 * Micrometer's {@code ObservationGrpcClientInterceptor} opened and closed a scope around every callback
 * of every call and built its key-values per call, a sixth of the gateway's CPU with the request's own
 * observation):
 *
 * <ul>
 *   <li>the {@code grpc.client} timer, with the tags Micrometer's convention gives it ({@code rpc.service},
 *       {@code rpc.method}, {@code rpc.type}, {@code grpc.status_code}, {@code net.peer.name},
 *       {@code net.peer.port}, {@code error}), each timer looked up once per method, status and error and
 *       kept;
 *   <li>a client span named after the full method, child of the request's span, only when that span is
 *       sampled; the trace context (W3C {@code traceparent}) is sent on either way, so the service's spans
 *       and log lines carry the request's trace id.
 * </ul>
 */
final class BackendCallObservations implements ClientInterceptor {

    private final MeterRegistry meters;
    private final Tracer tracer;
    private final Propagator propagator;
    private final String peerName;
    private final String peerPort;
    private final ConcurrentMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Metadata.Key<String>> headerKeys = new ConcurrentHashMap<>();

    /**
     * @param tracer     the tracer whose current span is the request's, or null: no spans, no context sent
     * @param propagator how the context travels in the call's headers, or null: no spans either
     * @param target     the channel's target ({@code host:port}), named on the timers as Micrometer does
     */
    BackendCallObservations(MeterRegistry meters, Tracer tracer, Propagator propagator, String target) {
        this.meters = meters;
        this.tracer = propagator == null ? null : tracer; // a span nobody could continue is not started
        this.propagator = propagator;
        URI uri = URI.create("dns://" + target);
        this.peerName = uri.getHost() == null ? "UNKNOWN" : uri.getHost();
        this.peerPort = uri.getPort() < 0 ? "UNKNOWN" : Integer.toString(uri.getPort());
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        Span parent = tracer == null ? null : tracer.currentSpan();
        Span span = parent != null && Boolean.TRUE.equals(parent.context().sampled())
                ? tracer.spanBuilder()
                        .setParent(parent.context())
                        .name(method.getFullMethodName())
                        .kind(Span.Kind.CLIENT)
                        .remoteServiceName(method.getServiceName())
                        .start()
                : null;
        TraceContext sent = span != null ? span.context() : parent == null ? null : parent.context();
        long start = System.nanoTime();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                if (sent != null) {
                    propagator.inject(sent, headers, (carrier, key, value) -> carrier.put(headerKey(key), value));
                }
                super.start(
                        new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                finished(method, status, start, span);
                                super.onClose(status, trailers);
                            }
                        },
                        headers);
            }
        };
    }

    private void finished(MethodDescriptor<?, ?> method, Status status, long start, Span span) {
        Throwable cause = status.isOk() ? null : status.getCause();
        String error = cause == null ? "none" : cause.getClass().getSimpleName();
        timers.computeIfAbsent(
                        new TimerKey(method.getFullMethodName(), status.getCode(), error),
                        key -> Timer.builder("grpc.client")
                                .tags(tags(method, status.getCode(), error))
                                .register(meters))
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (span != null) {
            for (var tag : tags(method, status.getCode(), null)) {
                span.tag(tag.getKey(), tag.getValue());
            }
            if (cause != null) {
                span.error(cause);
            }
            span.end();
        }
    }

    private Tags tags(MethodDescriptor<?, ?> method, Status.Code code, String error) {
        Tags tags = Tags.of(
                "rpc.service", String.valueOf(method.getServiceName()),
                "rpc.method", String.valueOf(method.getBareMethodName()),
                "rpc.type", method.getType().name(),
                "grpc.status_code", code.name(),
                "net.peer.name", peerName,
                "net.peer.port", peerPort);
        return error == null ? tags : tags.and("error", error);
    }

    private Metadata.Key<String> headerKey(String name) {
        return headerKeys.computeIfAbsent(name, n -> Metadata.Key.of(n, Metadata.ASCII_STRING_MARSHALLER));
    }

    private record TimerKey(String method, Status.Code code, String error) {}
}
