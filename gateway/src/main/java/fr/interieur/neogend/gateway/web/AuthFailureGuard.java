package fr.interieur.neogend.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.function.Predicate;

/**
 * The limit before authentication: per client address, failed authentications (no credential, a
 * malformed, forged, expired or revoked token or device credential) are counted in a token bucket;
 * once an address has spent it, whatever it sends that is not a credential verified already is
 * answered 429 with {@code Retry-After} at the cost of this check — on the API and on any path a credential
 * is sent to (however the path is written) — no signature check, no key
 * fetch, no call to telemetry, no body read. Credentials verified already (a token or device
 * credential in the gateway's caches) still pass, so a flood from an address shared with honest
 * clients (a NAT, a mobile carrier) does not lock those clients out.
 */
public class AuthFailureGuard implements WebFilter, Ordered {

    private final RateLimiter failures;
    private final ClientAddress addresses;
    private final Predicate<String> verifiedAlready;

    /**
     * @param failures        buckets of failed authentications per address
     * @param verifiedAlready whether an Authorization header carries a credential verified already
     */
    public AuthFailureGuard(RateLimiter failures, ClientAddress addresses, Predicate<String> verifiedAlready) {
        this.failures = failures;
        this.addresses = addresses;
        this.verifiedAlready = verifiedAlready;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // the API, and any path a credential is sent to: the security chain checks a credential wherever it is
        // sent, so "/%61pi/…" or "/x" with a forged token cost a signature check as much as "/api/…" does
        if (!failures.enabled()
                || !exchange.getRequest().getPath().value().startsWith("/api/")
                        && !exchange.getRequest().getHeaders().containsHeader("Authorization")) {
            return chain.filter(exchange);
        }
        String address = addresses.of(exchange);
        RateLimiter.Decision decision = failures.peek(address);
        if (decision.allowed()) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
        if (authorization != null && verifiedAlready.test(authorization)) {
            return chain.filter(exchange);
        }
        return RateLimitFilter.tooMany(exchange, decision, "too many failed authentications from this address");
    }

    /** Counts a failed authentication against the exchange's address. */
    public void failed(ServerWebExchange exchange) {
        if (failures.enabled()) {
            failures.acquire(addresses.of(exchange));
        }
    }

    /** Before Spring Security (order -100), after the correlation id. */
    @Override
    public int getOrder() {
        return -150;
    }
}
