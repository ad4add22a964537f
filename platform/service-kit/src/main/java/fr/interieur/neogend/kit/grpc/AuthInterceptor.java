package fr.interieur.neogend.kit.grpc;

import fr.interieur.neogend.common.v1.AccessRule;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.security.DeviceAuthenticator;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks every gRPC call again, whatever the gateway did: a valid bearer token (signature,
 * issuer, audience, expiry — by the {@link JwtDecoder}), then the RPC's access rule from the
 * proto. Deny by default: an RPC without a rule is refused to everyone. Only the standard health
 * service is open, for probes.
 */
public class AuthInterceptor implements ServerInterceptor {

    /** The most characters of a username the services record (their audit columns hold 100). */
    public static final int MAX_USERNAME = 100;

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The calling service's own token, on RPCs whose rule names the services they are called through. */
    public static final Metadata.Key<String> PEER_AUTHORIZATION =
            Metadata.Key.of("x-neogend-peer-authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health");
    private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

    private static final int MAX_CACHED_TOKENS = 10_000;

    /** The realm role of devices: only ever given by a device credential, never by a token. */
    public static final String DEVICE = "device";

    private final JwtDecoder jwtDecoder;
    private final Optional<DeviceAuthenticator> devices;
    private final AccessRules accessRules = new AccessRules();
    /** Tokens already verified, until they expire: the signature is checked once per token. */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /**
     * A verified token: its caller, the client whose service account it was issued to (null for a
     * user's token), its expiry.
     */
    private record Verified(Caller caller, String serviceAccountOf, Instant expiresAt) {}

    public AuthInterceptor(JwtDecoder jwtDecoder) {
        this(jwtDecoder, Optional.empty());
    }

