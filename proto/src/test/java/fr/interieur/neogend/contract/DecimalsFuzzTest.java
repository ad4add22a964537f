package fr.interieur.neogend.contract;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text and any shape: {@link Decimals#problem} answers and never throws; it accepts exactly the
 * plain-notation numbers of the shape (checked against an independent regular expression); an
 * accepted text parses to the same value with the shape's scale, and a refusal never repeats the
 * text. Regression mode replays {@code src/test/resources/…/DecimalsFuzzTestInputs}.
 */
class DecimalsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyTextIsJudgedByTheShapeNeverThrown(FuzzedDataProvider data) {
        Decimals.Shape shape = new Decimals.Shape(
                data.consumeInt(1, Decimals.MAX_INTEGER_DIGITS),
                data.consumeInt(0, Decimals.MAX_FRACTION_DIGITS),
                data.consumeBoolean());
        String text = data.consumeRemainingAsString();
        String problem = Decimals.problem(text, shape);
        Pattern plain = Pattern.compile((shape.signed() ? "-?" : "") + "[0-9]{1," + shape.integerDigits() + "}"
                + (shape.fractionDigits() > 0 ? "(\\.[0-9]{1," + shape.fractionDigits() + "})?" : ""));
        boolean expected = plain.matcher(text).matches();
        assertThat(problem == null).as("'%s' with %s: %s", text, shape, problem).isEqualTo(expected);
        if (problem == null) {
            BigDecimal value = Decimals.parse(text, shape, "f");
            assertThat(value.scale()).isEqualTo(shape.fractionDigits());
            assertThat(value).isEqualByComparingTo(new BigDecimal(text));
        } else if (text.length() > 12) {
            assertThat(problem).doesNotContain(text);
        }
    }
}
