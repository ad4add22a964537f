package fr.interieur.neogend.gateway.security;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers tokens already verified until they expire, so a client sending the same token many
 * times pays the signature check and claim parsing once. A hit is still refused once the token's
 * own expiry has passed (no clock skew on hits). Bounded: the cache is emptied when full.
 * A key removed from the realm's JWKS stops working for cached tokens only when they expire (at
 * most the access-token lifespan, 5 minutes in the realm).
 */
public final class CachingReactiveJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder delegate;
    private final Clock clock;
    private final int maxEntries;
    private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

    CachingReactiveJwtDecoder(ReactiveJwtDecoder delegate, Clock clock, int maxEntries) {
        this.delegate = delegate;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    /** Whether the token was verified already and has not expired: a map lookup, nothing more. */
    public boolean knows(String token) {
        Jwt known = verified.get(token);
        return known != null && known.getExpiresAt() != null && clock.instant().isBefore(known.getExpiresAt());
    }

    /** Forgets a token a service refused: its next use is verified again. */
    public void forget(String token) {
        verified.remove(token);
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Jwt known = verified.get(token);
        if (known != null) {
            if (known.getExpiresAt() != null && clock.instant().isBefore(known.getExpiresAt())) {
                return Mono.just(known);
            }
            verified.remove(token);
        }
        return delegate.decode(token)
                // anything but a verdict on the token (Keycloak's keys cannot be fetched: down, slow, a 5xx) is no
                // reason to refuse it, nor an internal error: it becomes the resource server's "service" failure,
                // answered 503 with Retry-After (SecurityConfiguration)
                .onErrorMap(e -> !(e instanceof JwtException), CachingReactiveJwtDecoder::keysUnavailable)
                .doOnNext(jwt -> {
                    if (jwt.getExpiresAt() != null) {
                        if (verified.size() >= maxEntries) {
                            verified.clear();
                        }
                        verified.put(token, jwt);
                    }
                });
    }

    private static JwtException keysUnavailable(Throwable cause) {
        return new JwtException("the realm's signing keys cannot be obtained now", cause);
    }
}
