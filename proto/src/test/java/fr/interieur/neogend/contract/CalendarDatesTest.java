package fr.interieur.neogend.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalendarDatesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-02-30",
                "2026-02-29",
                "2025-04-31",
                "2026-13-01",
                "2026-00-10",
                "2026-01-00",
                "0000-01-01",
                "2026-1-01",
                "2026/01/01",
                "２０２６-01-01",
                "2026-01-01T00:00",
                "",
                "20260101",
                "+2026-01-01"
            })
    void impossibleOrMisWrittenDatesAreRefused(String text) {
        assertThat(CalendarDates.problem(text)).as(text).isNotNull();
        assertThatThrownBy(() -> CalendarDates.parse(text, "readings[0].security_patch_level"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("readings[0].security_patch_level: ");
    }

    @Test
    void realDatesAreAccepted() {
        assertThat(CalendarDates.parse("2024-02-29", "d")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(CalendarDates.parse("9999-12-31", "d")).isEqualTo(LocalDate.of(9999, 12, 31));
        assertThat(CalendarDates.problem("2026-02-30")).contains("FEBRUARY 2026 has 28 days");
    }

    @Test
    void yearMonthDayTriplesAreCheckedTheSameWay() {
        assertThat(CalendarDates.problem(2026, 2, 29)).isNotNull();
        assertThat(CalendarDates.problem(0, 1, 1)).isNotNull();
        assertThat(CalendarDates.problem(2026, 12, 31)).isNull();
        assertThatThrownBy(() -> CalendarDates.of(2026, 4, 31, "order.requested_date"))
                .hasMessageStartingWith("order.requested_date: ");
    }
}
