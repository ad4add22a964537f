package fr.interieur.neogend.gateway.transcoding;

import fr.interieur.neogend.gateway.GatewayProperties;
import fr.interieur.neogend.gateway.web.RequestObservations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

import java.util.List;

/** The transcoding filter and what it needs. */
@Configuration(proxyBeanMethods = false)
public class TranscodingConfiguration {

    @Bean
    RouteTable routeTable() {
        return RouteTable.fromClasspath();
    }

    @Bean
    GrpcBackends grpcBackends(
            GatewayProperties properties,
            RouteTable routes,
            ObservationRegistry observations,
            ObjectProvider<MeterRegistry> meters,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        // observed unless switched off like any observation (management.observations.enable.grpc.client)
        MeterRegistry registry = meters.getIfAvailable();
        boolean observed = RequestObservations.observed("grpc.client", observations, registry);
        LoopResources loops = HttpResources.get(); // the resources the Reactor Netty server runs on
        EventLoopGroup group = loops.onServer(LoopResources.hasNativeSupport());
        return new GrpcBackends(
                properties.backends(),
                routes.backends(),
                group,
                loops.onChannelClass(SocketChannel.class, group),
                target -> observed
                        ? List.of(new BackendCallObservations(
                                registry, tracer.getIfAvailable(), propagator.getIfAvailable(), target))
                        : List.of());
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