    public AuthInterceptor(JwtDecoder jwtDecoder, Optional<DeviceAuthenticator> devices) {
        this.jwtDecoder = jwtDecoder;
        this.devices = devices;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (OPEN_SERVICES.contains(service)) {
            return next.startCall(call, headers);
        }
        String authorization = headers.get(AUTHORIZATION);
        Optional<AccessRule> rule = accessRules.ruleOf(call.getMethodDescriptor());
        if (authorization != null && authorization.regionMatches(true, 0, "Device ", 0, 7)) {
            return device(call, headers, next, authorization.substring(7).trim(), rule);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("a bearer token is required"));
        }
        Caller caller;
        try {
            caller = verify(authorization.substring(7).trim()).caller();
        } catch (JwtException e) {
            log.debug("token refused on {}: {}", call.getMethodDescriptor().getFullMethodName(), e.getMessage());
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the bearer token is not valid"));
        }
        if (rule.isEmpty()) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("this method is closed to every caller"));
        }
        if (rule.get().getRolesList().stream().noneMatch(caller::hasRole)) {
            return refuse(
                    call,
                    Status.PERMISSION_DENIED.withDescription(
                            "one of the roles " + rule.get().getRolesList() + " is required"));
        }
        // every service records who did what under the username, in at most MAX_USERNAME characters: a longer
        // one (Keycloak allows 255) is refused here, clearly, rather than failing the write it would be stored by
        if (caller.username().codePointCount(0, caller.username().length()) > MAX_USERNAME) {
            return refuse(
                    call,
                    Status.PERMISSION_DENIED.withDescription("the account's username is over " + MAX_USERNAME
                            + " characters, the most the platform records as who did what; ask for a shorter one"));
        }
        String proof = headers.get(PEER_AUTHORIZATION);
        Optional<String> peer = proof == null ? Optional.empty() : peerOf(proof, call);
        if (proof != null && peer.isEmpty()) { // sent, so meant: a proof that does not hold is never ignored
            return refuse(
                    call,
                    Status.PERMISSION_DENIED.withDescription(
                            "x-neogend-peer-authorization is not a valid token of a service's own account"));
        }
        if (rule.get().getPeersCount() > 0
                && (peer.isEmpty() || !rule.get().getPeersList().contains(peer.get()))) {
            log.debug("{} refused: peer {}", call.getMethodDescriptor().getFullMethodName(), peer.orElse("none"));
            return refuse(
                    call,
                    Status.PERMISSION_DENIED.withDescription("this method is called only through "
                            + String.join(", ", rule.get().getPeersList())
                            + " on a user's behalf, with that service's own token; never directly"));
        }
        Context context = Context.current()
                .withValue(CallerContext.KEY, caller)
                .withValue(CallerContext.TOKEN, authorization.substring(7).trim())
                .withValue(CallerContext.PEER, peer.orElse(null));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** A device with its own credential, on an RPC open to devices only. */
    private <Q, R> ServerCall.Listener<Q> device(
            ServerCall<Q, R> call,
            Metadata headers,
            ServerCallHandler<Q, R> next,
            String credential,
            Optional<AccessRule> rule) {
        if (rule.isEmpty() || !rule.get().getRolesList().contains(DEVICE) || devices.isEmpty()) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("devices may not call this method"));
        }
        Optional<String> imei = devices.get().authenticate(credential);
        if (imei.isEmpty()) {
            return refuse(
                    call, Status.UNAUTHENTICATED.withDescription("the device credential is not valid or was revoked"));
        }
        Caller caller =
                new Caller("device:" + imei.get(), imei.get(), Set.of(DEVICE), Optional.empty(), Optional.empty());
        Context context =
                Context.current().withValue(CallerContext.KEY, caller).withValue(CallerContext.TOKEN, credential);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /**
     * The service whose own account a peer proof is: a token valid as any token, issued to that client
     * (azp) by the client-credentials grant (Keycloak's {@code client_id} claim, set for service accounts
     * only). Empty when it is no such token.
     */
    private Optional<String> peerOf(String header, ServerCall<?, ?> call) {
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(verify(header.substring(7).trim()).serviceAccountOf());
        } catch (JwtException e) {
            log.debug("peer token refused on {}: {}", call.getMethodDescriptor().getFullMethodName(), e.getMessage());
            return Optional.empty();
        }
    }

    private Verified verify(String token) {
        Verified known = verified.get(token);
        if (known != null) {
            if (Instant.now().isBefore(known.expiresAt())) {
                return known;
            }
            verified.remove(token);
        }
        Jwt jwt = jwtDecoder.decode(token);
        String client = jwt.getClaimAsString("azp");
        String serviceAccountOf = client != null && client.equals(jwt.getClaimAsString("client_id")) ? client : null;
        Verified checked = new Verified(toCaller(jwt), serviceAccountOf, jwt.getExpiresAt());
        if (jwt.getExpiresAt() != null) {
            if (verified.size() >= MAX_CACHED_TOKENS) {
                verified.clear();
            }
            verified.put(token, checked);
        }
        return checked;
    }

    /** Maps the claims of a Keycloak access token to a caller. */
    public static Caller toCaller(Jwt jwt) {
        Set<String> roles = new HashSet<>();
        Object realmAccess = jwt.getClaims().get("realm_access");
        if (realmAccess instanceof Map<?, ?> map && map.get("roles") instanceof Collection<?> list) {
            list.forEach(r -> roles.add(String.valueOf(r)));
        }
        roles.remove(DEVICE); // a token never makes its bearer a device
        // a supplier's system acts as its client (Keycloak's "azp"), not as the service account's internal id
        String username = roles.contains(Caller.SUPPLIER) && jwt.getClaimAsString("azp") != null
                ? jwt.getClaimAsString("azp")
                : Optional.ofNullable(jwt.getClaimAsString("preferred_username"))
                        .orElse(jwt.getSubject());
        return new Caller(
                jwt.getSubject(),
                username,
                roles,
                Optional.ofNullable(jwt.getClaimAsString("unit_code")).filter(s -> !s.isBlank()),
                Optional.ofNullable(jwt.getClaimAsString("supplier_id")).filter(s -> !s.isBlank()));
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
