package fr.interieur.neogend.gateway.transcoding;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.springframework.beans.factory.DisposableBean;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One long-lived gRPC channel per backend service, from {@code neogend.gateway.backends.<name>}
 * ({@code host:port}; in Kubernetes the Service DNS name).
 */
public class GrpcBackends implements DisposableBean {

    private final Map<String, ManagedChannel> channels = new HashMap<>();

    /**
     * @param eventLoops  the event loops the channels run on: the HTTP server's own, so a request
     *                    and its gRPC call stay on the same threads (no hand-over between loops)
     * @param channelType the socket channel class matching those loops (epoll or NIO)
     * @param observing   what observes the calls to a backend, given its target (none: nothing)
     */
    public GrpcBackends(
            Map<String, String> targets,
            Iterable<String> required,
            EventLoopGroup eventLoops,
            Class<? extends Channel> channelType,
            Function<String, List<ClientInterceptor>> observing) {
        for (String name : required) {
            String target = targets.get(name);
            if (target == null || target.isBlank()) {
                throw new IllegalStateException(
                        "no address for backend '" + name + "': set neogend.gateway.backends." + name + " (host:port)");
            }
            channels.put(
                    name,
                    NettyChannelBuilder.forTarget(target)
                            .usePlaintext()
                            .eventLoopGroup(eventLoops)
                            .channelType(channelType)
                            .directExecutor() // callbacks only complete a Mono: no blocking work on the loop
                            .keepAliveTime(60, TimeUnit.SECONDS)
                            // room for a refusal's field violations in the trailers (services keep theirs well below)
                            .maxInboundMetadataSize(64 * 1024)
                            // a delivery's check lists up to 20,000 problems (inventory's CheckDevices): ~2-5 MB
                            .maxInboundMessageSize(8 << 20)
                            // the call timed, a client span when the request is sampled, its context sent on
                            // (traceparent): the trace continues in the service
                            .intercept(observing.apply(target))
                            .build());
        }
    }

    public ManagedChannel channel(String backend) {
        ManagedChannel channel = channels.get(backend);
        if (channel == null) {
            throw new IllegalStateException("unknown backend " + backend);
        }
        return channel;
    }

    @Override
    public void destroy() throws InterruptedException {
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel c : channels.values()) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
