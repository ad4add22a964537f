package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The transcoding filter and what it needs. */
@Configuration(proxyBeanMethods = false)
public class TranscodingConfiguration {

    @Bean
    RouteTable routeTable() {
        return RouteTable.fromClasspath();
    }

    @Bean
    GrpcBackends grpcBackends(GatewayProperties properties, RouteTable routes) {
        return new GrpcBackends(properties.backends(), routes.backends());
    }

    @Bean
    GrpcTranscodingGatewayFilterFactory grpcTranscodingGatewayFilterFactory(RouteTable routes, GrpcBackends backends,
                                                                          GatewayProperties properties) {
        return new GrpcTranscodingGatewayFilterFactory(routes, backends, properties.deadline(),
                properties.maxBodyBytes());
    }
}
