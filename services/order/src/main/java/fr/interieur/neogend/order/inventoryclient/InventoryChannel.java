package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;

/** The channel to the inventory service (plain text inside the cluster's network policies; calls observed). */
@Component
class InventoryChannel implements DisposableBean {

    private final PeerChannel peer;

    InventoryChannel(
            @Value("${neogend.inventory.target:localhost:9091}") String target,
            @Value("${neogend.inventory.deadline:60s}") Duration deadline,
            ObservationRegistry observations) {
        this.peer = new PeerChannel("inventory", target, deadline, observations);
    }

    PeerChannel peer() {
        return peer;
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
