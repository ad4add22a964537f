package fr.interieur.neogend.kit;

import fr.interieur.neogend.kit.audit.AuditInterceptor;
import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.grpc.CorrelationIdInterceptor;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import fr.interieur.neogend.kit.grpc.RequestRulesInterceptor;
import fr.interieur.neogend.kit.idempotency.IdempotencyInterceptor;
import fr.interieur.neogend.kit.idempotency.IdempotencyStore;
import fr.interieur.neogend.kit.security.DeviceAuthenticator;
import fr.interieur.neogend.kit.serviceaccount.ClientCredentialsTokenSource;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Wires the service kit into every NéoGEND service: correlation ids and token/access checks on
 * every gRPC call, the exception mapper, and an HTTP side that serves only health probes.
 */
@AutoConfiguration(
        beforeName = {
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration"
        })
public class ServiceKitAutoConfiguration {

    @Bean
    @GlobalServerInterceptor
    @Order(0)
    CorrelationIdInterceptor correlationIdInterceptor() {
        return new CorrelationIdInterceptor();
    }

    @Bean
    @GlobalServerInterceptor
    @Order(10)
    AuthInterceptor authInterceptor(JwtDecoder jwtDecoder, Optional<DeviceAuthenticator> devices) {
        return new AuthInterceptor(jwtDecoder, devices);
    }

    @Bean
    IdempotencyStore idempotencyStore(
            JdbcClient jdbc,
            @Value("${neogend.idempotency.retention:24h}") Duration retention,
            @Value("${neogend.idempotency.stale-after:5m}") Duration staleAfter) {
        return new IdempotencyStore(jdbc, retention, staleAfter);
    }

    /** After the token check (it needs the caller): Idempotency-Key on creating calls. */
    /** After authentication (the caller is known), before idempotency (a replayed answer is audited too). */
    @Bean
    @GlobalServerInterceptor
    @Order(15)
    AuditInterceptor auditInterceptor(JdbcClient jdbc) {
        return new AuditInterceptor(jdbc);
    }

    /**
     * After the audit (a refused request is recorded too), before idempotency and the service: the
     * rules every request field declares in the proto.
     */
    @Bean
    @GlobalServerInterceptor
    @Order(17)
    RequestRulesInterceptor requestRulesInterceptor() {
        return new RequestRulesInterceptor();
    }

    @Bean
    @GlobalServerInterceptor
    @Order(20)
    IdempotencyInterceptor idempotencyInterceptor(IdempotencyStore store) {
        return new IdempotencyInterceptor(store);
    }

    /** This service's own identity for calls on its own behalf (Keycloak client credentials). */
    @Bean
    @ConditionalOnMissingBean
    ServiceTokenSource serviceTokenSource(
            @Value(
                            "${neogend.service-account.token-uri:${spring.security.oauth2.resourceserver.jwt.issuer-uri}/protocol/openid-connect/token}")
                    URI tokenUri,
            @Value("${neogend.service-account.client-id:neogend-${spring.application.name}}") String clientId,
            @Value("${neogend.service-account.client-secret:}") String clientSecret) {
        return new ClientCredentialsTokenSource(tokenUri, clientId, clientSecret, Clock.systemUTC());
    }

    @Bean
    GrpcErrorMapper grpcErrorMapper() {
        return new GrpcErrorMapper();
    }

    /**
     * The HTTP port serves health probes and Prometheus metrics only (inside the cluster: the chart's
     * NetworkPolicy lets only the kubelet's probes and the configured Prometheus reach it); everything
     * else is refused.
     */
    @Bean
    SecurityFilterChain probesOnly(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(
                        auth -> auth.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus")
                                .permitAll()
                                .anyRequest()
                                .denyAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }
}
