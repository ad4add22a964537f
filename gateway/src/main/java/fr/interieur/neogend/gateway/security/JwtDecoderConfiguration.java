package fr.interieur.neogend.gateway.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;

/**
 * How the gateway checks a token: RS256 signature against the realm's JWKS (fetched once, cached,
 * refreshed only for an unknown key id — never a call to Keycloak per request), issuer, audience
 * {@code neogend-api} among the token's audiences, and expiry with a small clock skew. Verified
 * tokens are remembered until they expire ({@link CachingReactiveJwtDecoder}).
 */
@Configuration(proxyBeanMethods = false)
public class JwtDecoderConfiguration {

    @Bean
    ReactiveJwtDecoder reactiveJwtDecoder(
            @Value("${spring.security.oauth2.resourceserver.jwt.jwk-set-uri}") String jwkSetUri,
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
            @Value("${neogend.gateway.audience:neogend-api}") String audience,
            @Value("${neogend.gateway.clock-skew:30s}") Duration clockSkew) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(clockSkew),
                new JwtIssuerValidator(issuer),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(audience))));
        return new CachingReactiveJwtDecoder(decoder, Clock.systemUTC(), 10_000);
    }
}
