package fr.interieur.neogend.inventory.persistence;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/** Which devices a pack held during a billed interval (the detail export of rule 13 names them). */
class DevicesHeldTest {

    static final LocalDate DEC_1 = LocalDate.of(2026, 12, 1);
    static final LocalDate JAN_1 = LocalDate.of(2027, 1, 1);

    @Test
    void withoutExchangeTheOneDevice() {
        assertThat(JdbcLeaseRepository.devicesHeld("A", new String[0], DEC_1, JAN_1))
                .containsExactly("A");
    }

    @Test
    void anExchangeInsideTheIntervalNamesBothTheLastFirst() {
        assertThat(JdbcLeaseRepository.devicesHeld("B", new String[] {"2026-12-10|A|B"}, DEC_1, JAN_1))
                .containsExactly("B", "A");
    }

    @Test
    void anExchangeOnTheFirstDayStillNamesTheDeviceThatLeftThatDay() {
        assertThat(JdbcLeaseRepository.devicesHeld("B", new String[] {"2026-12-01|A|B"}, DEC_1, JAN_1))
                .containsExactly("B", "A");
    }

    @Test
    void anExchangeAfterTheIntervalNamesOnlyTheDeviceHeldThen() {
        assertThat(JdbcLeaseRepository.devicesHeld(
                        "C", new String[] {"2026-11-20|A|B", "2027-01-05|B|C"}, DEC_1, JAN_1))
                .containsExactly("B");
    }

    @Test
    void anExchangeBeforeTheIntervalIsHistory() {
        assertThat(JdbcLeaseRepository.devicesHeld("B", new String[] {"2026-11-20|A|B"}, DEC_1, JAN_1))
                .containsExactly("B");
    }

    @Test
    void severalExchangesInOneMonthInOrderTheLastFirst() {
        assertThat(JdbcLeaseRepository.devicesHeld(
                        "C", new String[] {"2026-12-03|A|B", "2026-12-20|B|C"}, DEC_1, JAN_1))
                .containsExactly("C", "B", "A");
    }
}
