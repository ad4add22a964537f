package fr.interieur.neogend.testkit;

import fr.interieur.neogend.kit.grpc.AuthInterceptor;
import fr.interieur.neogend.kit.grpc.CorrelationIdInterceptor;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A gRPC service behind the same interceptors as in production (correlation id, token and access
 * rule check, exception mapping), served in-process: fast tests of status codes without Spring or
 * a network.
 */
public final class InProcessGrpcServer implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;

    private InProcessGrpcServer(Server server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    public static InProcessGrpcServer serve(BindableService service) {
        String name = InProcessServerBuilder.generateName();
        try {
            Server server = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(ServerInterceptors.intercept(service,
                            new GrpcExceptionHandlerInterceptor(new GrpcErrorMapper()),
                            new AuthInterceptor(TestTokens.decoder()),
                            new CorrelationIdInterceptor()))
                    .build().start();
            return new InProcessGrpcServer(server, InProcessChannelBuilder.forName(name).directExecutor().build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
