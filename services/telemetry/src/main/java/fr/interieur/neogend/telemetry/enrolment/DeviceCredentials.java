package fr.interieur.neogend.telemetry.enrolment;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import fr.interieur.neogend.kit.security.DeviceAuthenticator;
import fr.interieur.neogend.telemetry.ingestion.GroupCommit;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Device credentials: {@code <id>.<secret>}, 96 random bits of id and 256 bits of secret — or, when
 * {@code neogend.telemetry.device-credentials.tag-key} is set, 128 random bits and a 128-bit tag the
 * gateway can check without a call ({@link DeviceCredentialTags}, ADR 0026). Only the
 * secret's SHA-256 is stored (a random 256-bit secret needs no slow hash); checks compare in
 * constant time and read the revocations every time: a returned or exchanged device is refused on its
 * very next request and for ever, whatever is queued for it; a lost or stolen one is let in only while
 * it has LOCK or WIPE commands to receive and acknowledge (its readings are refused, and it is handed
 * nothing else), then refused too.
 */
@Component
public class DeviceCredentials implements DeviceAuthenticator {

    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{24})\\.([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CredentialRepository credentials;

    /** Null: secrets wholly random, untagged. */
    private final DeviceCredentialTags tags;

    /**
     * The checks of devices calling at the same time, made by one query (issue 16, ADR 0022): each upload
     * checks its credential, and alone that was one statement per upload. Null when group commit is off.
     */
    private final GroupCommit<String, Optional<CredentialRepository.Active>> lookups;

    DeviceCredentials(
            CredentialRepository credentials,
            @Value("${neogend.telemetry.group-commit.writers:1}") int writers,
            @Value("${neogend.telemetry.device-credentials.tag-key:}") String tagKey,
            MeterRegistry meters) {
        this.credentials = credentials;
        this.tags = DeviceCredentialTags.fromSetting("neogend.telemetry.device-credentials.tag-key", tagKey);
        var sizes = DistributionSummary.builder("neogend.telemetry.credential.group")
                .description("Device credentials checked by one query")
                .register(meters);
        this.lookups = writers <= 0
                ? null
                : new GroupCommit<>(
                        ids -> {
                            Map<String, CredentialRepository.Active> found = credentials.activeAll(ids);
                            return ids.stream()
                                    .map(id -> Optional.ofNullable(found.get(id)))
                                    .toList();
                        },
                        id -> id,
                        id -> 1,
                        writers,
                        500,
                        sizes::record);
    }

    /** A new credential: its id, and the whole credential to hand to the device once. */
    public record Issued(String id, String credential, byte[] secretHash) {}

    public Issued issue() {
        return issue(tags);
    }

    /** A new credential, tagged when {@code tags} is not null. */
    static Issued issue(DeviceCredentialTags tags) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String idText = HexFormat.of().formatHex(id);
        String secretText;
        if (tags != null) {
            secretText = tags.newSecret(idText, RANDOM);
        } else {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        }
        return new Issued(idText, idText + "." + secretText, sha256(secretText));
    }

    @Override
    public Optional<String> authenticate(String credential) {
        var m = FORMAT.matcher(credential == null ? "" : credential);
        if (!m.matches()) {
            return Optional.empty();
        }
        return (lookups != null ? lookups.submit(m.group(1)) : credentials.active(m.group(1)))
                .filter(c -> MessageDigest.isEqual(c.secretHash(), sha256(m.group(2))))
                .map(CredentialRepository.Active::imei);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
