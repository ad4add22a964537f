package fr.interieur.neogend.gateway.web;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Errors as RFC 9457 {@code application/problem+json}. gRPC statuses map to HTTP by the standard
 * table (google.rpc.Code); field violations from {@code google.rpc.BadRequest} become
 * {@code errors: [{field, message}]}.
 */
public final class Problems {

    public static final MediaType PROBLEM_JSON = MediaType.parseMediaType("application/problem+json");

    private Problems() {}

    /** A field and what is wrong with it. */
    public record FieldError(String field, String message) {}

    /** The standard gRPC → HTTP status mapping. */
    public static int httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 499;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
        };
    }

    /** Writes the problem for a failed gRPC call. */
    public static Mono<Void> fromGrpc(
            ServerHttpResponse response, StatusRuntimeException e, String instance, String correlationId) {
        Status status = e.getStatus();
        List<FieldError> errors = new ArrayList<>();
        com.google.rpc.Status rich = StatusProto.fromThrowable(e);
        if (rich != null) {
            for (Any detail : rich.getDetailsList()) {
                if (detail.is(ErrorInfo.class) && status.getCode() == Status.Code.INVALID_ARGUMENT) {
                    try {
                        if (detail.unpack(ErrorInfo.class).getReason().equals("IDEMPOTENCY_KEY_REUSED")) {
                            return write(
                                    response,
                                    422,
                                    "IDEMPOTENCY_KEY_REUSED",
                                    status.getDescription(),
                                    instance,
                                    correlationId,
                                    List.of());
                        }
                    } catch (InvalidProtocolBufferException ignored) {
                        // a malformed detail is dropped
                    }
                }
                if (detail.is(BadRequest.class)) {
                    try {
                        detail.unpack(BadRequest.class)
                                .getFieldViolationsList()
                                .forEach(v -> errors.add(new FieldError(v.getField(), v.getDescription())));
                    } catch (InvalidProtocolBufferException ignored) {
                        // a malformed detail is dropped; the status and message still go out
                    }
                }
            }
        }
        String detail = switch (status.getCode()) {
            case UNAVAILABLE -> "the service is unavailable; retry later";
            case DEADLINE_EXCEEDED -> "the service did not answer in time";
            case INTERNAL, UNKNOWN, DATA_LOSS -> "internal error";
            default -> status.getDescription() == null ? status.getCode().name() : status.getDescription();
        };
        return write(
                response,
                httpStatus(status.getCode()),
                status.getCode().name(),
                detail,
                instance,
                correlationId,
                errors);
    }

    /** Writes a problem. */
    public static Mono<Void> write(
            ServerHttpResponse response,
            int httpStatus,
            String code,
            String detail,
            String instance,
            String correlationId,
            List<FieldError> errors) {
        HttpStatus http = HttpStatus.resolve(httpStatus);
        String title = http != null ? http.getReasonPhrase() : "Client Closed Request";
        StringBuilder json = new StringBuilder(256)
                .append('{')
                .append("\"type\":\"urn:neogend:problem:")
                .append(code.toLowerCase(Locale.ROOT).replace('_', '-'))
                .append("\",\"title\":")
                .append(quote(title))
                .append(",\"status\":")
                .append(httpStatus)
                .append(",\"detail\":")
                .append(quote(detail))
                .append(",\"code\":")
                .append(quote(code));
        if (instance != null) {
            json.append(",\"instance\":").append(quote(instance));
        }
        if (correlationId != null) {
            json.append(",\"correlationId\":").append(quote(correlationId));
        }
        if (!errors.isEmpty()) {
            json.append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                json.append(i == 0 ? "" : ",")
                        .append("{\"field\":")
                        .append(quote(errors.get(i).field()))
                        .append(",\"message\":")
                        .append(quote(errors.get(i).message()))
                        .append('}');
            }
            json.append(']');
        }
        json.append('}');
        response.setRawStatusCode(httpStatus);
        response.getHeaders().setContentType(PROBLEM_JSON);
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /** A JSON string literal. */
    static String quote(String s) {
        String text = s == null ? "" : s;
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
