package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;

/** The channel to the inventory service (plain text inside the cluster's network policies). */
@Component
class InventoryChannel implements DisposableBean {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;

    private final PeerChannel peer;

    InventoryChannel(@Value("${neogend.inventory.target:localhost:9091}") String target,
                     @Value("${neogend.inventory.deadline:60s}") Duration deadline, ObservationRegistry observations) {
        this.peer = new PeerChannel("inventory", target, deadline, observations);
        this.channel = peer.channel();
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
        peer.close();
    }
}
