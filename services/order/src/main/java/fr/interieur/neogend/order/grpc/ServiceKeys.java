package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.idempotency.IdempotencyInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * The Idempotency-Key a service sends on its own behalf (ADR 0030: proved by its own token), for the creating
 * calls that keep it with what they create. The kit keeps every key 24 h ({@code neogend.idempotency.retention});
 * a key a service chooses — accessories' {@code stock-alert-<id>} — must name its order for good: the alert may
 * be proposed again days after an answer was lost (rule 15, "never a second draft").
 */
@Component
@GlobalServerInterceptor
@Order(25) // after the token check (10) and the kit's idempotency (20)
public class ServiceKeys implements ServerInterceptor {

    private static final Context.Key<String> KEY = Context.key("neogend-order-service-key");

    /** {@code <service>:<key>} when the current call is made through a service with an Idempotency-Key. */
    public static Optional<String> current() {
        return Optional.ofNullable(KEY.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String key = headers.get(IdempotencyInterceptor.KEY);
        Optional<String> peer = CallerContext.peer();
        if (key == null || peer.isEmpty()) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, peer.get() + ":" + key), call, headers, next);
    }
}
