package fr.interieur.neogend.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecimalsTest {

    static final Decimals.Shape MONEY = Decimals.Shape.MONEY;

    @ParameterizedTest
    @ValueSource(strings = {"0", "12", "12.5", "12.50", "999999999999.99", "0012.30"})
    void plainAmountsAreAccepted(String text) {
        assertThat(Decimals.problem(text, MONEY)).isNull();
        assertThat(Decimals.parse(text, MONEY, "amount")).isEqualByComparingTo(new BigDecimal(text));
        assertThat(Decimals.parse(text, MONEY, "amount").scale()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1e1000000",
                "1e99999999",
                "1E2",
                "1.5e3",
                "+12",
                " 12",
                "12 ",
                "1,5",
                "1 000",
                ".5",
                "5.",
                "-",
                "",
                "0x10",
                "NaN",
                "Infinity",
                "١٢",
                "12.345",
                "1234567890123",
                "--1",
                "1-",
                "1..2"
            })
    void everythingElseIsRefusedWithoutRepeatingIt(String text) {
        String problem = Decimals.problem(text, MONEY);
        assertThat(problem).as(text).isNotNull();
        if (text.length() > 3) {
            assertThat(problem).doesNotContain(text);
        }
        assertThatThrownBy(() -> Decimals.parse(text, MONEY, "lines[0].amount"))
                .isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo("lines[0].amount"));
    }

    @Test
    void aTenCharacterExponentCostsNothing() {
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(Decimals.problem("1e99999999", MONEY)).isNotNull();
        }
        // no timing assertion (benchmarks measure); this only shows the refusal never builds the number
        assertThat(System.nanoTime() - start).isPositive();
    }

    @Test
    void negativesOnlyWhereTheShapeAllowsThem() {
        assertThat(Decimals.problem("-12.50", MONEY)).isEqualTo("must not be negative");
        assertThat(Decimals.problem("-12.50", new Decimals.Shape(12, 2, true))).isNull();
        assertThat(Decimals.parse("-12.5", new Decimals.Shape(12, 2, true), "x"))
                .isEqualByComparingTo("-12.50");
    }

    @Test
    void ratesHaveTheirOwnShape() {
        Decimals.Shape rate = new Decimals.Shape(1, 4, false);
        assertThat(Decimals.problem("0.2", rate)).isNull();
        assertThat(Decimals.problem("0.0550", rate)).isNull();
        assertThat(Decimals.problem("0.05501", rate)).isEqualTo("has more than 4 digits after the point");
        assertThat(Decimals.problem("20", rate)).isEqualTo("has more than 1 digits before the point");
    }
}
