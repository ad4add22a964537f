package fr.interieur.neogend.gateway.transcoding;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import org.springframework.beans.factory.DisposableBean;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived gRPC channel per backend service, from {@code neogend.gateway.backends.<name>}
 * ({@code host:port}; in Kubernetes the Service DNS name).
 */
public class GrpcBackends implements DisposableBean {

    private final Map<String, ManagedChannel> channels = new HashMap<>();

    public GrpcBackends(Map<String, String> targets, Iterable<String> required) {
        for (String name : required) {
            String target = targets.get(name);
            if (target == null || target.isBlank()) {
                throw new IllegalStateException("no address for backend '" + name
                        + "': set neogend.gateway.backends." + name + " (host:port)");
            }
            channels.put(name, NettyChannelBuilder.forTarget(target).usePlaintext()
                    .keepAliveTime(60, TimeUnit.SECONDS).build());
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
