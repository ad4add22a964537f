package fr.interieur.neogend.kit.grpc;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.security.Caller;
import io.grpc.Context;

/** Where {@link AuthInterceptor} leaves the verified caller for the gRPC service methods. */
public final class CallerContext {

    static final Context.Key<Caller> KEY = Context.key("neogend-caller");

    private CallerContext() {
    }

    /** The caller of the current gRPC call; every method behind the interceptor has one. */
    public static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new AccessDeniedException("no authenticated caller");
        }
        return caller;
    }
}
