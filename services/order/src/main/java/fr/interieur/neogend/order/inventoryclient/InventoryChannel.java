package fr.interieur.neogend.order.inventoryclient;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.concurrent.TimeUnit;

/** The channel to the inventory service (plain text inside the cluster's network policies). */
@Component
class InventoryChannel implements DisposableBean {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;

    InventoryChannel(@Value("${neogend.inventory.target:localhost:9091}") String target) {
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(16 << 20).build();
    }

    ManagedChannel channel() {
        return channel;
    }

    /** Headers carrying a token: calls on the caller's behalf (inventory checks it again). */
    static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return headers;
    }

    @Override
    public void destroy() throws InterruptedException {
        channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
}
