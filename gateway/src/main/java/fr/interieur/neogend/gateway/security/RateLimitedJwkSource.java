package fr.interieur.neogend.gateway.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The realm's signing keys for the gateway's token checks, fetched from Keycloak's JWKS and kept.
 * A token whose key id is not among them makes the gateway fetch the set again — at most once per
 * {@code minInterval} (30 s by default: two fetches a minute, whatever the number of tokens with
 * made-up key ids), so a flood of such tokens cannot turn into a flood of calls to Keycloak; a key
 * Keycloak rotates in is known within that interval. The set is also refreshed when it is older than
 * {@code maxAge} (keys Keycloak removed stop being trusted). One fetch at a time; while none has
 * succeeded yet (Keycloak down at start), a fetch is tried at most every {@code startupInterval}.
 */
final class RateLimitedJwkSource implements Function<SignedJWT, Flux<JWK>> {

    private final Supplier<Mono<String>> fetch;
    private final long minIntervalNanos;
    private final long startupIntervalNanos;
    private final long maxAgeNanos;
    private final LongSupplier nanos;
    private volatile JWKSet keys;
    private volatile long fetchedAt;
    private volatile long lastAttempt;
    private volatile boolean attempted;
    private final AtomicReference<Mono<JWKSet>> inFlight = new AtomicReference<>();
    private final AtomicLong fetches = new AtomicLong();

    RateLimitedJwkSource(
            Supplier<Mono<String>> fetch,
            Duration minInterval,
            Duration startupInterval,
            Duration maxAge,
            LongSupplier nanos) {
        this.fetch = fetch;
        this.minIntervalNanos = minInterval.toNanos();
        this.startupIntervalNanos = startupInterval.toNanos();
        this.maxAgeNanos = maxAge.toNanos();
        this.nanos = nanos;
    }

    @Override
    public Flux<JWK> apply(SignedJWT jwt) {
        long now = nanos.getAsLong();
        JWKSet current = keys;
        if (current != null) {
            List<JWK> match = select(current, jwt);
            boolean stale = now - fetchedAt > maxAgeNanos;
            if (!match.isEmpty() && !stale || !mayFetch(now)) {
                return Flux.fromIterable(match);
            }
        } else if (!mayFetch(now)) {
            return Flux.error(new IllegalStateException("the realm's keys could not be fetched yet"));
        }
        return refresh(now)
                .map(set -> select(set, jwt))
                .onErrorResume(e -> current == null ? Mono.error(e) : Mono.just(select(current, jwt)))
                .flatMapMany(Flux::fromIterable);
    }

    private boolean mayFetch(long now) {
        return !attempted || now - lastAttempt >= (keys == null ? startupIntervalNanos : minIntervalNanos);
    }

    private Mono<JWKSet> refresh(long now) {
        Mono<JWKSet> running = inFlight.get();
        if (running != null) {
            return running;
        }
        Mono<JWKSet> next = Mono.defer(() -> {
                    fetches.incrementAndGet();
                    return fetch.get();
                })
                .map(RateLimitedJwkSource::parse)
                .doOnNext(set -> {
                    keys = set;
                    fetchedAt = nanos.getAsLong();
                })
                .doFinally(s -> inFlight.set(null))
                .cache();
        if (!inFlight.compareAndSet(null, next)) {
            return inFlight.get() == null ? Mono.justOrEmpty(keys) : inFlight.get();
        }
        attempted = true;
        lastAttempt = now;
        return next;
    }

    private static JWKSet parse(String json) {
        try {
            return JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("the realm's JWKS is not a key set", e);
        }
    }

    private static List<JWK> select(JWKSet set, SignedJWT jwt) {
        return new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())).select(set);
    }

    /** How many times the key set was fetched (for tests and metrics). */
    long fetches() {
        return fetches.get();
    }
}
