package fr.interieur.neogend.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.function.Consumer;
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

    private static final String COUNTED = AuthFailureGuard.class.getName() + ".counted";

    private final RateLimiter failures;
    private final ClientAddress addresses;
    private final Predicate<String> verifiedAlready;
    private final Consumer<String> refusedByAService;

    /**
     * @param failures          buckets of failed authentications per address
     * @param verifiedAlready   whether an Authorization header carries a credential verified already
     * @param refusedByAService told of an Authorization header the gateway let through and a service answered
     *                          401 (a credential revoked since it was verified): no longer verified already
     */
    public AuthFailureGuard(
            RateLimiter failures,
            ClientAddress addresses,
            Predicate<String> verifiedAlready,
            Consumer<String> refusedByAService) {
        this.failures = failures;
        this.addresses = addresses;
        this.verifiedAlready = verifiedAlready;
        this.refusedByAService = refusedByAService;
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
        String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
        if (decision.allowed() || authorization != null && verifiedAlready.test(authorization)) {
            countedWhenRefused(exchange, authorization);
            return chain.filter(exchange);
        }
        return RateLimitFilter.tooMany(exchange, decision, "too many failed authentications from this address");
    }

    /**
     * Every 401 spends one failure, also one a service answered to a credential the gateway let through
     * (a device credential revoked since telemetry accepted it or tagged, ADR 0026): that credential is
     * no longer taken as verified already, so its next use is checked again before its body is read.
     */
    private void countedWhenRefused(ServerWebExchange exchange, String authorization) {
        exchange.getResponse().beforeCommit(() -> {
            var status = exchange.getResponse().getStatusCode();
            if (status != null
                    && status.value() == 401
                    && !exchange.getAttributes().containsKey(COUNTED)) {
                failed(exchange);
                if (authorization != null) {
                    refusedByAService.accept(authorization);
                }
            }
            return Mono.empty();
        });
    }

    /** Counts a failed authentication against the exchange's address, once per exchange. */
    public void failed(ServerWebExchange exchange) {
        if (failures.enabled() && exchange.getAttributes().putIfAbsent(COUNTED, Boolean.TRUE) == null) {
            failures.acquire(addresses.of(exchange));
        }
    }

    /** Before Spring Security (order -100), after the correlation id. */
    @Override
    public int getOrder() {
        return -150;
    }
}
