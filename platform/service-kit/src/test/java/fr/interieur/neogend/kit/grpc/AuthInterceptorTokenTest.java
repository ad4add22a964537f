package fr.interieur.neogend.kit.grpc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.kit.security.Caller;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.oauth2.jwt.JwtDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile tokens at a service: the {@link AuthInterceptor} in front of a real (in-process) gRPC
 * server, checking with the {@link JwtDecoder} Spring Boot builds from the services' own settings
 * (JWKS URL, issuer, audience — {@code neogend-service-defaults.yml}), keys served over HTTP like
 * Keycloak's. Every forged, stale or misaddressed token is UNAUTHENTICATED; and the server runs
 * every call on one thread, to show that no caller identity survives from one call to the next.
 */
class AuthInterceptorTokenTest {

    static final String ISSUER = "http://localhost:8180/realms/neogend";
    static final String OTHER_REALM = "http://localhost:8180/realms/other";
    static final String AUDIENCE = "neogend-api";
    static final KeyPair REALM_KEY = rsa();
    static final KeyPair OTHER_REALM_KEY = rsa();

    static HttpServer jwks;
    static JwtDecoder decoder;
    static ExecutorService serverThread;
    static Server server;
    static ManagedChannel channel;
    /** What the service method saw of the caller, and on which thread. */
    static final List<String> seenCallers = new ArrayList<>();

