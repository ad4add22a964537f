package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * The channel to the inventory service (plain text inside the cluster's network policies; calls observed).
 * Inventory moves packs to a successor only through this service: the calls carry this service's own
 * token besides the fleet manager's (ADR 0030).
 */
@Component
class InventoryChannel implements DisposableBean {

    private final PeerChannel peer;

    InventoryChannel(
            @Value("${neogend.inventory.target:localhost:9091}") String target,
            @Value("${neogend.inventory.deadline:60s}") Duration deadline,
            ObservationRegistry observations,
            ServiceTokenSource serviceAccount) {
        this.peer = new PeerChannel("inventory", target, deadline, observations, serviceAccount);
    }

    PeerChannel peer() {
        return peer;
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
