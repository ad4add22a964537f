package fr.interieur.neogend.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.Map;

/**
 * Gateway settings ({@code neogend.gateway.*}).
 *
 * @param backends     gRPC address (host:port) of each service, by the name in its proto package
 * @param deadline     deadline of each gRPC call made for a REST request
 * @param downloadDeadline deadline of a download streamed chunk by chunk (a detail export of the
 *                     whole fleet): the whole transfer, first chunk to last
 * @param maxBodyBytes   largest REST request body accepted
 * @param deviceMaxBodyBytes largest body of a route devices call (a batch of readings): 1.5 MiB, above
 *                       the largest legal batch (docs/api.md says how it is computed; a test checks it)
 * @param circuitBreaker when to stop calling a failing backend for a while
 */
@ConfigurationProperties("neogend.gateway")
public record GatewayProperties(
        Map<String, String> backends,
        Duration deadline,
        Duration downloadDeadline,
        Integer maxBodyBytes,
        Integer deviceMaxBodyBytes,
        CircuitBreaker circuitBreaker) {

    public GatewayProperties {
        backends = backends == null ? Map.of() : Map.copyOf(backends);
        deadline = deadline == null ? Duration.ofSeconds(10) : deadline;
        downloadDeadline = downloadDeadline == null ? Duration.ofMinutes(2) : downloadDeadline;
        maxBodyBytes = maxBodyBytes == null ? 4 * 1024 * 1024 : maxBodyBytes;
        deviceMaxBodyBytes = deviceMaxBodyBytes == null ? 3 * 512 * 1024 : deviceMaxBodyBytes;
        circuitBreaker = circuitBreaker == null ? new CircuitBreaker(null, null, null, null) : circuitBreaker;
    }

    /**
     * Resilience4j circuit breaker per backend, counting only the failures that say the service
     * is down or overloaded (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED), never a refusal
     * or a business error.
     *
     * @param failureRateThreshold percentage of failed calls that opens the circuit
     * @param slidingWindowSize    calls the rate is computed over
     * @param minimumNumberOfCalls calls needed before the rate counts
     * @param waitInOpenState      how long calls are refused before a few are let through again
     */
    public record CircuitBreaker(
            Integer failureRateThreshold,
            Integer slidingWindowSize,
            Integer minimumNumberOfCalls,
            Duration waitInOpenState) {

        public CircuitBreaker {
            failureRateThreshold = failureRateThreshold == null ? 50 : failureRateThreshold;
            slidingWindowSize = slidingWindowSize == null ? 50 : slidingWindowSize;
            minimumNumberOfCalls = minimumNumberOfCalls == null ? 20 : minimumNumberOfCalls;
            waitInOpenState = waitInOpenState == null ? Duration.ofSeconds(10) : waitInOpenState;
        }
    }
}
