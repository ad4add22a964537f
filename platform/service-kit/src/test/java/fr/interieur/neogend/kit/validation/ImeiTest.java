package fr.interieur.neogend.kit.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ImeiTest {

    @ParameterizedTest
    @ValueSource(strings = {"490154203237518", "356938035643809", "353879234252633"})
    void acceptsRealImeis(String imei) {
        assertThat(Imei.problem(imei)).isNull();
    }

    @Test
    void namesWhatIsWrong() {
        assertThat(Imei.problem("")).isEqualTo("is required");
        assertThat(Imei.problem("49015420323751")).isEqualTo("must be exactly 15 digits");
        assertThat(Imei.problem("49015420323751A")).isEqualTo("must be exactly 15 digits");
        assertThat(Imei.problem("490154203237519")).isEqualTo("has a wrong check digit (Luhn)");
    }

    @Test
    void checkDigitCompletesABody() {
        assertThat(Imei.checkDigit("49015420323751")).isEqualTo('8');
        for (int i = 0; i < 1000; i++) {
            String body = String.format("35000000%06d", i);
            assertThat(Imei.isValid(body + Imei.checkDigit(body))).isTrue();
        }
    }
}
