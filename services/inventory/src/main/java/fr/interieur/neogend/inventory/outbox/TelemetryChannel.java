package fr.interieur.neogend.inventory.outbox;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.concurrent.TimeUnit;

/** The channel to the telemetry service (plain text inside the cluster's network policies). */
@Component
class TelemetryChannel implements DisposableBean {

    private final ManagedChannel channel;

    TelemetryChannel(@Value("${neogend.outbox.telemetry-target:localhost:9095}") String target) {
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void destroy() throws InterruptedException {
        channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
}
