package fr.interieur.neogend.testkit;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gRPC plumbing every {@link ServiceIT} shared by copy: a channel to the service under test
 * (its random gRPC port, read from the test's Spring context) opened before each test and closed
 * after it, and stubs that call as a given token.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ServiceClients clients = new ServiceClients();
 * ...
 * var fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
 * }</pre>
 *
 * The channel is open in {@code @BeforeEach} methods (extensions run first) and in the test.
 */
public final class ServiceClients implements BeforeEachCallback, AfterEachCallback {

    private ManagedChannel channel;

    @Override
    public void beforeEach(ExtensionContext context) {
        Integer port = SpringExtension.getApplicationContext(context)
                .getEnvironment()
                .getProperty("local.grpc.server.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException("no local.grpc.server.port: is the test a @ServiceIT?");
        }
        channel = GrpcTestClients.channel(port);
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
    }

    /** The channel of the current test. */
    public ManagedChannel channel() {
        if (channel == null) {
            throw new IllegalStateException("the channel is open during a test only");
        }
        return channel;
    }

    /** A stub on the current test's channel sending {@code authorization: Bearer <token>}. */
    public <S extends AbstractStub<S>> S as(String token, Function<Channel, S> stub) {
        return GrpcTestClients.withToken(stub.apply(channel()), token);
    }

    /**
     * A stub on the current test's channel calling as a user through another service: the user's
     * token, and the service's own ({@link TestTokens#peer}) as the proof of RPCs called only
     * through it (ADR 0030).
     */
    public <S extends AbstractStub<S>> S through(String service, String token, Function<Channel, S> stub) {
        return GrpcTestClients.withTokens(stub.apply(channel()), token, TestTokens.peer(service));
    }
}
