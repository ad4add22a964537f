package fr.interieur.neogend.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Headers a request carries once at most (RFC 9110 §5.3: none of them is a list): given twice, the
 * request is ambiguous — two bearer tokens, a token and a Basic credential, two Idempotency-Keys,
 * two correlation ids, two body types — and the gateway read the first where another reader may take
 * the last. It is refused with a 400 problem, as the firewall refuses a path it cannot read, before
 * the credential is checked or anything reaches a service; never served under either value.
 */
public class SingleHeaders implements WebFilter, Ordered {

    static final List<String> SINGLE =
            List.of(HttpHeaders.AUTHORIZATION, "Idempotency-Key", CorrelationIdFilter.HEADER, HttpHeaders.CONTENT_TYPE);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        for (String name : SINGLE) {
            List<String> values = headers.get(name);
            if (values != null && values.size() > 1) {
                SecurityHeaders.apply(exchange.getResponse().getHeaders());
                return Problems.write(
                        exchange.getResponse(),
                        400,
                        "BAD_REQUEST",
                        "the " + name + " header is given " + values.size() + " times; send it once",
                        exchange.getRequest().getPath().value(),
                        CorrelationIdFilter.of(exchange),
                        List.of());
            }
        }
        return chain.filter(exchange);
    }

    /** After the correlation id (the refusal carries one), before the failure guard and Spring Security. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
