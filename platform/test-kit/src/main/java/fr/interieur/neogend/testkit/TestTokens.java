package fr.interieur.neogend.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Access tokens shaped like Keycloak's (realm roles, unit_code, supplier_id, audience), signed by
 * a key made for this test run. {@link #decoder()} checks them the way services check Keycloak's:
 * signature, issuer, audience, expiry.
 */
public final class TestTokens {

    public static final String ISSUER = "http://localhost:8180/realms/neogend";
    public static final String AUDIENCE = "neogend-api";
    /** The issuer of another realm of the same Keycloak. */
    public static final String OTHER_REALM_ISSUER = "http://localhost:8180/realms/other";

    private static final KeyPair KEY = newKey();
    private static final KeyPair FOREIGN_KEY = newKey();

    private TestTokens() {}

    /** A decoder that trusts only this run's key, with the production validators. */
    public static JwtDecoder decoder() {
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withPublicKey((RSAPublicKey) KEY.getPublic()).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(ISSUER),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(AUDIENCE))));
        return decoder;
    }

    /** The public key as a JWK set document, for a resource server that fetches keys over HTTP. */
    public static String jwks() {
        return new com.nimbusds.jose.jwk.JWKSet(new com.nimbusds.jose.jwk.RSAKey.Builder((RSAPublicKey) KEY.getPublic())
                        .keyID("test")
                        .algorithm(JWSAlgorithm.RS256)
                        .build())
                .toString();
    }

    /** A valid token for a staff user. */
    public static String user(String username, String role, String unitCode) {
        return sign(KEY, claims(username, List.of(role), unitCode, null, AUDIENCE, Duration.ofMinutes(5)));
    }

    /** A valid token for a staff user holding several realm roles. */
    public static String userWithRoles(String username, List<String> roles, String unitCode) {
        return sign(KEY, claims(username, roles, unitCode, null, AUDIENCE, Duration.ofMinutes(5)));
    }

    public static String fleetManager() {
        return user("fleet.manager", "fleet-manager", "GN");
    }

    public static String auditor() {
        return user("auditor", "auditor", "GN");
    }

    public static String unitManager(String unitCode) {
        return user("unit.manager", "unit-manager", unitCode);
    }

    /** A valid token for a supplier's client-credentials account. */
    public static String supplier(String supplierId) {
        return sign(
                KEY,
                claims(
                        "service-account-supplier-demo",
                        List.of("supplier"),
                        null,
                        supplierId,
                        AUDIENCE,
                        Duration.ofMinutes(5)));
    }

    /** A valid token of a NeoGEND service's own service account (role internal-service). */
    public static String service(String service) {
        return serviceAccount(
                "neogend-" + service,
                claims(
                        "service-account-neogend-" + service,
                        List.of("internal-service"),
                        null,
                        null,
                        AUDIENCE,
                        Duration.ofMinutes(5)));
    }

    /**
     * A valid token of a NeoGEND service's own service account holding no realm role but the
     * default: what order and accessories send as the proof of the RPCs called only through them.
     */
    public static String peer(String service) {
        return serviceAccount(
                "neogend-" + service,
                claims(
                        "service-account-neogend-" + service,
                        List.of("default-roles-neogend"),
                        null,
                        null,
                        AUDIENCE,
                        Duration.ofMinutes(5)));
    }

    /**
     * A user's own token issued through a client (Keycloak's {@code azp}): e.g. a user who logged in
     * through a client named like a service's — never that service's account (no {@code client_id}).
     */
    public static String userOfClient(String username, String role, String unitCode, String client) {
        return sign(
                KEY,
                new JWTClaimsSet.Builder(
                                claims(username, List.of(role), unitCode, null, AUDIENCE, Duration.ofMinutes(5)))
                        .claim("azp", client)
                        .build());
    }

    /**
     * A client-credentials token as Keycloak issues it: {@code azp} and {@code client_id} (the
     * service_account scope's session note) both the client.
     */
    private static String serviceAccount(String client, JWTClaimsSet claims) {
        return sign(
                KEY,
                new JWTClaimsSet.Builder(claims)
                        .claim("azp", client)
                        .claim("client_id", client)
                        .build());
    }

    /** A valid token for a technician of a unit. */
    public static String technician(String unitCode) {
        return user("technician", "technician", unitCode);
    }

    /** Signed by the right key, expired ten minutes ago. */
    public static String expired() {
        return sign(
                KEY, claims("fleet.manager", List.of("fleet-manager"), "GN", null, AUDIENCE, Duration.ofMinutes(-10)));
    }

    /** Well-formed and unexpired, signed by a key nobody trusts. */
    public static String foreignSigned() {
        return sign(
                FOREIGN_KEY,
                claims("fleet.manager", List.of("fleet-manager"), "GN", null, AUDIENCE, Duration.ofMinutes(5)));
    }

    /** Signed by the right key for another audience. */
    public static String otherAudience() {
        return sign(
                KEY, claims("fleet.manager", List.of("fleet-manager"), "GN", null, "account", Duration.ofMinutes(5)));
    }

    /** Signed by the right key, issued by another realm. */
    public static String otherIssuer() {
        return sign(
                KEY,
                claims(
                        "fleet.manager",
                        List.of("fleet-manager"),
                        "GN",
                        null,
                        AUDIENCE,
                        Duration.ofMinutes(5),
                        OTHER_REALM_ISSUER));
    }

    /** A token of another realm: its own key and key id, its own issuer. */
    public static String otherRealm() {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("other-realm")
                            .build(),
                    claims(
                            "fleet.manager",
                            List.of("fleet-manager"),
                            "GN",
                            null,
                            AUDIENCE,
                            Duration.ofMinutes(5),
                            OTHER_REALM_ISSUER));
            jwt.sign(new RSASSASigner((RSAPrivateKey) FOREIGN_KEY.getPrivate()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The right claims, unsigned ({@code alg: none}). */
    public static String unsigned() {
        return new com.nimbusds.jwt.PlainJWT(
                        claims("fleet.manager", List.of("fleet-manager"), "GN", null, AUDIENCE, Duration.ofMinutes(5)))
                .serialize();
    }

    /**
     * The key-confusion forgery: HS256 with the realm's public key (anyone can fetch it from the
     * JWKS) as the HMAC secret, under the realm key's id.
     */
    public static String hmacSignedWithThePublicKey() {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("test").build(),
                    claims("fleet.manager", List.of("fleet-manager"), "GN", null, AUDIENCE, Duration.ofMinutes(5)));
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner(KEY.getPublic().getEncoded()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet claims(
            String username,
            List<String> roles,
            String unitCode,
            String supplierId,
            String audience,
            Duration validFor) {
        return claims(username, roles, unitCode, supplierId, audience, validFor, ISSUER);
    }

    private static JWTClaimsSet claims(
            String username,
            List<String> roles,
            String unitCode,
            String supplierId,
            String audience,
            Duration validFor,
            String issuer) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(UUID.nameUUIDFromBytes(username.getBytes()).toString())
                .audience(List.of(audience))
                .issueTime(Date.from(now.minusSeconds(60)))
                .expirationTime(Date.from(now.plus(validFor)))
                .jwtID(UUID.randomUUID().toString())
                .claim("preferred_username", username)
                .claim("realm_access", Map.of("roles", roles));
        if (unitCode != null) {
            b.claim("unit_code", unitCode);
        }
        if (supplierId != null) {
            b.claim("supplier_id", supplierId);
        }
        return b.build();
    }

    private static String sign(KeyPair key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test").build(), claims);
            jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return gen.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
