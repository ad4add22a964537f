package fr.interieur.neogend.contract;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Tags in device credentials, so the gateway can tell a credential telemetry issued from an invented
 * one without asking telemetry (issue 18, ADR 0026).
 *
 * <p>A credential is {@code <id>.<secret>}: 12 bytes of id in lower-case hex, 32 bytes of secret in
 * unpadded base64url. Telemetry issues the secret as 16 random bytes followed by a 16-byte tag,
 * {@code HMAC-SHA256(key, "neogend-device-credential-v1" ‖ id ‖ random)} cut to 16 bytes. The key is
 * shared by telemetry and the gateway only.
 *
 * <p>A valid tag proves the credential was <em>issued</em> under the key, not that it is still valid:
 * telemetry checks every upload against the stored hash of the whole secret and the device's
 * revocations, as before. Someone who learns the key can make credentials that pass the gateway's
 * pre-check (their bodies are read, then telemetry refuses them) but cannot authenticate as any device:
 * the 16 random bytes are known only to the device, telemetry keeps only the whole secret's SHA-256.
 */
public final class DeviceCredentialTags {

    /** The fewest bytes a key may have. */
    public static final int MIN_KEY_BYTES = 32;

    static final int ID_BYTES = 12;
    static final int RANDOM_BYTES = 16;
    static final int TAG_BYTES = 16;
    static final int ID_HEX = 2 * ID_BYTES;
    static final int SECRET_BASE64 = 43;
    private static final byte[] CONTEXT = "neogend-device-credential-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    private DeviceCredentialTags(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * The tags of a key given in base64 (standard or URL alphabet), or null when the setting is blank
     * (credentials untagged, the gateway asks telemetry as before).
     *
     * @throws IllegalArgumentException naming the setting when the value is not base64 or too short —
     *     never quoting the value
     */
    public static DeviceCredentialTags fromSetting(String setting, String base64) {
        if (base64 == null || base64.isBlank()) {
            return null;
        }
        byte[] key;
        try {
            String text = base64.strip();
            key = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text)
                    : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " is not base64 (its value is not shown)");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(setting + " must hold at least " + MIN_KEY_BYTES
                    + " bytes of key (it holds " + key.length + "); e.g. `openssl rand -base64 32`");
        }
        return new DeviceCredentialTags(key);
    }

    /** A new secret for the credential id {@code idHex}: 16 random bytes and their tag, in base64url. */
    public String newSecret(String idHex, SecureRandom random) {
        byte[] secret = new byte[RANDOM_BYTES + TAG_BYTES];
        random.nextBytes(secret);
        byte[] tag = tag(HexFormat.of().parseHex(idHex), secret);
        System.arraycopy(tag, 0, secret, RANDOM_BYTES, TAG_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /**
     * Whether {@code credential} ({@code <id>.<secret>}, of the issued shape — callers check the
     * characters first) carries a tag made with this key. Compared in constant time.
     */
    public boolean tagged(String credential) {
        if (credential == null
                || credential.length() != ID_HEX + 1 + SECRET_BASE64
                || credential.charAt(ID_HEX) != '.') {
            return false;
        }
        byte[] id;
        byte[] secret;
        try {
            id = HexFormat.of().parseHex(credential, 0, ID_HEX);
            secret = Base64.getUrlDecoder().decode(credential.substring(ID_HEX + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (secret.length != RANDOM_BYTES + TAG_BYTES) {
            return false;
        }
        byte[] expected = tag(id, secret);
        byte[] given = new byte[TAG_BYTES];
        System.arraycopy(secret, RANDOM_BYTES, given, 0, TAG_BYTES);
        return MessageDigest.isEqual(expected, given);
    }

    /** The first 16 bytes of the MAC of the context, the id and the secret's random part. */
    private byte[] tag(byte[] id, byte[] secret) {
        Mac mac = macs.get();
        mac.update(CONTEXT);
        mac.update(id);
        mac.update(secret, 0, RANDOM_BYTES);
        byte[] full = mac.doFinal();
        byte[] tag = new byte[TAG_BYTES];
        System.arraycopy(full, 0, tag, 0, TAG_BYTES);
        return tag;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "DeviceCredentialTags[key hidden]";
    }
}
