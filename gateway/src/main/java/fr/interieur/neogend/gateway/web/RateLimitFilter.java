package fr.interieur.neogend.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Limits requests per client (after authentication): a person or a supplier's client by its token's
 * subject, a device by its credential id, anything else by its address. Over the limit: 429 with
 * {@code Retry-After} (whole seconds) and a problem body; nothing reaches the services.
 */
public class RateLimitFilter implements WebFilter, Ordered {

    private final RateLimiter limiter;

    public RateLimitFilter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!limiter.enabled() || !exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal()
                .map(p -> p instanceof JwtAuthenticationToken jwt ? "sub:" + jwt.getToken().getSubject() : "name:" + p.getName())
                .switchIfEmpty(Mono.fromSupplier(() -> anonymousKey(exchange)))
                .flatMap(client -> {
                    RateLimiter.Decision decision = limiter.acquire(client);
                    if (decision.allowed()) {
                        return chain.filter(exchange);
                    }
                    long seconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
                    exchange.getResponse().getHeaders().set("Retry-After", String.valueOf(seconds));
                    return Problems.write(exchange.getResponse(), 429, "RESOURCE_EXHAUSTED",
                            "too many requests from this client: retry after " + seconds + " s",
                            exchange.getRequest().getPath().value(), CorrelationIdFilter.of(exchange), List.of());
                });
    }

    /** A device by the id part of its credential ({@code Device <id>.<secret>}), else the peer address. */
    static String anonymousKey(ServerWebExchange exchange) {
        String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
        if (authorization != null && authorization.startsWith("Device ")) {
            int dot = authorization.indexOf('.', 7);
            if (dot > 7 && dot - 7 <= 64) {
                return "device:" + authorization.substring(7, dot);
            }
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return "ip:" + (remote == null || remote.getAddress() == null ? "?" : remote.getAddress().getHostAddress());
    }

    /** After Spring Security (order -100), so the principal is known. */
    @Override
    public int getOrder() {
        return 0;
    }
}
