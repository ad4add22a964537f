package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.gateway.GatewayProperties;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/** The transcoding filter and what it needs. */
@Configuration(proxyBeanMethods = false)
public class TranscodingConfiguration {

    @Bean
    RouteTable routeTable() {
        return RouteTable.fromClasspath();
    }

    @Bean
    GrpcBackends grpcBackends(GatewayProperties properties, RouteTable routes, ObservationRegistry observations) {
        LoopResources loops = HttpResources.get(); // the resources the Reactor Netty server runs on
        EventLoopGroup group = loops.onServer(LoopResources.hasNativeSupport());
        return new GrpcBackends(
                properties.backends(),
                routes.backends(),
                group,
                loops.onChannelClass(SocketChannel.class, group),
                observations);
    }

    @Bean
    GrpcTranscodingGatewayFilterFactory grpcTranscodingGatewayFilterFactory(
            RouteTable routes, GrpcBackends backends, GatewayProperties properties) {
        return new GrpcTranscodingGatewayFilterFactory(
                routes,
                backends,
                new BackendCircuitBreakers(properties.circuitBreaker()),
                properties.deadline(),
                properties.downloadDeadline(),
                properties.maxBodyBytes(),
                properties.deviceMaxBodyBytes());
    }
}