    static final AtomicReference<Thread> serviceThread = new AtomicReference<>();
    /** The caller visible in the gRPC context when each call arrives, before the token check. */
    static final List<Caller> callerOnArrival = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] keys = new JWKSet(new RSAKey.Builder((RSAPublicKey) REALM_KEY.getPublic())
                        .keyID("realm-key")
                        .algorithm(JWSAlgorithm.RS256)
                        .build())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keys.length);
            exchange.getResponseBody().write(keys);
            exchange.close();
        });
        jwks.start();
        AtomicReference<JwtDecoder> built = new AtomicReference<>();
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(OAuth2ResourceServerAutoConfiguration.class))
                .withPropertyValues(
                        "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ISSUER,
                        "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:"
                                + jwks.getAddress().getPort() + "/certs",
                        "spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE)
                .run(context -> built.set(context.getBean(JwtDecoder.class)));
        decoder = built.get();

        serverThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "the-only-server-thread"));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .executor(serverThread)
                .addService(ServerInterceptors.intercept(
                        new EchoCaller(), new AuthInterceptor(decoder), new RecordCallerOnArrival()))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        serverThread.shutdownNow();
        jwks.stop(0);
    }

    /** GetDevice answers with the caller's user name as the model: what the service believes. */
    static final class EchoCaller extends InventoryServiceGrpc.InventoryServiceImplBase {
        @Override
        public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> response) {
            serviceThread.set(Thread.currentThread());
            String username = CallerContext.current().username();
            seenCallers.add(username);
            response.onNext(GetDeviceResponse.newBuilder()
                    .setDevice(Device.newBuilder().setImei(request.getImei()).setModel(username))
                    .build());
            response.onCompleted();
        }
    }

    /** Outermost: runs before the token check, on the server thread. */
    static final class RecordCallerOnArrival implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            callerOnArrival.add(CallerContext.KEY.get());
            return next.startCall(call, headers);
        }
    }

    static Stream<Arguments> refusedTokens() {
        return Stream.of(
                Arguments.of("wrong issuer", signed(REALM_KEY, "realm-key", c -> c.issuer(OTHER_REALM))),
                Arguments.of("wrong audience", signed(REALM_KEY, "realm-key", c -> c.audience(List.of("account")))),
                Arguments.of("no audience", signed(REALM_KEY, "realm-key", c -> c.audience(List.of()))),
                Arguments.of(
                        "expired",
                        signed(
                                REALM_KEY,
                                "realm-key",
                                c -> c.issueTime(Date.from(Instant.now().minus(Duration.ofHours(1))))
                                        .expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(10)))))),
                Arguments.of(
                        "not valid yet",
                        signed(
                                REALM_KEY,
                                "realm-key",
                                c -> c.notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(10)))))),
                Arguments.of("alg none", new PlainJWT(claims(c -> c)).serialize()),
                Arguments.of(
                        "alg none, signature kept",
                        withHeader(signed(REALM_KEY, "realm-key", c -> c), "{\"alg\":\"none\",\"kid\":\"realm-key\"}")),
                Arguments.of(
                        "HS256 with the public key (DER) as secret",
                        hmac(REALM_KEY.getPublic().getEncoded())),
                Arguments.of(
                        "HS256 with the public key (PEM) as secret",
                        hmac(pem(REALM_KEY).getBytes(StandardCharsets.UTF_8))),
                Arguments.of(
                        "another realm (its key, its issuer)",
                        signed(OTHER_REALM_KEY, "other-key", c -> c.issuer(OTHER_REALM))),
                Arguments.of("another realm's key under our key id", signed(OTHER_REALM_KEY, "realm-key", c -> c)),
                Arguments.of("payload changed after signing", tamperedPayload()),
                Arguments.of("not a JWT", "not-a-jwt"),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refused(String what, String token) {
        int served = seenCallers.size();
        assertThatThrownBy(() -> call("Bearer " + token))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(what).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(seenCallers).as("the service method never ran").hasSize(served);
    }

    @Test
    void aValidTokenOfTheRealmIsAccepted() {
        assertThat(call("Bearer " + signed(REALM_KEY, "realm-key", c -> c))
                        .getDevice()
                        .getModel())
                .isEqualTo("fleet.manager");
    }

    @Test
    void noIdentityLeaksToTheNextCallOnTheSameThread() throws Exception {
        assertThat(call("Bearer " + signed(REALM_KEY, "realm-key", c -> c))
                        .getDevice()
                        .getModel())
                .isEqualTo("fleet.manager");
        Thread first = serviceThread.get();
        int arrivals = callerOnArrival.size();

        assertThatThrownBy(() -> call(null))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> call("Bearer "))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        assertThat(callerOnArrival.subList(arrivals, callerOnArrival.size()))
                .as("caller seen as calls arrive")
                .hasSize(2)
                .containsOnlyNulls();
        Caller left = serverThread
                .submit(() -> {
                    assertThat(Thread.currentThread()).isSameAs(first);
                    return CallerContext.KEY.get();
                })
                .get();
        assertThat(left).as("caller left on the server thread after the calls").isNull();
        assertThat(first.getName()).isEqualTo("the-only-server-thread");
    }

    private static GetDeviceResponse call(String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(AuthInterceptor.AUTHORIZATION, authorization);
        }
        return InventoryServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .getDevice(
                        GetDeviceRequest.newBuilder().setImei("490154203237518").build());
    }

    private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        return change.apply(new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .subject(UUID.randomUUID().toString())
                        .audience(List.of(AUDIENCE))
                        .issueTime(Date.from(now.minusSeconds(30)))
                        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                        .claim("preferred_username", "fleet.manager")
                        .claim("realm_access", Map.of("roles", List.of("fleet-manager"))))
                .build();
    }

    private static String signed(KeyPair key, String kid, UnaryOperator<JWTClaimsSet.Builder> change) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims(change));
            jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key-confusion attack: HS256, the realm's public key (which anyone can fetch) as the secret. */
    private static String hmac(byte[] secret) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("realm-key").build(), claims(c -> c));
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String withHeader(String token, String headerJson) {
        String[] parts = token.split("\\.");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[1] + "." + parts[2];
    }

    /** A valid auditor token whose payload now says fleet-manager. */
    private static String tamperedPayload() {
        String[] parts = signed(
                        REALM_KEY, "realm-key", c -> c.claim("realm_access", Map.of("roles", List.of("auditor"))))
                .split("\\.");
        String payload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims(c -> c).toString().getBytes(StandardCharsets.UTF_8));
        return parts[0] + "." + payload + "." + parts[2];
    }

    private static String pem(KeyPair key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return gen.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
