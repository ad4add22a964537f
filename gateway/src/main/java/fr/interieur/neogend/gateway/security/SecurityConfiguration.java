package fr.interieur.neogend.gateway.security;

import fr.interieur.neogend.gateway.web.CorrelationIdFilter;
import fr.interieur.neogend.gateway.web.Problems;
import fr.interieur.neogend.gateway.web.RateLimitFilter;
import fr.interieur.neogend.gateway.web.RateLimiter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import fr.interieur.neogend.gateway.console.ConsoleProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

import java.time.Duration;
import java.util.List;

/**
 * The gateway is an OAuth2 resource server: every API call needs a valid Keycloak access token
 * (signature against the cached JWKS, issuer, audience {@code neogend-api}, expiry). Only health
 * probes are open; anything not listed is refused. Services check the token again.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {

    @Bean
    CorrelationIdFilter correlationIdFilter() {
        return new CorrelationIdFilter();
    }

    /** Requests per client: {@code burst} at once, then {@code requests-per-second} (0: no limit). */
    @Bean
    RateLimitFilter rateLimitFilter(@Value("${neogend.gateway.rate-limit.requests-per-second:50}") double perSecond,
                                    @Value("${neogend.gateway.rate-limit.burst:100}") int burst) {
        return new RateLimitFilter(new RateLimiter(perSecond, burst, System::nanoTime));
    }

    /**
     * Cross-origin calls only from the configured front-end origins (none by default): a browser
     * page from anywhere else gets no CORS answer, and its requests are refused (403).
     */
    @Bean
    CorsConfigurationSource corsConfigurationSource(@Value("${neogend.gateway.cors.allowed-origins:}") List<String> origins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        List<String> allowed = origins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        CorsConfiguration api = new CorsConfiguration();
        api.setAllowedOrigins(allowed);
        api.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        api.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id",
                "traceparent"));
        api.setExposedHeaders(List.of("X-Correlation-Id", "Retry-After", "Content-Disposition"));
        api.setMaxAge(Duration.ofHours(1));
        source.registerCorsConfiguration("/api/**", api);
        return source;
    }

    /** Spring's strict firewall, with its header rule evaluated without a regular expression. */
    @Bean
    ServerWebExchangeFirewall serverWebExchangeFirewall() {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        firewall.setAllowedHeaderNames(FastSecurityChecks::headerNameAllowed);
        firewall.setAllowedHeaderValues(FastSecurityChecks::headerValueAllowed);
        return firewall;
    }

    /**
     * The API reference (OpenAPI document and its Swagger UI page): public, read-only, with a policy
     * that lets the page load its own scripts and styles and nothing from elsewhere.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain apiReferenceFilterChain(ServerHttpSecurity http) {
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, "/api/v1/openapi.json",
                        "/api/docs", "/api/docs/**"))
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; img-src 'self' data:; "
                                + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    /**
     * The fleet console's static pages and settings: public (the data comes from the API with the
     * user's token), read-only, under a policy that allows its own scripts and styles, calls to the
     * gateway and Keycloak's token endpoint, and images from the configured tile server only.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    SecurityWebFilterChain consoleFilterChain(ServerHttpSecurity http, ConsoleProperties console) {
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, "/console", "/console/**"))
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(console.contentSecurityPolicy()))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER))
                        .hsts(hsts -> hsts.maxAge(Duration.ofDays(365)).includeSubdomains(true)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
        return http
                .authorizeExchange(ex -> ex
                        .pathMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**").permitAll()
                        // scraped inside the cluster (the Ingress routes /api only; NetworkPolicy)
                        .pathMatchers(HttpMethod.GET, "/actuator/prometheus").permitAll()
                        // devices send their own credential (Authorization: Device …), which only the
                        // telemetry service can check: the gateway lets this one route through to it
                        .pathMatchers(HttpMethod.POST, "/api/v1/device-readings").permitAll()
                        .pathMatchers("/api/**").authenticated()
                        .anyExchange().denyAll())
                .oauth2ResourceServer(rs -> rs
                        .bearerTokenConverter(new FastSecurityChecks.BearerTokenConverter())
                        .jwt(jwt -> { })
                        .authenticationEntryPoint((exchange, e) -> {
                            exchange.getResponse().getHeaders().set("WWW-Authenticate", "Bearer realm=\"neogend\"");
                            return Problems.write(exchange.getResponse(), 401, "UNAUTHENTICATED",
                                    "a valid bearer token is required", exchange.getRequest().getPath().value(),
                                    CorrelationIdFilter.of(exchange), List.of());
                        })
                        .accessDeniedHandler((exchange, e) -> Problems.write(exchange.getResponse(), 403,
                                "PERMISSION_DENIED", "access denied", exchange.getRequest().getPath().value(),
                                CorrelationIdFilter.of(exchange), List.of())))
                .exceptionHandling(ex -> ex.accessDeniedHandler((exchange, e) -> Problems.write(
                        exchange.getResponse(), 403, "PERMISSION_DENIED", "access denied",
                        exchange.getRequest().getPath().value(), CorrelationIdFilter.of(exchange), List.of())))
                .cors(Customizer.withDefaults())
                // an API: nothing to frame, sniff, cache or refer to; HSTS where TLS ends at us
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER))
                        .hsts(hsts -> hsts.maxAge(Duration.ofDays(365)).includeSubdomains(true)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }
}
