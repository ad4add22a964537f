package fr.interieur.neogend.kit.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Takes the caller's {@code x-correlation-id} (the gateway sets one on every request) or makes
 * one, puts it in the logging context (MDC key {@code correlation_id}) while the call runs, and
 * returns it in the response headers. Each call's outcome is logged with it: failures at INFO
 * (method, status, duration), successes at DEBUG.
 */
public class CorrelationIdInterceptor implements ServerInterceptor {

    public static final String MDC_KEY = "correlation_id";
    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of("x-correlation-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Logger log = LoggerFactory.getLogger(CorrelationIdInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String given = headers.get(HEADER);
        String id = given != null && SAFE.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
        long start = System.nanoTime();
        ServerCall<Q, R> tagged = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(HEADER, id);
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                inMdc(id, () -> {
                    long micros = (System.nanoTime() - start) / 1000;
                    if (status.isOk()) {
                        log.debug("{} OK in {} µs", call.getMethodDescriptor().getFullMethodName(), micros);
                    } else {
                        log.info(
                                "{} {} in {} µs: {}",
                                call.getMethodDescriptor().getFullMethodName(),
                                status.getCode(),
                                micros,
                                status.getDescription());
                    }
                    return null;
                });
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> delegate = inMdc(id, () -> next.startCall(tagged, headers));
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                inMdc(id, () -> {
                    super.onMessage(message);
                    return null;
                });
            }

            @Override
            public void onHalfClose() {
                inMdc(id, () -> {
                    super.onHalfClose();
                    return null;
                });
            }

            @Override
            public void onCancel() {
                inMdc(id, () -> {
                    super.onCancel();
                    return null;
                });
            }

            @Override
            public void onComplete() {
                inMdc(id, () -> {
                    super.onComplete();
                    return null;
                });
            }
        };
    }

    private static <T> T inMdc(String id, java.util.function.Supplier<T> work) {
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, previous);
            }
        }
    }
}
