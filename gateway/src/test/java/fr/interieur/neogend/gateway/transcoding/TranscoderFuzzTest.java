package fr.interieur.neogend.gateway.transcoding;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile REST requests against every route the protos define: any method, raw path, query and
 * body either become the RPC request or a {@link TranscodingException} with a 4xx status (the
 * gateway's problem answer) and a message free of Java class names — never another exception,
 * which the gateway would answer with a 500. Regression mode replays
 * {@code src/test/resources/…/TranscoderFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class TranscoderFuzzTest {

    private static final RouteTable TABLE = RouteTable.fromClasspath();
    private static final Transcoder TRANSCODER = new Transcoder(TABLE.typeRegistry());
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** What must never reach a client: Java class or package names, stack frames. */
    private static final Pattern INTERNAL =
            Pattern.compile("(com\\.google|java\\.|javax\\.|org\\.springframework|fr\\.interieur|Exception|\\tat )");

    @FuzzTest(maxDuration = "120s")
    void anyRequestIsTranscodedOrRefusedWithA4xx(FuzzedDataProvider data) {
        TranscodingRoute route =
                TABLE.routes().get(data.consumeInt(0, TABLE.routes().size() - 1));
        String method = data.consumeBoolean() ? route.httpMethod() : data.pickValue(METHODS);
        String path = data.consumeBoolean() ? concretePath(route, data) : "/api/v1/" + data.consumeString(60);
        Map<String, List<String>> query = new LinkedHashMap<>();
        int params = data.consumeInt(0, 3);
        for (int i = 0; i < params; i++) {
            String name =
                    data.consumeBoolean() ? fieldPath(route.method().getInputType(), data) : data.consumeString(20);
            query.computeIfAbsent(name, n -> new ArrayList<>()).add(data.consumeString(30));
        }
        String body = data.consumeBoolean() ? jsonLike(route, data) : data.consumeRemainingAsString();
        try {
            var match = TABLE.find(method, path);
            if (match.isEmpty()) {
                return; // the filter answers 404 or 405
            }
            assertThat(TRANSCODER.request(match.get(), query, body)).isNotNull();
        } catch (TranscodingException e) {
            assertThat(e.httpStatus()).isBetween(400, 499);
            assertThat(e.getMessage()).isNotBlank().doesNotContainPattern(INTERNAL);
            if (e.field() != null) {
                assertThat(e.field()).doesNotContainPattern(INTERNAL);
            }
        }
    }

    /** The route's template with fuzzed variable values, percent escapes and all. */
    private static String concretePath(TranscodingRoute route, FuzzedDataProvider data) {
        String path = route.template().toString();
        for (String variable : route.template().variables()) {
            path = path.replace(
                    "{" + variable + "}",
                    data.consumeBoolean()
                            ? "490154203237518"
                            : data.consumeString(20).replace("/", "%2F"));
        }
        return path;
    }

    /** A field path of the request type, often nested or through a repeated field. */
    private static String fieldPath(Descriptor type, FuzzedDataProvider data) {
        StringBuilder path = new StringBuilder();
        Descriptor current = type;
        while (current != null && !current.getFields().isEmpty()) {
            FieldDescriptor f = data.pickValue(current.getFields());
            path.append(path.isEmpty() ? "" : ".").append(data.consumeBoolean() ? f.getName() : f.getJsonName());
            current = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && data.consumeBoolean()
                    ? f.getMessageType()
                    : null;
        }
        return path.toString();
    }

    /** A JSON object with the body type's field names and fuzzed values. */
    private static String jsonLike(TranscodingRoute route, FuzzedDataProvider data) {
        Descriptor type = route.body().isEmpty() || route.body().equals("*")
                ? route.method().getInputType()
                : FieldPaths.resolve(route.method().getInputType(), route.body())
                        .getLast()
                        .getMessageType();
        StringBuilder json = new StringBuilder("{");
        int fields = data.consumeInt(0, 4);
        for (int i = 0; i < fields && !type.getFields().isEmpty(); i++) {
            FieldDescriptor f = data.pickValue(type.getFields());
            json.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(data.consumeBoolean() ? f.getJsonName() : f.getName())
                    .append("\":")
                    .append(
                            switch (data.consumeInt(0, 5)) {
                                case 0 -> "\"" + data.consumeString(20) + "\"";
                                case 1 -> Long.toString(data.consumeLong());
                                case 2 -> "[" + data.consumeString(10) + "]";
                                case 3 -> "{" + data.consumeString(20) + "}";
                                case 4 -> Double.toString(data.consumeDouble());
                                default -> data.consumeString(20);
                            });
        }
        return json.append(data.consumeBoolean() ? "}" : data.consumeString(5)).toString();
    }
}
