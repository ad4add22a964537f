package fr.interieur.neogend.contract;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text, any year/month/day: {@link CalendarDates} answers and never throws, and accepts exactly
 * the dates that java.time's strict ISO parser accepts in years 1 to 9999 (an independent oracle).
 */
class CalendarDatesFuzzTest {

    private static final DateTimeFormatter STRICT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    @FuzzTest(maxDuration = "60s")
    void anyTextIsARealDateOrRefused(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        String problem = CalendarDates.problem(text);
        boolean real;
        try {
            LocalDate d = LocalDate.parse(text, STRICT);
            real = d.getYear() >= 1
                    && d.getYear() <= 9999
                    && text.length() == 10
                    && text.chars().allMatch(c -> c == '-' || c >= '0' && c <= '9');
        } catch (DateTimeParseException e) {
            real = false;
        }
        assertThat(problem == null).as("'%s': %s", text, problem).isEqualTo(real);
        if (real) {
            assertThat(CalendarDates.parse(text, "d")).isEqualTo(LocalDate.parse(text, STRICT));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyTripleIsARealDateOrRefused(FuzzedDataProvider data) {
        int year = data.consumeInt();
        int month = data.consumeInt();
        int day = data.consumeInt();
        String problem = CalendarDates.problem(year, month, day);
        boolean real;
        try {
            LocalDate.of(year, month, day);
            real = year >= 1 && year <= 9999;
        } catch (java.time.DateTimeException e) {
            real = false;
        }
        assertThat(problem == null)
                .as("%d-%d-%d: %s", year, month, day, problem)
                .isEqualTo(real);
    }
}
