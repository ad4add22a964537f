package fr.interieur.neogend.kit.grpc;

import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.observation.ObservationRegistry;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A channel to another service of the suite (plain text inside the cluster's network policies), and
 * the stubs to call it on the current caller's behalf: the caller's own token travels with the call
 * and the other service checks it and its roles again. Declare one as a bean per peer; Spring closes
 * it at shutdown. Calls are observed: the trace continues in the peer, and {@code grpc.client} metrics.
 *
 * <p>A channel made {@linkplain #PeerChannel(String, String, Duration, ObservationRegistry,
 * ServiceTokenSource) with this service's account} also sends, on the caller's behalf, this service's
 * own token in {@code x-neogend-peer-authorization}: the proof the peer asks on the RPCs that are
 * called only through this service (an access rule naming {@code peers}, ADR 0030).
 */
public final class PeerChannel implements AutoCloseable {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> PEER_AUTHORIZATION = AuthInterceptor.PEER_AUTHORIZATION;
    static final Metadata.Key<String> IDEMPOTENCY_KEY =
            Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

    private final String peer;
    private final ManagedChannel channel;
    private final Duration deadline;
    private final Optional<ServiceTokenSource> serviceAccount;

    /**
     * @param peer         the other service's name, for error messages
     * @param target       its gRPC address, host:port
     * @param deadline     the longest a call may take
     * @param observations each call is observed (a client span carrying the trace to the peer, and
     *                     the {@code grpc.client} metrics)
     */
    public PeerChannel(String peer, String target, Duration deadline, ObservationRegistry observations) {
        this(peer, target, deadline, observations, Optional.empty());
    }

    /**
     * A channel whose calls on a caller's behalf also carry this service's own token, for a peer whose
     * RPCs are called only through this service.
     *
     * @param serviceAccount this service's account (its Keycloak client); a call made while it has no
     *                       token goes without the proof and the peer refuses it (PERMISSION_DENIED)
     */
    public PeerChannel(
            String peer,
            String target,
            Duration deadline,
            ObservationRegistry observations,
            ServiceTokenSource serviceAccount) {
        this(peer, target, deadline, observations, Optional.of(serviceAccount));
    }

    private PeerChannel(
            String peer,
            String target,
            Duration deadline,
            ObservationRegistry observations,
            Optional<ServiceTokenSource> serviceAccount) {
        this.peer = peer;
        this.deadline = deadline;
        this.serviceAccount = serviceAccount;
        this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(16 << 20)
                .intercept(new ObservationGrpcClientInterceptor(observations))
                .build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /**
     * The stub, carrying the current caller's token and this peer's deadline (and, on a channel with
     * this service's account, its own token as the peer proof).
     */
    public <S extends AbstractStub<S>> S onCallersBehalf(S stub) {
        S withCallersToken = withToken(stub, CallerContext.bearerToken());
        Optional<String> own = serviceAccount.flatMap(ServiceTokenSource::token);
        if (own.isEmpty()) {
            return withCallersToken;
        }
        Metadata proof = new Metadata();
        proof.put(PEER_AUTHORIZATION, "Bearer " + own.get());
        return withCallersToken.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(proof));
    }

    /** The stub, carrying a token (e.g. a service account's) and this peer's deadline. */
    public <S extends AbstractStub<S>> S withToken(S stub, String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The stub, sending an {@code Idempotency-Key} (for RPCs that honour one: a repeat gets the first answer). */
    public static <S extends AbstractStub<S>> S withIdempotencyKey(S stub, String key) {
        Metadata headers = new Metadata();
        headers.put(IDEMPOTENCY_KEY, key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * Calls the peer once on the current caller's behalf; a failure is rethrown as {@link #failure}
     * says.
     */
    public <S extends AbstractStub<S>, T> T call(S stub, Function<S, T> rpc, String consequence) {
        try {
            return rpc.apply(onCallersBehalf(stub));
        } catch (StatusRuntimeException e) {
            throw failure(e, consequence);
        }
    }

    /**
     * Calls the peer on the current caller's behalf and, if it was unreachable, once more after
     * reconnecting at once (the channel may still be backing off from an earlier outage), waiting up
     * to 5 s for it. Only for calls that may be repeated: reads, and writes that are idempotent.
     */
    public <S extends AbstractStub<S>, T> T callIdempotent(S stub, Function<S, T> rpc, String consequence) {
        S withToken = onCallersBehalf(stub);
        try {
            return rpc.apply(withToken);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                throw failure(e, consequence);
            }
            channel.resetConnectBackoff();
            try {
                return rpc.apply(withToken
                        .withWaitForReady()
                        .withDeadlineAfter(Math.min(deadline.toMillis(), 5000), TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException again) {
                throw failure(again, consequence);
            }
        }
    }

    /**
     * Rethrows a failed call: the peer's own refusal as it came (its status and reason reach our
     * caller), an unreachable or slow peer as UNAVAILABLE saying what did not happen.
     *
     * @param consequence what the caller should know, e.g. "nothing was changed; try again later"
     */
    public StatusRuntimeException failure(StatusRuntimeException e, String consequence) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
            channel.resetConnectBackoff();
            return Status.UNAVAILABLE
                    .withDescription(peer + " is unavailable: " + consequence)
                    .asRuntimeException();
        }
        return e;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
}
