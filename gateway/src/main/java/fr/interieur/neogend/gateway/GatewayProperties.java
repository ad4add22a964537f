package fr.interieur.neogend.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.Map;

/**
 * Gateway settings ({@code neogend.gateway.*}).
 *
 * @param backends     gRPC address (host:port) of each service, by the name in its proto package
 * @param deadline     deadline of each gRPC call made for a REST request
 * @param maxBodyBytes largest REST request body accepted
 */
@ConfigurationProperties("neogend.gateway")
public record GatewayProperties(Map<String, String> backends, Duration deadline, Integer maxBodyBytes) {

    public GatewayProperties {
        backends = backends == null ? Map.of() : Map.copyOf(backends);
        deadline = deadline == null ? Duration.ofSeconds(10) : deadline;
        maxBodyBytes = maxBodyBytes == null ? 4 * 1024 * 1024 : maxBodyBytes;
    }
}
