package fr.interieur.neogend.order.money;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The amount type of order: exact to the cent, one rounding per rule (DOMAIN rule 13). */
class MoneyTest {

    @Test
    void amountsReadFromDifferentNotationsAreEqualAndShownWithTwoDecimals() {
        assertThat(Money.of("21.9")).isEqualTo(Money.of("21.90")).hasSameHashCodeAs(Money.of("21.900"));
        assertThat(Money.of("7")).hasToString("7.00");
        assertThat(new Money(new BigDecimal("1E+3"))).hasToString("1000.00");
    }

    @Test
    void aFractionOfACentCannotBeBuilt() {
        assertThatThrownBy(() -> Money.of("0.005"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.005 is not a whole number of cents");
    }

    @Test
    void aProratedMonthlyPriceIsRoundedHalfUpOnce() {
        // 21.90 × 15 / 30 = 10.95 exactly; 21.90 × 1 / 31 = 0.70645… → 0.71; 0.05 × 1 / 2 = 0.025 → 0.03
        assertThat(Money.of("21.90").prorated(15, 30)).isEqualTo(Money.of("10.95"));
        assertThat(Money.of("21.90").prorated(1, 31)).isEqualTo(Money.of("0.71"));
        assertThat(Money.of("0.05").prorated(1, 2)).isEqualTo(Money.of("0.03"));
        // rounding once per line, not per pack: 100 packs for 1 day of 31 is 70.65, not 100 × 0.71
        assertThat(Money.of("21.90").prorated(100, 31)).isEqualTo(Money.of("70.65"));
        assertThatThrownBy(() -> Money.of("1").prorated(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void vatIsTheAmountTimesTheRateRoundedHalfUp() {
        assertThat(Money.of("10.05").at(new BigDecimal("0.20"))).isEqualTo(Money.of("2.01"));
        assertThat(Money.of("0.25").at(new BigDecimal("0.5"))).isEqualTo(Money.of("0.13"));
    }

    @Test
    void sumsDifferencesAndComparisonsAreExact() {
        Money a = Money.of("0.10");
        Money threeTimes = a.plus(a).plus(a);
        assertThat(threeTimes).isEqualTo(Money.of("0.30")).isEqualTo(a.times(3));
        assertThat(Money.of("5").minus(Money.of("7.5"))).isEqualTo(Money.of("-2.50"));
        assertThat(Money.of("-2.50").isNegative()).isTrue();
        assertThat(Money.ZERO.isNegative()).isFalse();
        assertThat(Money.of("100.01").isGreaterThan(Money.of("100"))).isTrue();
        assertThat(Money.of("100.00").isGreaterThan(Money.of("100"))).isFalse();
    }
}
