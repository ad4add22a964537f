package fr.interieur.neogend.gateway.transcoding;

import com.google.protobuf.DynamicMessage;
import fr.interieur.neogend.gateway.web.CorrelationIdFilter;
import fr.interieur.neogend.gateway.web.Problems;
import fr.interieur.neogend.gateway.web.RequestObservations;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code GrpcTranscoding} gateway filter: answers a REST/JSON request by calling the RPC
 * that its {@link RouteTable} binds to the method and path, with the caller's bearer token and the
 * correlation id in the metadata and a deadline, then writes the JSON response (or a problem).
 */
public class GrpcTranscodingGatewayFilterFactory extends AbstractGatewayFilterFactory<Object> {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CORRELATION =
            Metadata.Key.of("x-correlation-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> IDEMPOTENCY_KEY =
            Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    private final RouteTable routes;
    private final Transcoder transcoder;
    private final GrpcBackends backends;
    private final BackendCircuitBreakers breakers;
    private final Duration deadline;
    private final Duration downloadDeadline;
    private final int maxBodyBytes;
    private final int deviceMaxBodyBytes;
    private final Map<String, MethodDescriptor<DynamicMessage, DynamicMessage>> methods = new ConcurrentHashMap<>();

    public GrpcTranscodingGatewayFilterFactory(
            RouteTable routes,
            GrpcBackends backends,
            BackendCircuitBreakers breakers,
            Duration deadline,
            Duration downloadDeadline,
            int maxBodyBytes,
            int deviceMaxBodyBytes) {
        super(Object.class);
        this.routes = routes;
        this.transcoder = new Transcoder(routes.typeRegistry());
        this.backends = backends;
        this.breakers = breakers;
        this.deadline = deadline;
        this.downloadDeadline = downloadDeadline;
        this.maxBodyBytes = maxBodyBytes;
        this.deviceMaxBodyBytes = deviceMaxBodyBytes;
    }

    @Override
    public String name() {
        return "GrpcTranscoding";
    }

    @Override
    public GatewayFilter apply(Object config) {
        return (exchange, chain) -> handle(exchange);
    }

    Mono<Void> handle(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        String path = request.getPath().pathWithinApplication().value();
        String correlationId = CorrelationIdFilter.of(exchange);
        String httpMethod = request.getMethod().name();
        var match = routes.find(exchange);
        if (match.isEmpty()) {
            Set<String> allowed = routes.methodsFor(path);
            if (allowed.isEmpty()) {
                return Problems.write(
                        response, 404, "NOT_FOUND", "no operation at " + path, path, correlationId, List.of());
            }
            response.getHeaders().set(HttpHeaders.ALLOW, String.join(", ", allowed));
            return Problems.write(
                    response,
                    405,
                    "METHOD_NOT_ALLOWED",
                    httpMethod + " is not allowed here; use " + allowed,
                    path,
                    correlationId,
                    List.of());
        }
        RouteTable.Match found = match.get();
        return Mono.deferContextual(context -> {
            // the request's observation names the operation (its uri tag and span name)
            RequestObservations.Current observed = RequestObservations.Current.in(context);
            if (observed != null) {
                observed.routedTo(found.route().template().toString());
            }
            return routed(exchange, found, path, correlationId, httpMethod);
        });
    }

    private Mono<Void> routed(
            ServerWebExchange exchange, RouteTable.Match match, String path, String correlationId, String httpMethod) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        if (WITH_BODY.contains(httpMethod) && !match.route().body().isEmpty()) {
            String type = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
            if ((type != null || hasBody(request)) && !jsonInUtf8(type) || !identity(request.getHeaders())) {
                return Problems.write(
                        response,
                        415,
                        "UNSUPPORTED_MEDIA_TYPE",
                        "send the body as application/json, in UTF-8, without a content coding (gzip…)",
                        path,
                        correlationId,
                        List.of());
            }
        }
        if (match.route().answersJson() && !acceptsJson(request.getHeaders())) {
            return Problems.write(
                    response,
                    406,
                    "NOT_ACCEPTABLE",
                    "this operation answers application/json only, which the Accept header excludes; "
                            + "send Accept: application/json or */*, or none",
                    path,
                    correlationId,
                    List.of());
        }
        // a device's batch is small: its routes have a limit of their own (checked on the announced
        // length before reading, and again while reading a chunked body)
        int limit = match.route().forDevices() ? deviceMaxBodyBytes : maxBodyBytes;
        if (request.getHeaders().getContentLength() > limit) {
            return tooLarge(response, limit, path, correlationId);
        }
        Mono<String> body = match.route().body().isEmpty() && !hasBody(request)
                ? Mono.just("")
                : DataBufferUtils.join(request.getBody(), limit)
                        .map(buffer -> {
                            try {
                                return utf8(buffer);
                            } finally {
                                DataBufferUtils.release(buffer);
                            }
                        })
                        .defaultIfEmpty("");
        if (match.route().streamed()) {
            return body.flatMap(text -> download(
                            match.route(),
                            transcoder.request(match, request.getQueryParams(), text),
                            request.getHeaders(),
                            correlationId,
                            response))
                    .onErrorResume(e -> response.isCommitted(), Mono::error) // cut mid-file: the connection drops
                    .onErrorResume(
                            TranscodingException.class,
                            e -> Problems.write(
                                    response,
                                    e.httpStatus(),
                                    e.httpStatus() == 400 ? "INVALID_ARGUMENT" : "BAD_REQUEST",
                                    e.getMessage(),
                                    path,
                                    correlationId,
                                    e.violations().stream()
                                            .map(v -> new Problems.FieldError(v.field(), v.description()))
                                            .toList()))
                    .onErrorResume(DataBufferLimitException.class, e -> tooLarge(response, limit, path, correlationId))
                    .onErrorResume(
                            StatusRuntimeException.class, e -> Problems.fromGrpc(response, e, path, correlationId))
                    .onErrorResume(CallNotPermittedException.class, e -> {
                        response.getHeaders()
                                .set(HttpHeaders.RETRY_AFTER, String.valueOf(breakers.retryAfterSeconds()));
                        return Problems.write(
                                response,
                                503,
                                "UNAVAILABLE",
                                "the " + match.route().backend()
                                        + " service is failing; calls to it are paused, retry later",
                                path,
                                correlationId,
                                List.of());
                    });
        }
        return body.flatMap(text -> {
                    DynamicMessage rpcRequest = transcoder.request(match, request.getQueryParams(), text);
                    String backend = match.route().backend();
                    return call(match.route(), rpcRequest, request.getHeaders(), correlationId)
                            .transformDeferred(CircuitBreakerOperator.of(breakers.of(backend)));
                })
                .flatMap(rpcResponse -> {
                    var raw = transcoder.raw(match.route(), rpcResponse);
                    if (raw.isPresent()) {
                        response.setRawStatusCode(200);
                        response.getHeaders()
                                .set(HttpHeaders.CONTENT_TYPE, raw.get().contentType());
                        response.getHeaders().setContentLength(raw.get().data().length);
                        return response.writeWith(Mono.just(
                                response.bufferFactory().wrap(raw.get().data())));
                    }
                    byte[] json =
                            transcoder.response(match.route(), rpcResponse).getBytes(StandardCharsets.UTF_8);
                    response.setRawStatusCode(200);
                    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
                    response.getHeaders().setContentLength(json.length);
                    return response.writeWith(Mono.just(response.bufferFactory().wrap(json)));
                })
                .onErrorResume(
                        TranscodingException.class,
                        e -> Problems.write(
                                response,
                                e.httpStatus(),
                                e.httpStatus() == 400 ? "INVALID_ARGUMENT" : "BAD_REQUEST",
                                e.getMessage(),
                                path,
                                correlationId,
                                e.violations().stream()
                                        .map(v -> new Problems.FieldError(v.field(), v.description()))
                                        .toList()))
                .onErrorResume(DataBufferLimitException.class, e -> tooLarge(response, limit, path, correlationId))
                .onErrorResume(StatusRuntimeException.class, e -> Problems.fromGrpc(response, e, path, correlationId))
                .onErrorResume(CallNotPermittedException.class, e -> {
                    response.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(breakers.retryAfterSeconds()));
                    return Problems.write(
                            response,
                            503,
                            "UNAVAILABLE",
                            "the " + match.route().backend()
                                    + " service is failing; calls to it are paused, retry later",
                            path,
                            correlationId,
                            List.of());
                });
    }

    private static Mono<Void> tooLarge(ServerHttpResponse response, int limit, String path, String correlationId) {
        return Problems.write(
                response,
                413,
                "PAYLOAD_TOO_LARGE",
                "the request body exceeds " + limit + " bytes, the limit of this operation",
                path,
                correlationId,
                List.of());
    }

    /**
     * The body as text, refused when its bytes are not UTF-8 (a byte of another charset, a surrogate
     * or an overlong form): a lenient decoding would hand the service U+FFFD in their place. Bodies
     * are checked strictly only when the lenient decoding replaced something, so a sound body is
     * decoded once.
     */
    static String utf8(org.springframework.core.io.buffer.DataBuffer buffer) {
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            try {
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)); // reports, never replaces
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new TranscodingException(
                        400, null, "the request body is not UTF-8 text: send JSON encoded in UTF-8");
            }
        }
        return text;
    }

    /**
     * Whether a Content-Type says {@code application/json} in UTF-8 (no charset, or UTF-8's): not a
     * wildcard ({@code *}{@code /*}, {@code application/*}), not another charset (the body is read as
     * UTF-8 whatever it says), and never a value that is no media type at all (that was a 500).
     */
    static boolean jsonInUtf8(String contentType) {
        if (contentType == null) {
            return false;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (IllegalArgumentException notAMediaType) { // InvalidMediaTypeException, a charset nobody knows
            return false;
        }
        return MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)
                && (type.getCharset() == null || type.getCharset().equals(StandardCharsets.UTF_8));
    }

    /**
     * Whether the Accept header lets a JSON answer through (RFC 9110 §12.5.1): none, or one whose most specific
     * range including {@code application/json} ({@code application/json}, {@code application/*}, {@code *}{@code /*})
     * has a quality above 0 — what browsers, fetch, axios and curl send all do. An Accept that is no list of
     * media types is ignored, as RFC 9110 allows.
     */
    static boolean acceptsJson(HttpHeaders headers) {
        List<String> values = headers.get(HttpHeaders.ACCEPT);
        if (values == null || values.isEmpty()) {
            return true;
        }
        if (values.size() == 1 && (values.get(0).equals("*/*") || values.get(0).equals("application/json"))) {
            return true; // what nearly every client sends: not parsed on each request
        }
        List<MediaType> ranges;
        try {
            ranges = MediaType.parseMediaTypes(values);
        } catch (IllegalArgumentException notMediaTypes) {
            return true;
        }
        MediaType best = null;
        int bestSpecificity = -1;
        for (MediaType range : ranges) {
            if (range.includes(MediaType.APPLICATION_JSON)) {
                int specificity = range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
                if (specificity > bestSpecificity) {
                    best = range;
                    bestSpecificity = specificity;
                }
            }
        }
        return ranges.isEmpty() || best != null && best.getQualityValue() > 0;
    }

    /**
     * Whether the body comes as it is: no Content-Encoding but {@code identity}. The gateway decodes
     * none, so a compressed body would be read as its compressed bytes, and a plain one said to be
     * compressed handed on as if it were not.
     */
    static boolean identity(HttpHeaders headers) {
        List<String> codings = headers.get(HttpHeaders.CONTENT_ENCODING);
        if (codings == null) {
            return true;
        }
        for (String value : codings) {
            for (String coding : value.split(",")) {
                if (!coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the request announces a body (a length above zero, or chunks). */
    private static boolean hasBody(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    /**
     * A download: the RPC streams the file in chunks, each written to the client as it comes (so a
     * 15 MB export is never held whole here), at the pace the client reads (gRPC flow control asks
     * the service for the next chunk only when the HTTP side wants one). The status and content type
     * are written with the first chunk: a refusal before it is an ordinary problem; a failure after
     * it can only cut the connection, which the client sees as an incomplete transfer.
     */
    private Mono<Void> download(
            TranscodingRoute route,
            DynamicMessage rpcRequest,
            HttpHeaders headers,
            String correlationId,
            ServerHttpResponse response) {
        MethodDescriptor<DynamicMessage, DynamicMessage> method = methodOf(route);
        Metadata metadata = metadata(headers, correlationId);
        Flux<DynamicMessage> chunks = Flux.<DynamicMessage>deferContextual(context -> Flux.create(sink -> {
            RequestObservations.Current observed = RequestObservations.Current.in(context);
            try (RequestObservations.Scope scope = observed == null ? null : observed.scope()) {
                ClientCall<DynamicMessage, DynamicMessage> call = ClientInterceptors.intercept(
                                backends.channel(route.backend()), MetadataUtils.newAttachHeadersInterceptor(metadata))
                        .newCall(
                                method,
                                CallOptions.DEFAULT.withDeadlineAfter(
                                        downloadDeadline.toMillis(), TimeUnit.MILLISECONDS));
                java.util.concurrent.atomic.AtomicReference<ClientCallStreamObserver<DynamicMessage>> stream =
                        new java.util.concurrent.atomic.AtomicReference<>();
                ClientCalls.asyncServerStreamingCall(
                        call, rpcRequest, new ClientResponseObserver<DynamicMessage, DynamicMessage>() {
                            @Override
                            public void beforeStart(ClientCallStreamObserver<DynamicMessage> requestStream) {
                                requestStream.disableAutoRequestWithInitial(1);
                                stream.set(requestStream);
                            }

                            @Override
                            public void onNext(DynamicMessage value) {
                                sink.next(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                sink.error(t);
                            }

                            @Override
                            public void onCompleted() {
                                sink.complete();
                            }
                        });
                sink.onRequest(n -> stream.get().request((int) Math.min(n, Integer.MAX_VALUE)));
                sink.onCancel(() -> call.cancel("HTTP request cancelled", null));
            }
        }));
        return chunks.transformDeferred(CircuitBreakerOperator.of(breakers.of(route.backend())))
                .switchOnFirst((first, all) -> {
                    if (!first.hasValue()) {
                        return all.then(); // an error or an empty stream: nothing written yet
                    }
                    var head = transcoder.raw(route, first.get()).orElseThrow();
                    response.setRawStatusCode(200);
                    response.getHeaders().set(HttpHeaders.CONTENT_TYPE, head.contentType());
                    return response.writeWith(all.map(m -> response.bufferFactory()
                            .wrap(transcoder
                                    .raw(route, m)
                                    .map(Transcoder.Raw::data)
                                    .orElse(new byte[0]))));
                })
                .then();
    }

    private static Metadata metadata(HttpHeaders headers, String correlationId) {
        Metadata metadata = new Metadata();
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            metadata.put(AUTHORIZATION, authorization);
        }
        if (correlationId != null) {
            metadata.put(CORRELATION, correlationId);
        }
        String idempotencyKey = headers.getFirst("Idempotency-Key");
        if (idempotencyKey != null) { // a malformed key goes as a blank one, which the service refuses (400)
            metadata.put(IDEMPOTENCY_KEY, idempotencyKey.matches("[\\x21-\\x7e]{1,100}") ? idempotencyKey : " ");
        }
        return metadata;
    }

    private Mono<DynamicMessage> call(
            TranscodingRoute route, DynamicMessage rpcRequest, HttpHeaders headers, String correlationId) {
        Metadata metadata = metadata(headers, correlationId);
        MethodDescriptor<DynamicMessage, DynamicMessage> method = methodOf(route);
        return Mono.deferContextual(context -> Mono.create(sink -> {
            // the HTTP request's span (in the Reactor context) is the parent of the call's span
            RequestObservations.Current observed = RequestObservations.Current.in(context);
            try (RequestObservations.Scope scope = observed == null ? null : observed.scope()) {
                start(route, method, metadata, rpcRequest, sink);
            }
        }));
    }

    private void start(
            TranscodingRoute route,
            MethodDescriptor<DynamicMessage, DynamicMessage> method,
            Metadata metadata,
            DynamicMessage rpcRequest,
            MonoSink<DynamicMessage> sink) {
        ClientCall<DynamicMessage, DynamicMessage> call = ClientInterceptors.intercept(
                        backends.channel(route.backend()), MetadataUtils.newAttachHeadersInterceptor(metadata))
                .newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
        sink.onCancel(() -> call.cancel("HTTP request cancelled", null));
        ClientCalls.asyncUnaryCall(call, rpcRequest, new StreamObserver<>() {
            @Override
            public void onNext(DynamicMessage value) {
                sink.success(value);
            }

            @Override
            public void onError(Throwable t) {
                sink.error(t);
            }

            @Override
            public void onCompleted() {
                sink.success();
            }
        });
    }

    private MethodDescriptor<DynamicMessage, DynamicMessage> methodOf(TranscodingRoute route) {
        var m = route.method();
        return methods.computeIfAbsent(
                m.getFullName(),
                name -> MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                        .setType(
                                m.isServerStreaming()
                                        ? MethodDescriptor.MethodType.SERVER_STREAMING
                                        : MethodDescriptor.MethodType.UNARY)
                        .setFullMethodName(MethodDescriptor.generateFullMethodName(
                                m.getService().getFullName(), m.getName()))
                        .setRequestMarshaller(
                                ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getInputType())))
                        .setResponseMarshaller(
                                ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getOutputType())))
                        .build());
    }
}
