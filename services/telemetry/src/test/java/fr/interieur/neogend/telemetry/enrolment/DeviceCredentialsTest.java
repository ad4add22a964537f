package fr.interieur.neogend.telemetry.enrolment;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What telemetry issues with and without a tag key (ADR 0026): the same shape, only the hash stored. */
class DeviceCredentialsTest {

    static final DeviceCredentialTags TAGS = DeviceCredentialTags.fromSetting(
            "k", Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes()));

    @Test
    void withAKeyEachCredentialIsTaggedUniqueAndStoredAsTheHashOfItsSecret() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            var issued = DeviceCredentials.issue(TAGS);
            assertThat(issued.credential())
                    .matches("[0-9a-f]{24}\\.[A-Za-z0-9_-]{43}")
                    .startsWith(issued.id() + ".");
            assertThat(TAGS.tagged(issued.credential())).isTrue();
            assertThat(issued.secretHash())
                    .isEqualTo(DeviceCredentials.sha256(issued.credential().substring(25)));
            assertThat(ids.add(issued.id())).isTrue();
        }
    }

    @Test
    void withoutAKeyTheSecretIsWhollyRandomAndCarriesNoTag() {
        var issued = DeviceCredentials.issue(null);
        assertThat(issued.credential()).matches("[0-9a-f]{24}\\.[A-Za-z0-9_-]{43}");
        assertThat(TAGS.tagged(issued.credential())).isFalse();
    }
}
