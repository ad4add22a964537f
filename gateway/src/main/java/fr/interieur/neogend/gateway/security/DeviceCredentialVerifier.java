package fr.interieur.neogend.gateway.security;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialRequest;
import fr.interieur.neogend.telemetry.v1.CheckDeviceCredentialResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Checks a device's own credential ({@code Authorization: Device <id>.<secret>}) before the gateway
 * reads a byte of its upload: a malformed one is refused by a character check; one whose tag was made
 * with the key the gateway shares with telemetry ({@link DeviceCredentialTags}, ADR 0026) is let
 * through with no call; any other well-formed one is asked of the telemetry service (which issued it
 * and knows its revocations) with one small gRPC call, and a credential telemetry accepted is
 * remembered for {@code ttl} so a device's next uploads cost a hash and a map lookup. Telemetry checks
 * the credential again on the upload itself, so a revocation takes effect on the device's very next
 * upload whatever the tag or this cache says (as tokens are checked twice).
 *
 * <p>The memory is bounded: about 80 bytes a device (id, secret hash as numbers), emptied when
 * {@code maxEntries} is reached.
 */
public final class DeviceCredentialVerifier {

    /** {@code <24 lower-case hex>.<43 base64url>}: what telemetry issues. */
    static final int ID_LENGTH = 24;

    static final int SECRET_LENGTH = 43;
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Channel telemetry;
    private final DeviceCredentialTags tags;
    /** How pre-checks were answered: by the tag, by the cache, by a call to telemetry. */
    final LongAdder byTag = new LongAdder();

    final LongAdder byCache = new LongAdder();
    final LongAdder byCall = new LongAdder();
    private final Duration deadline;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<Long, Known> known = new ConcurrentHashMap<>();
    /** Credentials a service refused lately (revoked since): asked of telemetry, whatever their tag says. */
    private final ConcurrentHashMap<Long, Known> refused = new ConcurrentHashMap<>();

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** A credential telemetry accepted: the rest of its id, its secret's hash (128 bits), until when. */
    private record Known(long idTail, long hash0, long hash1, long until) {}

    /** {@code tags}: null when no key is shared with telemetry (every new device is asked of it). */
    public DeviceCredentialVerifier(
            Channel telemetry,
            DeviceCredentialTags tags,
            Duration deadline,
            Duration ttl,
            int maxEntries,
            LongSupplier nanos) {
        this.telemetry = telemetry;
        this.tags = tags;
        this.deadline = deadline;
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.nanos = nanos;
    }

    /**
     * The credential in an Authorization header, or null when the header is not
     * {@code Device <credential>} with a credential of the issued shape — a check of its characters only.
     */
    public static String credentialOf(String authorization) {
        if (authorization == null
                || authorization.length() != 7 + ID_LENGTH + 1 + SECRET_LENGTH
                || !authorization.regionMatches(true, 0, "Device ", 0, 7)) {
            return null;
        }
        String credential = authorization.substring(7);
        for (int i = 0; i < ID_LENGTH; i++) {
            char c = credential.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        if (credential.charAt(ID_LENGTH) != '.') {
            return null;
        }
        for (int i = ID_LENGTH + 1; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_')) {
                return null;
            }
        }
        return credential;
    }

    /** Whether the header names the device scheme at all (well-formed or not). */
    public static boolean isDeviceScheme(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Device ", 0, 7);
    }

    /**
     * The id of a well-formed credential known without a call — tagged with the shared key, or accepted
     * by telemetry lately — or null.
     */
    public String known(String credential) {
        return taggedAndNotRefused(credential) ? credential.substring(0, ID_LENGTH) : cached(credential);
    }

    private boolean taggedAndNotRefused(String credential) {
        return tags != null && tags.tagged(credential) && !in(refused, credential);
    }

    /** The id of a credential telemetry accepted lately, or null: no call, no allocation beyond the hash. */
    private String cached(String credential) {
        return in(known, credential) ? credential.substring(0, ID_LENGTH) : null;
    }

    /** Whether {@code entries} holds this credential (id and secret), not expired. */
    private boolean in(ConcurrentHashMap<Long, Known> entries, String credential) {
        Known k = entries.isEmpty() ? null : entries.get(idHead(credential));
        if (k == null || nanos.getAsLong() - k.until() > 0 || k.idTail() != idTail(credential)) {
            return false;
        }
        byte[] hash = hash(credential);
        return k.hash0() == long0(hash) && k.hash1() == long1(hash);
    }

