package fr.interieur.neogend.gateway.web;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-client budget shared by every gateway replica (issue 21, ADR 0024): one token bucket per client
 * in Redis, taken from by an atomic script, timed by Redis's own clock (replicas' clocks never disagree on
 * a refill). Same semantics as {@link RateLimiter}: {@code burst} at once, then {@code perSecond}; a bucket
 * expires once it would be full again.
 *
 * <p>Redis unreachable or slower than {@code timeout}: the request is judged by this replica's own
 * {@link RateLimiter} (the budget as without Redis, per replica), counted in
 * {@code neogend_gateway_rate_limit_fallbacks_total} and logged once a minute at most — never refused
 * because Redis is down, never waiting on it.
 */
public final class RedisRateLimit implements ClientRateLimit, AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisRateLimit.class);

    /** KEYS[1] the bucket; ARGV rate per second, burst. Returns {1, 0} or {0, microseconds to wait}. */
    static final String SCRIPT = """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(b[1]) or burst
            local at = tonumber(b[2]) or now
            tokens = math.min(burst, tokens + math.max(0, now - at) / 1000000 * rate)
            local allowed = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              wait = math.ceil((1 - tokens) / rate * 1000000)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
            return {allowed, wait}""";

    private final RedisClient client;
    private final RedisURI uri;
    private final RateLimiter fallback;
    private final double perSecond;
    private final int burst;
    private final Duration timeout;
    private final Counter fallbacks;
    private final AtomicLong lastWarning = new AtomicLong();
    private final AtomicLong lastConnectAttempt = new AtomicLong();
    private volatile StatefulRedisConnection<String, String> connection;

    /**
     * @param url      {@code redis://[:password@]host:port[/database]} ({@code rediss://} for TLS)
     * @param fallback this replica's own limiter, used while Redis cannot answer
     */
    public RedisRateLimit(
            String url, double perSecond, int burst, Duration timeout, RateLimiter fallback, MeterRegistry meters) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a shared rate limit needs requests-per-second > 0 and burst >= 1");
        }
        this.uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while disconnected, fail at once (the fallback decides) instead of queueing
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        this.fallback = fallback;
        this.perSecond = perSecond;
        this.burst = burst;
        this.timeout = timeout;
        this.fallbacks = Counter.builder("neogend.gateway.rate_limit.fallbacks")
                .description("Requests judged by the replica's own limit because Redis did not answer")
                .register(meters);
        connection(); // at start when Redis is there; later otherwise
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Mono<RateLimiter.Decision> acquire(String clientId) {
        StatefulRedisConnection<String, String> c = connection();
        if (c == null) {
            return Mono.fromSupplier(() -> local(clientId, null));
        }
        return Mono.fromCompletionStage(() -> c.async()
                        .<List<Long>>eval(
                                SCRIPT,
                                ScriptOutputType.MULTI,
                                new String[] {"neogend:rate:" + clientId},
                                String.valueOf(perSecond),
                                String.valueOf(burst)))
                .timeout(timeout)
                .map(r -> r.get(0) == 1L
                        ? new RateLimiter.Decision(true, Duration.ZERO)
                        : new RateLimiter.Decision(false, Duration.ofNanos(r.get(1) * 1000)))
                .onErrorResume(e -> Mono.fromSupplier(() -> local(clientId, e)));
    }

    private RateLimiter.Decision local(String clientId, Throwable why) {
        fallbacks.increment();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > 60_000_000_000L && lastWarning.compareAndSet(last, now)) {
            log.warn(
                    "Redis did not answer the rate limit ({}): this replica limits on its own meanwhile",
                    why == null ? "not connected" : why.getClass().getSimpleName());
        }
        return fallback.acquire(clientId);
    }

    /**
     * Whether Redis is connected (the budget is shared); false while the replica limits on its own, and then
     * a connection is asked for in the background (as a request would), so a replica whose first attempt
     * failed — a handshake slower than the command timeout on a loaded machine — connects without traffic.
     */
    public boolean connected() {
        StatefulRedisConnection<String, String> c = connection();
        return c != null && c.isOpen();
    }

    /**
     * The connection, or null while there is none: a connection is then asked for in the background (at
     * most every 5 s), never waited for on a request's thread. Lettuce reconnects a connection it lost.
     */
    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        long now = System.nanoTime();
        long last = lastConnectAttempt.get();
        if ((last == 0 || now - last >= 5_000_000_000L) && lastConnectAttempt.compareAndSet(last, now)) {
            client.connectAsync(StringCodec.UTF8, uri).whenComplete((connected, failure) -> {
                if (failure != null) {
                    log.warn(
                            "Redis for the shared rate limit not reachable yet: {}",
                            failure.getClass().getSimpleName());
                } else {
                    connection = connected;
                }
            });
        }
        return null;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown();
    }
}
