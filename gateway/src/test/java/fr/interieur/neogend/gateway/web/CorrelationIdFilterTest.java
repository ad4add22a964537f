package fr.interieur.neogend.gateway.web;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class CorrelationIdFilterTest {

    private final CorrelationIdFilter filter = new CorrelationIdFilter();

    @Test
    void newIdsAreVersionFourUuidsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = CorrelationIdFilter.newId();
            UUID parsed = UUID.fromString(id);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(parsed.toString()).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void aSaneIdIsKeptAndAnsweredAndAHostileOneIsReplaced() {
        assertThat(idFor("corr-123")).isEqualTo("corr-123");
        for (String hostile : new String[] {"a\u0000b", "x".repeat(65), "<script>", "a b", "é", ""}) {
            String id = idFor(hostile);
            assertThat(id).isNotEqualTo(hostile);
            assertThat(UUID.fromString(id).version()).isEqualTo(4);
        }
    }

    /** The id the filter gives a request carrying {@code given}: the same in the attribute and the answer. */
    private String idFor(String given) {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get("/api/v1/devices").header(CorrelationIdFilter.HEADER, given));
        AtomicReference<String> downstream = new AtomicReference<>();
        filter.filter(exchange, e -> {
                    downstream.set(CorrelationIdFilter.of(e));
                    return Mono.empty();
                })
                .block();
        assertThat(exchange.getResponse().getHeaders().getFirst(CorrelationIdFilter.HEADER))
                .isEqualTo(downstream.get());
        return downstream.get();
    }
}
