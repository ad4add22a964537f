package fr.interieur.neogend.kit.validation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlainTextTest {

    @Test
    void spacesOfAnyKindAndInvisibleCharactersAloneAreNothingToRead() {
        for (String nothing : new String[] {"", "   ", "\u00a0", "\u200b\u2009", "\t\n", "\ufeff\u2060"}) {
            assertThat(PlainText.visible(nothing))
                    .as("%s", nothing.codePoints().boxed().toList())
                    .isFalse();
        }
        assertThat(PlainText.visible(" x ")).isTrue();
        assertThat(PlainText.visible("\u00a0É")).isTrue();
    }

    @Test
    void aModelIsWrittenWithPlainSingleSpacesAndComposedAccents() {
        assertThat(PlainText.writtenAsModel("Robuste Été X5")).isTrue();
        for (String lookAlike : new String[] {
            "Rugged\u00a0X5",
            "Rugged X5\u200b",
            "Rugged\u2009X5",
            "Rugged  X5",
            "Robuste E\u0301te\u0301 X5",
            "\ufeffRugged"
        }) {
            assertThat(PlainText.writtenAsModel(lookAlike))
                    .as("%s", lookAlike.codePoints().boxed().toList())
                    .isFalse();
        }
    }

    @Test
    void aFamilyOrFittingBeginsAModelName() {
        assertThat(PlainText.beginsAModelName("Rugged X")).isTrue();
        assertThat(PlainText.beginsAModelName("Rugged "))
                .as("a prefix may end with its space")
                .isTrue();
        for (String never : new String[] {"", " Rugged", "\u00a0Rugged", "Rugged  X", "Rugged\u200bX"}) {
            assertThat(PlainText.beginsAModelName(never))
                    .as("%s", never.codePoints().boxed().toList())
                    .isFalse();
        }
    }
}
