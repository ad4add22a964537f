package fr.interieur.neogend.inventory.telemetryclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import io.grpc.ManagedChannel;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;

/** The channel to the telemetry service (plain text inside the cluster's network policies; calls observed). */
@Component
class TelemetryChannel implements DisposableBean {

    private final PeerChannel peer;

    TelemetryChannel(
            @Value("${neogend.outbox.telemetry-target:localhost:9095}") String target,
            ObservationRegistry observations) {
        this.peer = new PeerChannel("telemetry", target, Duration.ofSeconds(10), observations);
    }

    ManagedChannel channel() {
        return peer.channel();
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
