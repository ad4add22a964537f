package fr.interieur.neogend.gateway.transcoding;

/**
 * What a refusal may repeat of a caller's input: at most {@value #MAX} characters, control
 * characters shown as U+FFFD, and the length when it was cut — so an error message never grows with
 * the input (a 20,000-character value once overflowed the 8 KiB of gRPC trailers).
 */
public final class Echo {

    public static final int MAX = 40;

    private Echo() {}

    /** The text quoted for a message: {@code 'abc'}, or {@code 'abc…' (20000 characters)}. */
    public static String quote(String text) {
        if (text == null) {
            return "''";
        }
        int end = Math.min(text.length(), MAX);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end + 24).append('\'');
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c >= 0x7f && c <= 0x9f ? '\uFFFD' : c);
        }
        out.append(end < text.length() ? "…' (" + text.length() + " characters)" : "'");
        return out.toString();
    }

    /** A message from a parser, cut to {@code max} characters. */
    public static String cut(String message, int max) {
        if (message == null || message.length() <= max) {
            return message;
        }
        return message.substring(0, max) + "… (cut)";
    }
}
