package fr.interieur.neogend.testkit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/** gRPC plumbing for tests: a plaintext channel to a local port, and stubs that carry a token. */
public final class GrpcTestClients {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final Metadata.Key<String> PEER_AUTHORIZATION =
            Metadata.Key.of("x-neogend-peer-authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcTestClients() {}

    public static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** The same stub, sending {@code authorization: Bearer <token>} with each call. */
    public static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * The same stub, sending a user's token and, as the peer proof of RPCs called only through
     * another service (ADR 0030), that service's own token in {@code x-neogend-peer-authorization}.
     */
    public static <S extends AbstractStub<S>> S withTokens(S stub, String token, String peerToken) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        headers.put(PEER_AUTHORIZATION, "Bearer " + peerToken);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
