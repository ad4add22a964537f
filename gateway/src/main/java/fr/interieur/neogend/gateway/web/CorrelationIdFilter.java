package fr.interieur.neogend.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request a correlation id (the client's {@code X-Correlation-Id} if it is sane, a new
 * one otherwise), returns it in the response and hands it to the services in gRPC metadata, so
 * one id follows a request through every log. Runs before security, so refusals carry it too.
 */
public class CorrelationIdFilter implements WebFilter, Ordered {

    public static final String HEADER = "X-Correlation-Id";
    public static final String ATTRIBUTE = CorrelationIdFilter.class.getName();
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // two ids: neither is believed (SingleHeaders refuses the request with a new one)
        java.util.List<String> given = exchange.getRequest().getHeaders().get(HEADER);
        String id = idFor(given == null || given.size() != 1 ? null : given.get(0));
        // kept as an attribute (what the transcoder sends in gRPC metadata and problems quote), not
        // written back into the request: copying its headers cost more than the rest of this filter
        exchange.getResponse().getHeaders().set(HEADER, id);
        exchange.getAttributes().put(ATTRIBUTE, id);
        return chain.filter(exchange);
    }

    /** The client's id when it is sane (1 to 64 of {@code [A-Za-z0-9._-]}), a new one otherwise. */
    static String idFor(String given) {
        return given != null && SAFE.matcher(given).matches() ? given : newId();
    }

    /**
     * A random (version 4) UUID from the thread's generator: an id to find a request in the logs is
     * no secret, and {@link UUID#randomUUID()} takes a lock on a shared SecureRandom per request.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;
        long low = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** The id of an exchange this filter has seen. */
    public static String of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
