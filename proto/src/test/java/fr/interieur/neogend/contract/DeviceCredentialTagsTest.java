package fr.interieur.neogend.contract;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tags of device credentials (ADR 0026): made only with the key, bound to the id and to the random half. */
class DeviceCredentialTagsTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32
    });
    static final String OTHER_KEY = Base64.getEncoder().encodeToString("another key of thirty-two bytes!".getBytes());
    static final SecureRandom RANDOM = new SecureRandom();

    final DeviceCredentialTags tags = DeviceCredentialTags.fromSetting("tag-key", KEY);

    static String newId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    @Test
    void anIssuedSecretHasTheCredentialsShapeAndItsTag() {
        for (int i = 0; i < 200; i++) {
            String id = newId();
            String credential = id + "." + tags.newSecret(id, RANDOM);
            assertThat(credential).matches("[0-9a-f]{24}\\.[A-Za-z0-9_-]{43}");
            assertThat(tags.tagged(credential)).isTrue();
            assertThat(DeviceCredentialTags.fromSetting("k", OTHER_KEY).tagged(credential))
                    .as("another key's tags")
                    .isFalse();
        }
    }

    @Test
    void theTagIsBoundToTheIdAndToEveryByteOfTheSecret() {
        String id = newId();
        String credential = id + "." + tags.newSecret(id, RANDOM);
        String alphabet = "0123456789abcdef";
        for (int i = 0; i < 24; i++) {
            char c = credential.charAt(i);
            char other = alphabet.charAt((alphabet.indexOf(c) + 1) % 16);
            assertThat(tags.tagged(credential.substring(0, i) + other + credential.substring(i + 1)))
                    .as("id changed at %d", i)
                    .isFalse();
        }
        byte[] secret = Base64.getUrlDecoder().decode(credential.substring(25));
        String b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int changed = 0;
        for (int i = 25; i < credential.length(); i++) {
            for (char other : b64.toCharArray()) {
                if (other == credential.charAt(i)) {
                    continue;
                }
                String altered = credential.substring(0, i) + other + credential.substring(i + 1);
                if (Arrays.equals(Base64.getUrlDecoder().decode(altered.substring(25)), secret)) {
                    continue; // the last character's two unused bits: the same bytes (telemetry compares the text)
                }
                changed++;
                assertThat(tags.tagged(altered)).as(altered).isFalse();
            }
        }
        assertThat(changed).isGreaterThan(43 * 60);
    }

    /** One instance serves every request thread of the gateway: its MACs must never mix two checks. */
    @Test
    void checksFromManyThreadsAtOnceEachGetTheirOwnAnswer() throws Exception {
        int threads = 8;
        int each = 2_000;
        String[] credentials = new String[threads * each];
        boolean[] expected = new boolean[credentials.length];
        var other = DeviceCredentialTags.fromSetting("k", OTHER_KEY);
        for (int i = 0; i < credentials.length; i++) {
            String id = newId();
            expected[i] = i % 3 != 0;
            credentials[i] = id + "." + (expected[i] ? tags : other).newSecret(id, RANDOM);
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        var start = new java.util.concurrent.CountDownLatch(1);
        var wrong = new java.util.concurrent.atomic.AtomicInteger();
        try {
            var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++) {
                int from = t * each;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 3; round++) {
                        for (int i = from; i < from + each; i++) {
                            int k = (i * 7 + round * 11) % credentials.length; // threads overlap on purpose
                            if (tags.tagged(credentials[k]) != expected[k]) {
                                wrong.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong.get()).isZero();
    }

    @Test
    void anUntaggedOrMisshapenCredentialIsNotTagged() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String id = newId();
        assertThat(tags.tagged(
                        id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(random)))
                .as("a wholly random secret, as issued without a key")
                .isFalse();
        String good = id + "." + tags.newSecret(id, RANDOM);
        for (String bad : new String[] {
            null,
            "",
            good.substring(1),
            good + "A",
            good.replace('.', ':'),
            "zz" + good.substring(2),
            good.substring(0, 30) + "=" + good.substring(31),
            good.substring(0, 30) + "\u0000" + good.substring(31)
        }) {
            assertThat(tags.tagged(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void aBlankSettingMeansNoTagsAndABadOneIsRefusedWithoutShowingIt() {
        assertThat(DeviceCredentialTags.fromSetting("k", null)).isNull();
        assertThat(DeviceCredentialTags.fromSetting("k", "  ")).isNull();
        String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
        assertThatThrownBy(() -> DeviceCredentialTags.fromSetting("neogend.x.tag-key", shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neogend.x.tag-key")
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> DeviceCredentialTags.fromSetting("neogend.x.tag-key", "not base64 at all!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("at all");
        // the URL alphabet is accepted too, and gives the same key
        byte[] key = new byte[48];
        RANDOM.nextBytes(key);
        key[0] = (byte) 0xfb; // '+' or '/' in the standard alphabet, '-' or '_' in the URL one
        var standard = DeviceCredentialTags.fromSetting("k", Base64.getEncoder().encodeToString(key));
        var url = DeviceCredentialTags.fromSetting("k", Base64.getUrlEncoder().encodeToString(key));
        String id = newId();
        assertThat(url.tagged(id + "." + standard.newSecret(id, RANDOM))).isTrue();
        assertThat(standard.toString()).doesNotContain(Base64.getEncoder().encodeToString(key));
    }
}
