package fr.interieur.neogend.gateway.security;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import fr.interieur.neogend.gateway.StandIns;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pre-check of device credentials (ADR 0026) against a real gRPC telemetry stand-in that counts the
 * calls: a credential tagged with the shared key costs no call; one tagged with another key, a changed
 * one, or any credential when the gateway holds no key is asked of telemetry, whose refusal stands.
 */
class DeviceCredentialVerifierTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final String KEY = key();
    static final AtomicInteger CALLS = new AtomicInteger();
    /** The only credential the stand-in accepts. */
    static volatile String accepted;

    static Server telemetry;
    static ManagedChannel channel;

    static String key() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @BeforeAll
    static void start() {
        telemetry = StandIns.telemetry(CALLS, new AtomicInteger(), () -> accepted);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", telemetry.getPort())
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        telemetry.shutdownNow();
    }

    static String issued(DeviceCredentialTags tags) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String hex = java.util.HexFormat.of().formatHex(id);
        return hex + "." + tags.newSecret(hex, RANDOM);
    }

    DeviceCredentialVerifier verifier(String key, AtomicLong clock) {
        return new DeviceCredentialVerifier(
                channel,
                DeviceCredentialTags.fromSetting("tag-key", key),
                Duration.ofSeconds(3),
                Duration.ofMinutes(5),
                1000,
                clock::get);
    }

    @Test
    void aCredentialTaggedWithTheSharedKeyPassesWithNoCallAndIsNamedByItsId() {
        var tags = DeviceCredentialTags.fromSetting("k", KEY);
        var verifier = verifier(KEY, new AtomicLong());
        int calls = CALLS.get();
        for (int i = 0; i < 50; i++) {
            String credential = issued(tags);
            assertThat(verifier.verify(credential).block()).isEqualTo(credential.substring(0, 24));
            assertThat(verifier.known(credential))
                    .as("the failure guard's view")
                    .isEqualTo(credential.substring(0, 24));
        }
        assertThat(CALLS.get()).as("no call to telemetry").isEqualTo(calls);
        assertThat(verifier.byTag.sum()).isEqualTo(50);
        assertThat(verifier.byCall.sum()).isZero();
    }

    @Test
    void anotherKeysTagOrAChangedCredentialIsAskedOfTelemetryWhichRefusesIt() {
        var verifier = verifier(KEY, new AtomicLong());
        String otherKeys = issued(DeviceCredentialTags.fromSetting("k", key()));
        String good = issued(DeviceCredentialTags.fromSetting("k", KEY));
        char c = good.charAt(30);
        String changed = good.substring(0, 30) + (c == 'A' ? 'B' : 'A') + good.substring(31);
        for (String credential : new String[] {otherKeys, changed}) {
            int calls = CALLS.get();
            assertThat(verifier.known(credential)).isNull();
            assertThatThrownBy(() -> verifier.verify(credential).block()).isInstanceOf(BadCredentialsException.class);
            assertThat(CALLS.get()).isEqualTo(calls + 1);
        }
        assertThat(verifier.byTag.sum()).isZero();
        assertThat(verifier.byCall.sum()).isEqualTo(2);
    }

    @Test
    void withoutAKeyEveryNewDeviceIsAskedOnceThenCachedUntilItsTimeIsUp() {
        var clock = new AtomicLong();
        var verifier = verifier("", clock);
        accepted = issued(DeviceCredentialTags.fromSetting("k", KEY)); // tagged, but this gateway has no key
        int calls = CALLS.get();
        assertThat(verifier.verify(accepted).block()).isEqualTo(accepted.substring(0, 24));
        assertThat(verifier.verify(accepted).block()).isEqualTo(accepted.substring(0, 24));
        assertThat(CALLS.get()).isEqualTo(calls + 1);
        assertThat(verifier.byCache.sum()).isEqualTo(1);
        clock.addAndGet(Duration.ofMinutes(5).plusNanos(1).toNanos());
        assertThat(verifier.known(accepted)).isNull();
        assertThat(verifier.verify(accepted).block()).isEqualTo(accepted.substring(0, 24));
        assertThat(CALLS.get()).isEqualTo(calls + 2);
        // the same id with another secret is not the cached credential
        String sameId = accepted.substring(0, 25) + (accepted.charAt(25) == 'A' ? 'B' : 'A') + accepted.substring(26);
        assertThatThrownBy(() -> verifier.verify(sameId).block()).isInstanceOf(BadCredentialsException.class);
        assertThat(verifier.byTag.sum()).isZero();
    }
}
