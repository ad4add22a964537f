package fr.interieur.neogend.gateway.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;

/**
 * How the gateway checks a token: RS256 signature against the realm's JWKS (fetched once, kept;
 * fetched again for an unknown key id at most once per {@code neogend.gateway.jwks.min-refresh-interval},
 * 30 s — never a call to Keycloak per request, whatever key ids tokens make up), issuer, audience
 * {@code neogend-api} among the token's audiences, and expiry with a small clock skew. Verified
 * tokens are remembered until they expire ({@link CachingReactiveJwtDecoder}).
 */
@Configuration(proxyBeanMethods = false)
public class JwtDecoderConfiguration {

    @Bean
    CachingReactiveJwtDecoder reactiveJwtDecoder(
            @Value("${spring.security.oauth2.resourceserver.jwt.jwk-set-uri}") String jwkSetUri,
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
            @Value("${neogend.gateway.audience:neogend-api}") String audience,
            @Value("${neogend.gateway.clock-skew:30s}") Duration clockSkew,
            @Value("${neogend.gateway.jwks.min-refresh-interval:30s}") Duration minRefresh,
            @Value("${neogend.gateway.jwks.max-age:10m}") Duration maxAge) {
        WebClient web = WebClient.create();
        RateLimitedJwkSource keys = new RateLimitedJwkSource(
                () -> web.get()
                        .uri(jwkSetUri)
                        .retrieve()
                        .bodyToMono(String.class)
                        .timeout(Duration.ofSeconds(5)),
                minRefresh,
                Duration.ofSeconds(2),
                maxAge,
                System::nanoTime);
        NimbusReactiveJwtDecoder decoder =
                NimbusReactiveJwtDecoder.withJwkSource(keys).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(clockSkew),
                new JwtIssuerValidator(issuer),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(audience))));
        return new CachingReactiveJwtDecoder(decoder, Clock.systemUTC(), 10_000);
    }
}
