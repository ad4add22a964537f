package fr.interieur.neogend.gateway.security;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import fr.interieur.neogend.gateway.console.ConsoleProperties;
import fr.interieur.neogend.gateway.transcoding.GrpcBackends;
import fr.interieur.neogend.gateway.transcoding.RouteTable;
import fr.interieur.neogend.gateway.web.AuthFailureGuard;
import fr.interieur.neogend.gateway.web.ClientAddress;
import fr.interieur.neogend.gateway.web.ClientRateLimit;
import fr.interieur.neogend.gateway.web.CorrelationIdFilter;
import fr.interieur.neogend.gateway.web.DecodingFailures;
import fr.interieur.neogend.gateway.web.Problems;
import fr.interieur.neogend.gateway.web.RateLimitFilter;
import fr.interieur.neogend.gateway.web.RateLimiter;
import fr.interieur.neogend.gateway.web.RedisRateLimit;
import fr.interieur.neogend.gateway.web.SecurityHeaders;
import fr.interieur.neogend.gateway.web.SingleHeaders;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/**
 * The gateway is an OAuth2 resource server: every API call needs a valid Keycloak access token
 * (signature against the cached JWKS, issuer, audience {@code neogend-api}, expiry). Only health
 * probes are open; anything not listed is refused. Services check the token again.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {

    @Bean
    CorrelationIdFilter correlationIdFilter() {
        return new CorrelationIdFilter();
    }

    /** Authorization, Idempotency-Key, X-Correlation-Id and Content-Type given twice: a 400, never served. */
    @Bean
    SingleHeaders singleHeaders() {
        return new SingleHeaders();
    }

    @Bean
    ClientAddress clientAddress(@Value("${neogend.gateway.trusted-proxies:}") List<String> trustedProxies) {
        return new ClientAddress(trustedProxies);
    }

    /**
     * Requests per verified client: {@code burst} at once, then {@code requests-per-second} (0: no limit);
     * per replica, or shared by every replica when {@code rate-limit.redis-url} names a Redis (ADR 0024).
     */
    @Bean
    ClientRateLimit clientRateLimit(
            @Value("${neogend.gateway.rate-limit.requests-per-second:50}") double perSecond,
            @Value("${neogend.gateway.rate-limit.burst:100}") int burst,
            @Value("${neogend.gateway.rate-limit.redis-url:}") String redisUrl,
            @Value("${neogend.gateway.rate-limit.redis-timeout:100ms}") java.time.Duration redisTimeout,
            io.micrometer.core.instrument.MeterRegistry meters) {
        RateLimiter own = new RateLimiter(perSecond, burst, System::nanoTime);
        return redisUrl.isBlank() || !own.enabled()
                ? ClientRateLimit.local(own)
                : new RedisRateLimit(redisUrl, perSecond, burst, redisTimeout, own, meters);
    }

    @Bean
    RateLimitFilter rateLimitFilter(ClientRateLimit limit, ClientAddress addresses) {
        return new RateLimitFilter(limit, addresses);
    }

    /**
     * Failed authentications per client address: {@code burst} at once, then {@code per-second};
     * beyond them the address gets 429 before authentication for anything not verified already.
     */
    @Bean
    AuthFailureGuard authFailureGuard(
            @Value("${neogend.gateway.auth-failures.per-second:2}") double perSecond,
            @Value("${neogend.gateway.auth-failures.burst:30}") int burst,
            ClientAddress addresses,
            CachingReactiveJwtDecoder tokens,
            DeviceCredentialVerifier devices) {
        return new AuthFailureGuard(
                new RateLimiter(perSecond, burst, System::nanoTime),
                addresses,
                authorization -> {
                    if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                        return tokens.knows(authorization.substring(7));
                    }
                    String credential = DeviceCredentialVerifier.credentialOf(authorization);
                    return credential != null && devices.known(credential) != null;
                },
                authorization -> { // a service answered 401: revoked since it was verified
                    if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                        tokens.forget(authorization.substring(7));
                    }
                    String credential = DeviceCredentialVerifier.credentialOf(authorization);
                    if (credential != null) {
                        devices.forget(credential);
                    }
                });
    }

    /**
     * Device credentials checked before a body is read: by their tag when a key is shared with telemetry
     * ({@code tag-key}, ADR 0026), else by telemetry once per cache period; counted by how
     * ({@code neogend.gateway.device.credential.checks}, tag, cache or call).
     */
    @Bean
    DeviceCredentialVerifier deviceCredentialVerifier(
            GrpcBackends backends,
            @Value("${neogend.gateway.device-credentials.tag-key:}") String tagKey,
            @Value("${neogend.gateway.device-credentials.cache-ttl:5m}") Duration ttl,
            @Value("${neogend.gateway.device-credentials.cache-size:200000}") int size,
            io.micrometer.core.instrument.MeterRegistry meters) {
        DeviceCredentialVerifier verifier = new DeviceCredentialVerifier(
                backends.channel("telemetry"),
                DeviceCredentialTags.fromSetting("neogend.gateway.device-credentials.tag-key", tagKey),
                Duration.ofSeconds(3),
                ttl,
                size,
                System::nanoTime);
        verifier.registerMetrics(meters);
        return verifier;
    }

    /**
     * Cross-origin calls only from the configured front-end origins (none by default): a browser
     * page from anywhere else gets no CORS answer, and its requests are refused (403).
     */
    @Bean
    CorsConfigurationSource corsConfigurationSource(
            @Value("${neogend.gateway.cors.allowed-origins:}") List<String> origins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        List<String> allowed =
                origins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        CorsConfiguration api = new CorsConfiguration();
        api.setAllowedOrigins(allowed);
        api.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        api.setAllowedHeaders(
                List.of("Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id", "traceparent"));
        api.setExposedHeaders(List.of("X-Correlation-Id", "Retry-After", "Content-Disposition"));
        api.setMaxAge(Duration.ofHours(1));
        source.registerCorsConfiguration("/api/**", api);
        return source;
    }

    /** Spring's strict firewall, with its header rule evaluated without a regular expression. */
    @Bean
    ServerWebExchangeFirewall serverWebExchangeFirewall() {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        firewall.setAllowedHeaderNames(FastSecurityChecks::headerNameAllowed);
        firewall.setAllowedHeaderValues(FastSecurityChecks::headerValueAllowed);
        return firewall;
    }

    /**
     * No observation of Spring Security's own filters, authentications or authorizations: without
     * this bean every request goes through an observing decorator of each filter (4 % of the
     * gateway's CPU under load, issue 18), even with {@code management.observations.enable.spring.security}
     * off. The request's own {@code http.server.requests} observation and the gRPC client's stay.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Every chain is stateless: the caller proves who it is on each request (bearer token or
     * device credential), so there is no session to look up or create, no saved request to
     * replay after a login, and no logout endpoint.
     */
    static ServerHttpSecurity stateless(ServerHttpSecurity http) {
        return http.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .logout(ServerHttpSecurity.LogoutSpec::disable);
    }

    /** Requests the HTTP decoder cannot read get a problem answer too ({@link DecodingFailures}). */
    @Bean
    NettyServerCustomizer decodingFailures() {
        return DecodingFailures.customizer();
    }

    /**
     * A request the firewall refuses (an encoded '..', '//', ';', '\\' or '%' in the path, a control
     * character in a header…) is a 400 problem with the API's security headers, like every answer.
     */
    @Bean
    ServerExchangeRejectedHandler serverExchangeRejectedHandler() {
        return (exchange, e) -> {
            SecurityHeaders.apply(exchange.getResponse().getHeaders());
            return Problems.write(
                    exchange.getResponse(),
                    400,
                    "BAD_REQUEST",
                    "the request's path or headers are not acceptable (encoded '..', '//', ';', '\\', "
                            + "'%' or control characters)",
                    null,
                    CorrelationIdFilter.of(exchange),
                    List.of());
        };
    }

    /**
     * A read of public pages: GET, and HEAD, which WebFlux answers as the GET without its body (a HEAD
     * matched only GET's chain before: the public document answered it 401, as if it needed a token).
     */
    private static ServerWebExchangeMatcher readOf(String... paths) {
        return ServerWebExchangeMatchers.matchers(
                ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, paths),
                ServerWebExchangeMatchers.pathMatchers(HttpMethod.HEAD, paths));
    }

    /**
     * The API reference (OpenAPI document and its Swagger UI page): public, read-only, with a policy
     * that lets the page load its own scripts and styles and nothing from elsewhere.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain apiReferenceFilterChain(ServerHttpSecurity http) {
        return stateless(http)
                .securityMatcher(readOf("/api/v1/openapi.json", "/api/docs", "/api/docs/**"))
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .headers(h -> h.contentSecurityPolicy(
                                csp -> csp.policyDirectives(
                                        "default-src 'self'; img-src 'self' data:; "
                                                + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"))
                        .referrerPolicy(
                                r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    /**
     * The fleet console's static pages and settings: public (the data comes from the API with the
     * user's token), read-only, under a policy that allows its own scripts and styles, calls to the
     * gateway and Keycloak's token endpoint, and images from the configured tile server only.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    SecurityWebFilterChain consoleFilterChain(ServerHttpSecurity http, ConsoleProperties console) {
        return stateless(http)
                .securityMatcher(readOf("/console", "/console/**"))
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(console.contentSecurityPolicy()))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER))
                        .hsts(hsts -> hsts.maxAge(Duration.ofDays(365)).includeSubdomains(true)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(
            ServerHttpSecurity http, RouteTable routes, DeviceCredentialVerifier devices, AuthFailureGuard failures) {
        // the routes devices call (their access rule names the device role), from the protos
        ServerWebExchangeMatcher deviceRoutes = exchange -> routes.forDevices(exchange)
                ? ServerWebExchangeMatcher.MatchResult.match()
                : ServerWebExchangeMatcher.MatchResult.notMatch();
        ServerAuthenticationEntryPoint entryPoint = (exchange, e) -> {
            failures.failed(exchange);
            boolean device = routes.forDevices(exchange);
            exchange.getResponse()
                    .getHeaders()
                    .set("WWW-Authenticate", device ? "Device realm=\"neogend\"" : "Bearer realm=\"neogend\"");
            return Problems.write(
                    exchange.getResponse(),
                    401,
                    "UNAUTHENTICATED",
                    device
                            ? "a valid device credential is required (Authorization: Device <credential>)"
                            : "a valid bearer token is required",
                    exchange.getRequest().getPath().value(),
                    CorrelationIdFilter.of(exchange),
                    List.of());
        };
        return stateless(http)
                .addFilterAt(
                        deviceAuthentication(deviceRoutes, devices, entryPoint), SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(ex -> ex
                        // the management port's (probes, Prometheus); the public port has no actuator
                        .pathMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**", "/actuator/prometheus")
                        .permitAll()
                        // a device's own credential, checked before the body is read (DeviceCredentialVerifier)
                        .matchers(deviceRoutes)
                        .hasAuthority(DeviceAuthentication.AUTHORITY)
                        .pathMatchers("/api/**")
                        .authenticated()
                        .anyExchange()
                        .denyAll())
                .oauth2ResourceServer(rs -> rs.bearerTokenConverter(new FastSecurityChecks.BearerTokenConverter())
                        .jwt(jwt -> {})
                        .authenticationEntryPoint(entryPoint)
                        .authenticationFailureHandler((webFilterExchange, e) -> {
                            var exchange = webFilterExchange.getExchange();
                            if (e instanceof AuthenticationServiceException) {
                                // the token could not be checked (Keycloak's keys out of reach): not the
                                // client's fault, never a 401 it would count as a failed login, nor a 500
                                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
                                return Problems.write(
                                        exchange.getResponse(),
                                        503,
                                        "UNAVAILABLE",
                                        "tokens cannot be checked now (the identity provider's keys are out of"
                                                + " reach); retry later",
                                        exchange.getRequest().getPath().value(),
                                        CorrelationIdFilter.of(exchange),
                                        List.of());
                            }
                            return entryPoint.commence(exchange, e);
                        })
                        .accessDeniedHandler((exchange, e) -> Problems.write(
                                exchange.getResponse(),
                                403,
                                "PERMISSION_DENIED",
                                "access denied",
                                exchange.getRequest().getPath().value(),
                                CorrelationIdFilter.of(exchange),
                                List.of())))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler((exchange, e) -> Problems.write(
                                exchange.getResponse(),
                                403,
                                "PERMISSION_DENIED",
                                "access denied",
                                exchange.getRequest().getPath().value(),
                                CorrelationIdFilter.of(exchange),
                                List.of())))
                .cors(Customizer.withDefaults())
                // an API: nothing to frame, sniff, cache or refer to; HSTS where TLS ends at us
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(SecurityHeaders.API_CSP))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER))
                        .hsts(hsts -> hsts.maxAge(Duration.ofDays(365)).includeSubdomains(true)))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    /**
     * Devices' own credentials on the routes devices call: the header's shape is checked first (a
     * malformed one costs a character loop), then the credential is verified — from the cache, or by
     * telemetry — before anything reads the request's body. A refusal is a 401 (503 when telemetry
     * cannot answer) and counts as a failed authentication of the address.
     */
    private static AuthenticationWebFilter deviceAuthentication(
            ServerWebExchangeMatcher deviceRoutes,
            DeviceCredentialVerifier devices,
            ServerAuthenticationEntryPoint entryPoint) {
        ReactiveAuthenticationManager manager =
                authentication -> devices.verify(((DeviceAuthentication) authentication).credential())
                        .map(DeviceAuthentication::verified);
        AuthenticationWebFilter filter = new AuthenticationWebFilter(manager);
        filter.setRequiresAuthenticationMatcher(exchange -> deviceRoutes
                .matches(exchange)
                .flatMap(m -> m.isMatch()
                                && DeviceCredentialVerifier.isDeviceScheme(
                                        exchange.getRequest().getHeaders().getFirst("Authorization"))
                        ? ServerWebExchangeMatcher.MatchResult.match()
                        : ServerWebExchangeMatcher.MatchResult.notMatch()));
        filter.setServerAuthenticationConverter(exchange -> {
            String credential = DeviceCredentialVerifier.credentialOf(
                    exchange.getRequest().getHeaders().getFirst("Authorization"));
            return credential == null
                    ? Mono.error(new BadCredentialsException("the device credential is malformed"))
                    : Mono.just(DeviceAuthentication.unverified(credential));
        });
        filter.setAuthenticationFailureHandler((webFilterExchange, e) -> {
            var exchange = webFilterExchange.getExchange();
            if (e instanceof AuthenticationServiceException) { // telemetry cannot answer: the device retries
                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
                return Problems.write(
                        exchange.getResponse(),
                        503,
                        "UNAVAILABLE",
                        "device credentials cannot be checked now; retry later",
                        exchange.getRequest().getPath().value(),
                        CorrelationIdFilter.of(exchange),
                        List.of());
            }
            return entryPoint.commence(exchange, e);
        });
        return filter;
    }
}
