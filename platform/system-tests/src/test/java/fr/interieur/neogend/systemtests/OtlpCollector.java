package fr.interieur.neogend.systemtests;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal OpenTelemetry collector for the tests: receives OTLP/HTTP trace exports
 * ({@code POST /v1/traces}, protobuf) and keeps each span's service, trace, ids and name. The
 * messages are read by field number (ExportTraceServiceRequest → ResourceSpans → Resource /
 * ScopeSpans → Span), so no generated OTLP classes are needed.
 */
final class OtlpCollector implements AutoCloseable {

    /** One span as exported. */
    record Span(String service, String traceId, String spanId, String parentSpanId, String name, int kind) {}

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();

    OtlpCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                spans.addAll(parse(body));
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            }
        });
        server.start();
    }

    /** The endpoint to give the exporters. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    static List<Span> parse(byte[] export) throws com.google.protobuf.InvalidProtocolBufferException {
        List<Span> out = new java.util.ArrayList<>();
        for (ByteString resourceSpans :
                UnknownFieldSet.parseFrom(export).getField(1).getLengthDelimitedList()) {
            UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
            String service = "";
            for (ByteString resource : rs.getField(1).getLengthDelimitedList()) {
                for (ByteString kv :
                        UnknownFieldSet.parseFrom(resource).getField(1).getLengthDelimitedList()) {
                    UnknownFieldSet attribute = UnknownFieldSet.parseFrom(kv);
                    if (string(attribute, 1).equals("service.name")) {
                        service = string(
                                UnknownFieldSet.parseFrom(attribute
                                        .getField(2)
                                        .getLengthDelimitedList()
                                        .getFirst()),
                                1);
                    }
                }
            }
            for (ByteString scopeSpans : rs.getField(2).getLengthDelimitedList()) {
                for (ByteString s :
                        UnknownFieldSet.parseFrom(scopeSpans).getField(2).getLengthDelimitedList()) {
                    UnknownFieldSet span = UnknownFieldSet.parseFrom(s);
                    out.add(new Span(
                            service,
                            hex(span, 1),
                            hex(span, 2),
                            hex(span, 4),
                            string(span, 5),
                            span.getField(6).getVarintList().isEmpty()
                                    ? 0
                                    : span.getField(6)
                                            .getVarintList()
                                            .getFirst()
                                            .intValue()));
                }
            }
        }
        return out;
    }

    private static String string(UnknownFieldSet message, int field) {
        List<ByteString> values = message.getField(field).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.getFirst().toStringUtf8();
    }

    private static String hex(UnknownFieldSet message, int field) {
        List<ByteString> values = message.getField(field).getLengthDelimitedList();
        return values.isEmpty()
                ? ""
                : HexFormat.of().formatHex(values.getFirst().toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
