package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.gateway.GatewayProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.Set;

/**
 * One Resilience4j circuit breaker per backend service: when a service keeps answering
 * UNAVAILABLE, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED, the gateway stops sending it calls for a
 * while and answers 503 at once, so a failing service is not buried under retries and clients
 * do not wait out every deadline. Business errors and refusals never count.
 */
public final class BackendCircuitBreakers {

    private static final Set<Status.Code> OUTAGE =
            Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);

    private final CircuitBreakerRegistry registry;
    private final long retryAfterSeconds;

    public BackendCircuitBreakers(GatewayProperties.CircuitBreaker settings) {
        this.retryAfterSeconds = Math.max(1, settings.waitInOpenState().toSeconds());
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordException(BackendCircuitBreakers::isOutage)
                .build());
    }

    /** The breaker of a backend (created on first use). */
    public CircuitBreaker of(String backend) {
        return registry.circuitBreaker(backend);
    }

    /** What to tell clients in {@code Retry-After} while a circuit is open. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static boolean isOutage(Throwable t) {
        return t instanceof StatusRuntimeException e
                && OUTAGE.contains(e.getStatus().getCode());
    }
}
