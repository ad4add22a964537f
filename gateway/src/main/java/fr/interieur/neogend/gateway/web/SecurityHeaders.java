package fr.interieur.neogend.gateway.web;

import org.springframework.http.HttpHeaders;

/**
 * The headers every API answer carries, written by Spring Security's header writer on answers that
 * go through the security chain, and by this class on the few that cannot (a request the firewall
 * or the HTTP decoder refuses before any chain runs).
 */
public final class SecurityHeaders {

    public static final String API_CSP = "default-src 'none'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    /** Sets the API's security headers (those not set already). */
    public static void apply(HttpHeaders headers) {
        for (String[] pair : pairs()) {
            if (!headers.containsHeader(pair[0])) {
                headers.set(pair[0], pair[1]);
            }
        }
    }

    /** The same headers as (name, value) pairs, for answers written below Spring (the HTTP decoder's). */
    public static String[][] pairs() {
        return new String[][] {
            {"Content-Security-Policy", API_CSP},
            {"X-Content-Type-Options", "nosniff"},
            {"X-Frame-Options", "DENY"},
            {"Referrer-Policy", "no-referrer"},
            {"Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"},
            {"Strict-Transport-Security", "max-age=31536000 ; includeSubDomains"}
        };
    }
}
