package fr.interieur.neogend.gateway.security;

import fr.interieur.neogend.gateway.web.CorrelationIdFilter;
import fr.interieur.neogend.gateway.web.Problems;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

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

    /** Spring's strict firewall, with its header rule evaluated without a regular expression. */
    @Bean
    ServerWebExchangeFirewall serverWebExchangeFirewall() {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        firewall.setAllowedHeaderNames(FastSecurityChecks::headerNameAllowed);
        firewall.setAllowedHeaderValues(FastSecurityChecks::headerValueAllowed);
        return firewall;
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
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }
}
