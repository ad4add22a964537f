package fr.interieur.neogend.gateway.web;

import fr.interieur.neogend.gateway.security.DeviceAuthentication;
import org.springframework.core.Ordered;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Limits requests per client, after authentication, keyed on verified identities only: a person or
 * a supplier's client by its token's subject, a device by the id of the credential it was verified with;
 * the public API reference by the client's address. Over the limit: 429 with {@code Retry-After}
 * (whole seconds) and a problem body; nothing reaches the services. What a caller cannot prove
 * (a made-up device id, an invalid token) is limited before authentication, per address
 * ({@link AuthFailureGuard}).
 */
public class RateLimitFilter implements WebFilter, Ordered {

    private final ClientRateLimit limiter;
    private final ClientAddress addresses;

    public RateLimitFilter(ClientRateLimit limiter, ClientAddress addresses) {
        this.limiter = limiter;
        this.addresses = addresses;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!limiter.enabled() || !exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal()
                .map(p -> p instanceof JwtAuthenticationToken jwt
                        ? "sub:" + jwt.getToken().getSubject()
                        : p instanceof DeviceAuthentication device
                                ? "device:" + device.id()
                                : "ip:" + addresses.of(exchange))
                .switchIfEmpty(Mono.fromSupplier(() -> "ip:" + addresses.of(exchange)))
                .flatMap(limiter::acquire)
                .flatMap(decision -> decision.allowed()
                        ? chain.filter(exchange)
                        : tooMany(exchange, decision, "too many requests from this client"));
    }

    /** 429 with Retry-After in whole seconds and a problem body. */
    static Mono<Void> tooMany(ServerWebExchange exchange, RateLimiter.Decision decision, String why) {
        long seconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
        exchange.getResponse().getHeaders().set("Retry-After", String.valueOf(seconds));
        SecurityHeaders.apply(exchange.getResponse().getHeaders());
        return Problems.write(
                exchange.getResponse(),
                429,
                "RESOURCE_EXHAUSTED",
                why + ": retry after " + seconds + " s",
                exchange.getRequest().getPath().value(),
                CorrelationIdFilter.of(exchange),
                List.of());
    }

    /** After Spring Security (order -100), so the principal is known. */
    @Override
    public int getOrder() {
        return 0;
    }
}
