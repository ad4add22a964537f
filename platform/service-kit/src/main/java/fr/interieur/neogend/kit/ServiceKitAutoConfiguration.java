package fr.interieur.neogend.kit;

import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.grpc.CorrelationIdInterceptor;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Wires the service kit into every NéoGEND service: correlation ids and token/access checks on
 * every gRPC call, the exception mapper, and an HTTP side that serves only health probes.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration"})
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
    AuthInterceptor authInterceptor(JwtDecoder jwtDecoder) {
        return new AuthInterceptor(jwtDecoder);
    }

    @Bean
    GrpcErrorMapper grpcErrorMapper() {
        return new GrpcErrorMapper();
    }

    /** The HTTP port serves health probes only; everything else is refused. */
    @Bean
    SecurityFilterChain probesOnly(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .anyRequest().denyAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }
}
