package fr.interieur.neogend.kit.validation;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text: {@link Imei#problem} answers (never throws), accepts exactly the 15-digit strings whose
 * last digit is the Luhn digit, and the check digit catches every single-digit typo. Regression
 * mode replays {@code src/test/resources/…/ImeiFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ImeiFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyTextIsJudgedNeverThrown(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        String problem = Imei.problem(text);
        boolean fifteenDigits = text.length() == 15 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!fifteenDigits) {
            assertThat(problem).as("'%s'", text).isNotNull();
            return;
        }
        boolean luhn = luhnSum(text) % 10 == 0;
        assertThat(problem == null).as("'%s'", text).isEqualTo(luhn);
    }

    @FuzzTest(maxDuration = "60s")
    void theCheckDigitCatchesEverySingleDigitTypo(FuzzedDataProvider data) {
        StringBuilder body = new StringBuilder(14);
        for (int i = 0; i < 14; i++) {
            body.append((char) ('0' + data.consumeInt(0, 9)));
        }
        String imei = body.toString() + Imei.checkDigit(body.toString());
        assertThat(Imei.problem(imei)).as(imei).isNull();
        int at = data.consumeInt(0, 14);
        char typo = (char) ('0' + (imei.charAt(at) - '0' + data.consumeInt(1, 9)) % 10);
        String wrong = imei.substring(0, at) + typo + imei.substring(at + 1);
        assertThat(Imei.problem(wrong)).as(wrong).isEqualTo("has a wrong check digit (Luhn)");
    }

    /** The Luhn sum written independently of {@link Imei}: every second digit from the right doubled. */
    private static int luhnSum(String digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return sum;
    }
}
