package fr.interieur.neogend.kit.grpc;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.security.Caller;
import io.grpc.Context;

/** Where {@link AuthInterceptor} leaves the verified caller for the gRPC service methods. */
public final class CallerContext {

    static final Context.Key<Caller> KEY = Context.key("neogend-caller");
    static final Context.Key<String> TOKEN = Context.key("neogend-caller-token");
    static final Context.Key<String> PEER = Context.key("neogend-peer");

    private CallerContext() {}

    /** The caller of the current gRPC call if there is one (for interceptors after the auth one). */
    public static java.util.Optional<Caller> find() {
        return java.util.Optional.ofNullable(KEY.get());
    }

    /** The caller of the current gRPC call; every method behind the interceptor has one. */
    public static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new AccessDeniedException("no authenticated caller");
        }
        return caller;
    }

    /**
     * The service (its Keycloak client, e.g. {@code neogend-accessories}) that makes the current call on
     * its caller's behalf, proved by that service's own token ({@code x-neogend-peer-authorization},
     * ADR 0030); empty when the caller calls directly (through the gateway) or sent no proof.
     */
    public static java.util.Optional<String> peer() {
        return java.util.Optional.ofNullable(PEER.get());
    }

    /**
     * The verified bearer token of the current call, to call another service on the caller's behalf
     * (that service checks it again). Never log it.
     */
    public static String bearerToken() {
        String token = TOKEN.get();
        if (token == null) {
            throw new AccessDeniedException("no authenticated caller");
        }
        return token;
    }
}
