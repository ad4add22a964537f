package fr.interieur.neogend.gateway.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedJwkSourceTest {

    static SignedJWT token(String kid) {
        return new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), new JWTClaimsSet.Builder().build());
    }

    @Test
    void unknownKeyIdsFetchTheSetAtMostOncePerInterval() throws Exception {
        RSAKey realm = new RSAKeyGenerator(2048).keyID("realm").generate();
        AtomicReference<String> served = new AtomicReference<>(new JWKSet(realm.toPublicJWK()).toString());
        AtomicInteger fetches = new AtomicInteger();
        AtomicLong now = new AtomicLong();
        var source = new RateLimitedJwkSource(
                () -> {
                    fetches.incrementAndGet();
                    return Mono.just(served.get());
                },
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofMinutes(10),
                now::get);

        assertThat(source.apply(token("realm")).collectList().block()).hasSize(1);
        assertThat(fetches).hasValue(1);
        for (int i = 0; i < 1000; i++) { // a flood of made-up key ids within the interval
            assertThat(source.apply(token("made-up-" + i)).collectList().block())
                    .isEmpty();
        }
        assertThat(fetches).as("no fetch within 30 s of the last").hasValue(1);
        // a key Keycloak rotated in is found once the interval has passed
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("rotated").generate();
        served.set(new JWKSet(java.util.List.of(realm.toPublicJWK(), rotated.toPublicJWK())).toString());
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(source.apply(token("rotated")).collectList().block()).hasSize(1);
        assertThat(fetches).hasValue(2);
        // known keys never fetch, until the set is old
        for (int i = 0; i < 100; i++) {
            source.apply(token("realm")).collectList().block();
        }
        assertThat(fetches).hasValue(2);
        now.addAndGet(Duration.ofMinutes(11).toNanos());
        source.apply(token("realm")).collectList().block();
        assertThat(fetches).as("refreshed at 10 minutes").hasValue(3);
    }

    @Test
    void aFailedFetchKeepsTheKeysItHas() throws Exception {
        RSAKey realm = new RSAKeyGenerator(2048).keyID("realm").generate();
        AtomicInteger fetches = new AtomicInteger();
        AtomicLong now = new AtomicLong();
        var source = new RateLimitedJwkSource(
                () -> fetches.incrementAndGet() == 1
                        ? Mono.just(new JWKSet(realm.toPublicJWK()).toString())
                        : Mono.error(new IllegalStateException("Keycloak down")),
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofMinutes(10),
                now::get);
        assertThat(source.apply(token("realm")).collectList().block()).hasSize(1);
        now.addAndGet(Duration.ofMinutes(11).toNanos());
        assertThat(source.apply(token("realm")).collectList().block())
                .as("old keys while Keycloak is down")
                .hasSize(1);
        assertThat(fetches).hasValue(2);
    }
}
