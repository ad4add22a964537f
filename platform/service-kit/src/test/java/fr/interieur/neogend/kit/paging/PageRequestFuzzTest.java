package fr.interieur.neogend.kit.paging;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import fr.interieur.neogend.kit.error.InvalidArgumentException;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged, garbled and replayed page tokens: {@link PageRequest#of} either accepts (a size in
 * 1..500, a non-empty resume key) or refuses with {@link InvalidArgumentException} on
 * {@code page_size} / {@code page_token} — never another exception. A token it issued resumes
 * exactly after its key, for the same filters only.
 */
class PageRequestFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyTokenIsAcceptedOrRefusedCleanly(FuzzedDataProvider data) {
        int size = data.consumeInt();
        String filters = data.consumeString(40);
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeRemainingAsString(); // raw garbage
            case 1 -> garble(PageRequest.tokenAfter(data.consumeString(40), filters), data); // a real one, damaged
            default -> PageRequest.tokenAfter(data.consumeString(40), data.consumeRemainingAsString()); // other filters
        };
        try {
            PageRequest page = PageRequest.of(size, token, filters);
            assertThat(page.size()).isBetween(1, PageRequest.MAX_SIZE);
            assertThat(page.afterKey().isPresent()).isEqualTo(!token.isEmpty());
            page.afterKey().ifPresent(key -> assertThat(key).isNotEmpty());
        } catch (InvalidArgumentException e) {
            assertThat(e.violations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.field()).isIn("page_size", "page_token"));
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anIssuedTokenResumesAfterItsKeyForItsFiltersOnly(FuzzedDataProvider data) {
        String filters = data.consumeString(40);
        String key = data.consumeRemainingAsString();
        if (key.isEmpty() || !new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(key)) {
            return; // keys are row keys: never empty, always well-formed text
        }
        String token = PageRequest.tokenAfter(key, filters);
        assertThat(PageRequest.of(10, token, filters).afterKey()).contains(key);
        String other = filters + "x";
        try {
            PageRequest.of(10, token, other);
            throw new AssertionError("a token was replayed against other filters");
        } catch (InvalidArgumentException expected) {
            assertThat(expected.violations().get(0).field()).isEqualTo("page_token");
        }
    }

    private static String garble(String token, FuzzedDataProvider data) {
        StringBuilder out = new StringBuilder(token);
        int edits = data.consumeInt(1, 4);
        for (int i = 0; i < edits && !out.isEmpty(); i++) {
            int at = data.consumeInt(0, out.length() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> out.setCharAt(at, data.consumeChar());
                case 1 -> out.deleteCharAt(at);
                default -> out.insert(at, data.consumeChar());
            }
        }
        return out.toString();
    }
}
