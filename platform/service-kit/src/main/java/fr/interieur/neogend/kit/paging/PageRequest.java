package fr.interieur.neogend.kit.paging;

import fr.interieur.neogend.kit.error.InvalidArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A validated page request: size bounded to 1..{@value #MAX_SIZE} (0 means the default), and an
 * opaque token that carries the last key of the previous page (keyset pagination) plus a
 * fingerprint of the filters, so a token cannot be replayed against another query.
 *
 * @param size     rows to return
 * @param afterKey the key after which the page starts, empty for the first page
 */
public record PageRequest(int size, Optional<String> afterKey) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;
    private static final String VERSION = "p2"; // p1's fingerprint was String.hashCode: "Aa" and "BB" collided

    /**
     * An unambiguous rendering of filter values, for {@link #of}: each value prefixed with its length, so
     * that no value holding a separator reads as two ({@code "X|Y", ""} and {@code "X", "Y"} differ). A
     * missing value is rendered as the empty string.
     */
    public static String filters(Object... values) {
        StringBuilder out = new StringBuilder();
        for (Object value : values) {
            String text = value == null ? "" : value.toString();
            out.append(text.length()).append(':').append(text).append(';');
        }
        return out.toString();
    }

    /**
     * Validates a page size and token.
     *
     * @param filters a stable rendering of the request's filters
     */
    public static PageRequest of(int pageSize, String pageToken, String filters) {
        if (pageSize < 0) {
            throw InvalidArgumentException.of("page_size", "must not be negative");
        }
        int size = pageSize == 0 ? DEFAULT_SIZE : Math.min(pageSize, MAX_SIZE);
        if (pageToken == null || pageToken.isEmpty()) {
            return new PageRequest(size, Optional.empty());
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw InvalidArgumentException.of("page_token", "is not a token this service issued");
        }
        String[] parts = decoded.split("\\|", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION) || parts[2].isEmpty()) {
            throw InvalidArgumentException.of("page_token", "is not a token this service issued");
        }
        if (!parts[1].equals(fingerprint(filters))) {
            throw InvalidArgumentException.of("page_token", "was issued for other filters");
        }
        return new PageRequest(size, Optional.of(parts[2]));
    }

    /** How many rows to fetch: one more than the page, to learn whether another page follows. */
    public int fetchSize() {
        return size + 1;
    }

    /**
     * Cuts rows fetched with {@link #fetchSize()} to a page, with the token of the next page when
     * there is one.
     *
     * @param keyOf the key rows are ordered by (what the next page starts after)
     */
    public <T> Page<T> toPage(List<T> rows, Function<T, String> keyOf, String filters) {
        if (rows.size() <= size) {
            return new Page<>(rows, "");
        }
        List<T> shown = rows.subList(0, size);
        return new Page<>(shown, tokenAfter(keyOf.apply(shown.get(size - 1)), filters));
    }

    /** The token that resumes after {@code lastKey} with the same filters. */
    public static String tokenAfter(String lastKey, String filters) {
        String raw = VERSION + "|" + fingerprint(filters) + "|" + lastKey;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** 128 bits of the filters' SHA-256: no two renderings of filters share a fingerprint by chance. */
    private static String fingerprint(String filters) {
        try {
            byte[] digest =
                    java.security.MessageDigest.getInstance("SHA-256").digest(filters.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
