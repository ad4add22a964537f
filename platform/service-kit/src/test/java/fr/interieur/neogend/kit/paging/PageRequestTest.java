package fr.interieur.neogend.kit.paging;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageRequestTest {

    @Test
    void sizeDefaultsAndIsCapped() {
        assertThat(PageRequest.of(0, "", "f").size()).isEqualTo(PageRequest.DEFAULT_SIZE);
        assertThat(PageRequest.of(10_000, "", "f").size()).isEqualTo(PageRequest.MAX_SIZE);
        assertThat(PageRequest.of(7, null, "f").fetchSize()).isEqualTo(8);
        assertThatThrownBy(() -> PageRequest.of(-1, "", "f"))
                .isInstanceOfSatisfying(
                        InvalidArgumentException.class,
                        e -> assertThat(e.violations())
                                .extracting(InvalidArgumentException.Violation::field)
                                .containsExactly("page_size"));
    }

    @Test
    void tokenResumesAfterTheLastKeyOfTheSameFilters() {
        PageRequest first = PageRequest.of(2, "", "state=A");
        Page<String> page = first.toPage(List.of("a", "b", "c"), Function.identity(), "state=A");
        assertThat(page.items()).containsExactly("a", "b");
        PageRequest next = PageRequest.of(2, page.nextPageToken(), "state=A");
        assertThat(next.afterKey()).isEqualTo(Optional.of("b"));
        assertThat(next.toPage(List.of("c"), Function.identity(), "state=A").nextPageToken())
                .isEmpty();
    }

    @Test
    void aTokenIsRefusedForFiltersWhoseJavaHashIsTheSame() {
        assertThat("model=Aa".hashCode()).isEqualTo("model=BB".hashCode()); // the pair the old fingerprint missed
        String token = PageRequest.tokenAfter("350000000000014", "model=Aa");
        assertThatThrownBy(() -> PageRequest.of(2, token, "model=BB")).hasMessageContaining("other filters");
        assertThat(PageRequest.of(2, token, "model=Aa").afterKey()).contains("350000000000014");
    }

    @Test
    void filterValuesHoldingASeparatorNeverReadAsOtherValues() {
        assertThat(PageRequest.filters("X|Y", "")).isNotEqualTo(PageRequest.filters("X", "Y"));
        assertThat(PageRequest.filters("a;1:b", "")).isNotEqualTo(PageRequest.filters("a", "b"));
        assertThat(PageRequest.filters("", "")).isNotEqualTo(PageRequest.filters(""));
        assertThat(PageRequest.filters(null, "x")).isEqualTo(PageRequest.filters("", "x"));
    }

    @Test
    void foreignOrTamperedTokensAreRefused() {
        String token = PageRequest.tokenAfter("b", "state=A");
        assertThatThrownBy(() -> PageRequest.of(2, token, "state=B")).hasMessageContaining("other filters");
        assertThatThrownBy(() -> PageRequest.of(2, "%%%", "state=A")).hasMessageContaining("page_token");
        assertThatThrownBy(() -> PageRequest.of(2, "bm90LWEtdG9rZW4", "state=A"))
                .hasMessageContaining("page_token");
    }
}
