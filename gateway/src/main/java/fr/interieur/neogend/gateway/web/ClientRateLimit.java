package fr.interieur.neogend.gateway.web;

import reactor.core.publisher.Mono;

/**
 * The per-client request budget the {@link RateLimitFilter} applies: in this replica's memory
 * ({@link #local}) or shared by every replica through Redis ({@link RedisRateLimit}).
 */
public interface ClientRateLimit {

    boolean enabled();

    /** Takes a request from the client's budget, or says how long to wait. */
    Mono<RateLimiter.Decision> acquire(String client);

    /** The budget of this replica only. */
    static ClientRateLimit local(RateLimiter limiter) {
        return new ClientRateLimit() {
            @Override
            public boolean enabled() {
                return limiter.enabled();
            }

            @Override
            public Mono<RateLimiter.Decision> acquire(String client) {
                return Mono.just(limiter.acquire(client));
            }
        };
    }
}