    /**
     * Forgets a credential a service refused after this pre-check let it through (revoked since telemetry
     * accepted it, or tagged): for {@code ttl}, its next uses are asked of telemetry, tag or not, and counted
     * as failures when refused there.
     */
    public void forget(String credential) {
        if (in(known, credential)) {
            known.remove(idHead(credential));
        }
        if (refused.size() >= maxEntries) {
            refused.clear();
        }
        byte[] hash = hash(credential);
        refused.put(
                idHead(credential),
                new Known(idTail(credential), long0(hash), long1(hash), nanos.getAsLong() + ttlNanos));
    }

    /**
     * The id of a well-formed credential found issued: by its tag, from the cache, or by telemetry.
     * Errors: {@link BadCredentialsException} when telemetry refuses it, {@link AuthenticationServiceException}
     * when telemetry cannot answer (the device should retry).
     */
    public Mono<String> verify(String credential) {
        if (taggedAndNotRefused(credential)) {
            byTag.increment();
            return Mono.just(credential.substring(0, ID_LENGTH));
        }
        String id = cached(credential);
        if (id != null) {
            byCache.increment();
            return Mono.just(id);
        }
        byCall.increment();
        return Mono.create(sink -> {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Device " + credential);
            ClientCall<CheckDeviceCredentialRequest, CheckDeviceCredentialResponse> call =
                    io.grpc.ClientInterceptors.intercept(
                                    telemetry, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                            .newCall(
                                    TelemetryServiceGrpc.getCheckDeviceCredentialMethod(),
                                    CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
            sink.onCancel(() -> call.cancel("HTTP request cancelled", null));
            ClientCalls.asyncUnaryCall(call, CheckDeviceCredentialRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(CheckDeviceCredentialResponse value) {
                    remember(credential, value.getImei());
                    sink.success(credential.substring(0, ID_LENGTH));
                }

                @Override
                public void onError(Throwable t) {
                    Status.Code code = t instanceof StatusRuntimeException e
                            ? e.getStatus().getCode()
                            : Status.Code.UNKNOWN;
                    if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
                        known.remove(idHead(credential));
                        sink.error(new BadCredentialsException("the device credential is not valid or was revoked"));
                    } else {
                        sink.error(new AuthenticationServiceException(
                                "the telemetry service cannot check device " + "credentials now (" + code + ")", t));
                    }
                }

                @Override
                public void onCompleted() {
                    // the value came with onNext
                }
            });
        });
    }

    private void remember(String credential, String imei) {
        if (imei.length() != 15 || !imei.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return; // telemetry named no IMEI: never cached
        }
        if (in(refused, credential)) {
            refused.remove(idHead(credential)); // accepted again (a lost device let in for its LOCK)
        }
        if (known.size() >= maxEntries) {
            known.clear();
        }
        byte[] hash = hash(credential);
        known.put(
                idHead(credential),
                new Known(idTail(credential), long0(hash), long1(hash), nanos.getAsLong() + ttlNanos));
    }

    /** {@code neogend.gateway.device.credential.checks}, by how each pre-check was answered. */
    public void registerMetrics(io.micrometer.core.instrument.MeterRegistry meters) {
        for (var how :
                java.util.Map.of("tag", byTag, "cache", byCache, "call", byCall).entrySet()) {
            io.micrometer.core.instrument.FunctionCounter.builder(
                            "neogend.gateway.device.credential.checks", how.getValue(), LongAdder::sum)
                    .description("Device credentials checked before their upload is read, by how")
                    .tag("by", how.getKey())
                    .register(meters);
        }
    }

    int size() {
        return known.size();
    }

    private static long idHead(String credential) {
        return Long.parseUnsignedLong(credential, 0, 16, 16);
    }

    private static long idTail(String credential) {
        return Long.parseUnsignedLong(credential, 16, ID_LENGTH, 16);
    }

    private static byte[] hash(String credential) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(credential.substring(ID_LENGTH + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private static long long0(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static long long1(byte[] b) {
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }
}
