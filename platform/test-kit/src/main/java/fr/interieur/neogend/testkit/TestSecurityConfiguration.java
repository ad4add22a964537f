package fr.interieur.neogend.testkit;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** Services under test trust {@link TestTokens}' key instead of Keycloak's. */
@TestConfiguration(proxyBeanMethods = false)
public class TestSecurityConfiguration {

    @Bean
    JwtDecoder testJwtDecoder() {
        return TestTokens.decoder();
    }
}
