package fr.interieur.neogend.training.keycloakclient;

import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.training.technician.TechnicianDirectory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.time.Duration;

/** The realm's technicians, read through Keycloak's admin API (see {@link KeycloakTechnicianDirectory}). */
@Configuration(proxyBeanMethods = false)
class TechnicianDirectoryConfiguration {

    @Bean
    TechnicianDirectory technicianDirectory(
            @Value("${neogend.technicians.admin-url:}") String adminUrl,
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
            @Value("${neogend.technicians.cache-ttl:60s}") Duration ttl,
            @Value("${neogend.technicians.timeout:5s}") Duration timeout,
            ServiceTokenSource tokens) {
        // by default beside the issuer: …/realms/neogend → …/admin/realms/neogend
        String admin = adminUrl.isBlank() ? issuer.replaceFirst("/realms/([^/]+)/?$", "/admin/realms/$1") : adminUrl;
        return new KeycloakTechnicianDirectory(URI.create(admin), tokens, ttl, timeout);
    }
}
