package fr.interieur.neogend.kit.idempotency;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import fr.interieur.neogend.common.v1.AccessRule;
import fr.interieur.neogend.kit.grpc.AccessRules;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.security.Caller;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Honours {@code Idempotency-Key} (gRPC metadata {@code idempotency-key}) on the RPCs whose access
 * rule says {@code honours_idempotency_key}: the first request with a key runs and its answer is
 * kept; a repeat with the same request gets that answer and creates nothing; the same key with
 * another request gets INVALID_ARGUMENT with ErrorInfo reason {@value #REUSED} (HTTP 422 at the
 * gateway); a repeat while the first runs gets ABORTED (409). Keys are per client (token subject) — or,
 * for a call a service makes on a user's behalf with its own token as proof (ADR 0030), per that
 * service: the keys it chooses (e.g. accessories' {@code stock-alert-<id>}) then mean the same thing
 * whichever of its users the call is made for.
 * A failed call frees its key. Runs after the token check (it needs the caller).
 */
public class IdempotencyInterceptor implements ServerInterceptor {

    public static final String REUSED = "IDEMPOTENCY_KEY_REUSED";
    public static final Metadata.Key<String> KEY = Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1,100}");
    private static final Logger log = LoggerFactory.getLogger(IdempotencyInterceptor.class);

    private final IdempotencyStore store;
    private final AccessRules rules = new AccessRules();

    public IdempotencyInterceptor(IdempotencyStore store) {
        this.store = store;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String key = headers.get(KEY);
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        if (key == null
                || method.getType() != MethodDescriptor.MethodType.UNARY
                || !rules.ruleOf(method)
                        .map(AccessRule::getHonoursIdempotencyKey)
                        .orElse(false)) {
            return next.startCall(call, headers);
        }
        if (!VALID.matcher(key).matches()) {
            call.close(
                    Status.INVALID_ARGUMENT.withDescription(
                            "Idempotency-Key must be 1 to 100 visible ASCII characters"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Caller caller = CallerContext.current();
        String scope = CallerContext.peer().map(p -> "peer:" + p).orElse(caller.subject());
        call.request(1);
        return new ServerCall.Listener<>() {
            private Q request;
            private ServerCall.Listener<Q> delegate;

            @Override
            public void onMessage(Q message) {
                request = message;
            }

            @Override
            public void onHalfClose() {
                if (request == null) {
                    call.close(Status.INVALID_ARGUMENT.withDescription("no request message"), new Metadata());
                    return;
                }
                String client = scope;
                byte[] hash = hash(method, request);
                switch (store.begin(client, key, method.getFullMethodName(), hash)) {
                    case IdempotencyStore.Begin.Fresh fresh -> run(client);
                    case IdempotencyStore.Begin.Replay replay -> {
                        call.sendHeaders(new Metadata());
                        call.sendMessage(method.parseResponse(new ByteArrayInputStream(replay.response())));
                        call.close(Status.OK, new Metadata());
                    }
                    case IdempotencyStore.Begin.Mismatch m -> {
                        StatusException e = StatusProto.toStatusException(com.google.rpc.Status.newBuilder()
                                .setCode(Code.INVALID_ARGUMENT_VALUE)
                                .setMessage("Idempotency-Key " + key + " was used already with another request; "
                                        + "use a new key for a new request")
                                .addDetails(Any.pack(ErrorInfo.newBuilder()
                                        .setReason(REUSED)
                                        .setDomain("neogend")
                                        .build()))
                                .build());
                        call.close(e.getStatus(), e.getTrailers());
                    }
                    case IdempotencyStore.Begin.InFlight f ->
                        call.close(
                                Status.ABORTED.withDescription(
                                        f.stale()
                                                ? "the first request with Idempotency-Key " + key
                                                        + " did not record its outcome; read "
                                                        + "the resource to see whether it was created before retrying with a new key"
                                                : "the first request with Idempotency-Key " + key
                                                        + " is still running; retry shortly"),
                                new Metadata());
                }
            }

            private void run(String client) {
                ServerCall<Q, R> recording = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    private byte[] response;

                    @Override
                    public void sendMessage(R message) {
                        response = bytes(method.streamResponse(message));
                        super.sendMessage(message);
                    }

                    @Override
                    public void close(Status status, Metadata trailers) {
                        try {
                            if (status.isOk() && response != null) {
                                store.complete(client, key, response);
                            } else {
                                store.release(client, key);
                            }
                        } catch (RuntimeException e) {
                            log.error("could not record the outcome of Idempotency-Key {}", key, e);
                        }
                        super.close(status, trailers);
                    }
                };
                try {
                    delegate = next.startCall(recording, headers);
                    delegate.onMessage(request);
                    delegate.onHalfClose();
                    delegate.onReady();
                } catch (RuntimeException e) { // an exception handler further out answers the call
                    store.release(client, key);
                    throw e;
                }
            }

            @Override
            public void onCancel() {
                if (delegate != null) {
                    delegate.onCancel();
                }
            }

            @Override
            public void onComplete() {
                if (delegate != null) {
                    delegate.onComplete();
                }
            }

            @Override
            public void onReady() {
                if (delegate != null) {
                    delegate.onReady();
                }
            }
        };
    }

    private static <Q> byte[] hash(MethodDescriptor<Q, ?> method, Q request) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(method.getFullMethodName().getBytes(StandardCharsets.UTF_8));
            sha.update(bytes(method.streamRequest(request)));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
