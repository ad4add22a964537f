package fr.interieur.neogend.kit.validation;

import java.text.Normalizer;

/**
 * Texts people read and names that must match others: what every service refuses alike. A device model is
 * written as inventory registers it (rule 7) — plain spaces only, one at a time, accents composed — so that a
 * name that looks like a model is that model: in inventory's serial numbers, order's delivery notes, telemetry's
 * releases, accessories' parts and training's model families.
 */
public final class PlainText {

    private PlainText() {}

    /** Whether a text holds something to read: spaces of any kind (no-break, thin…) and invisible characters alone are nothing. */
    public static boolean visible(String text) {
        return text.codePoints()
                .anyMatch(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c) && !invisible(c));
    }

    /** A format character (zero-width space, joiner, soft hyphen, BOM…) or a space other than U+0020. */
    public static boolean invisibleOrOddSpace(int c) {
        return invisible(c) || (c != ' ' && Character.isSpaceChar(c));
    }

    /** No two spaces in a row, accents composed (Unicode NFC): "Rugged  X5" or an "É" as E + U+0301 look like others. */
    public static boolean singleSpacedAndComposed(String text) {
        return !text.contains("  ") && Normalizer.isNormalized(text, Normalizer.Form.NFC);
    }

    /** Written as inventory writes device models: no invisible character, plain single spaces, accents composed. */
    public static boolean writtenAsModel(String text) {
        return text.codePoints().noneMatch(PlainText::invisibleOrOddSpace) && singleSpacedAndComposed(text);
    }

    /** Whether a text can begin a model's name as inventory writes it (a part's fitting, a course's family). */
    public static boolean beginsAModelName(String text) {
        return !text.isEmpty() && !Character.isSpaceChar(text.codePointAt(0)) && writtenAsModel(text);
    }

    private static boolean invisible(int c) {
        return Character.getType(c) == Character.FORMAT;
    }
}
