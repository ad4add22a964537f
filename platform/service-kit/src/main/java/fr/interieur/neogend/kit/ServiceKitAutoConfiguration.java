package fr.interieur.neogend.kit;

import fr.interieur.neogend.kit.audit.AuditInterceptor;
import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.grpc.CorrelationIdInterceptor;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import fr.interieur.neogend.kit.grpc.RequestRulesInterceptor;
import fr.interieur.neogend.kit.idempotency.IdempotencyInterceptor;
import fr.interieur.neogend.kit.idempotency.IdempotencyStore;
import fr.interieur.neogend.kit.jdbc.CallBoundJdbcTemplate;
import fr.interieur.neogend.kit.security.DeviceAuthenticator;
import fr.interieur.neogend.kit.serviceaccount.ClientCredentialsTokenSource;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

import javax.sql.DataSource;
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
            // the kit's JdbcTemplate, bounded by each call's deadline, takes the place of Boot's
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration"
        })
@EnableConfigurationProperties(JdbcProperties.class)
public class ServiceKitAutoConfiguration {

    /**
     * Boot's JdbcTemplate (the same {@code spring.jdbc.template.*} settings), whose statements a gRPC call
     * runs are bounded by the call's deadline ({@link CallBoundJdbcTemplate}).
     */
    @Bean
    @ConditionalOnMissingBean(JdbcOperations.class)
    JdbcTemplate jdbcTemplate(
            DataSource dataSource, JdbcProperties properties, ObjectProvider<SQLExceptionTranslator> translator) {
        JdbcTemplate template = new CallBoundJdbcTemplate(dataSource);
        JdbcProperties.Template settings = properties.getTemplate();
        template.setIgnoreWarnings(settings.isIgnoreWarnings());
        template.setFetchSize(settings.getFetchSize());
        template.setMaxRows(settings.getMaxRows());
        if (settings.getQueryTimeout() != null) {
            template.setQueryTimeout((int) settings.getQueryTimeout().getSeconds());
        }
        template.setSkipResultsProcessing(settings.isSkipResultsProcessing());
        template.setSkipUndeclaredResults(settings.isSkipUndeclaredResults());
        template.setResultsMapCaseInsensitive(settings.isResultsMapCaseInsensitive());
        translator.ifUnique(template::setExceptionTranslator);
        return template;
    }

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
