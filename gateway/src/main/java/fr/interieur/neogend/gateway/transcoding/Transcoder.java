package fr.interieur.neogend.gateway.transcoding;

import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import fr.interieur.neogend.contract.RequestRules;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the standard HTTP/JSON ↔ gRPC transcoding rules: path variables, then the body (the
 * whole request for {@code body: "*"}, one field otherwise), then query parameters for every
 * field not bound already; proto3 JSON names both ways; {@code response_body} picks the field
 * returned.
 *
 * <p>A request carries only what a client may say: unknown JSON fields are refused (never
 * ignored), and so are the fields the API sets itself — those marked
 * {@code (google.api.field_behavior) = OUTPUT_ONLY} in the protos (a device's state, an order
 * line's price) — with a 400 naming the field, instead of being passed on to the service.
 */
public final class Transcoder {

    private static final ExtensionRegistry FIELD_BEHAVIOR = fieldBehaviorRegistry();
    /** What protobuf's JSON parser says of a name the message does not have. */
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+) in message \\S+");
    /** A Java exception class name that a JSON parser put at the head of its message. */
    private static final Pattern EXCEPTION_PREFIX =
            Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ");

    private static final tools.jackson.databind.json.JsonMapper CULPRIT_JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();
    /**
     * JSON as RFC 8259 has it, and every member once: what protobuf's lenient reader is not. A control
     * character left raw in a string passes here so that the request rules name its field (a NUL) or
     * take it (a line break in a multi-line text), as they did.
     */
    private static final tools.jackson.databind.json.JsonMapper STRICT_JSON =
            tools.jackson.databind.json.JsonMapper.builder()
                    .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(tools.jackson.core.json.JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
                    .build();

    private final JsonFormat.Parser parser;
    private final JsonFormat.Printer printer;
    private final Map<FieldDescriptor, Boolean> outputOnly = new ConcurrentHashMap<>();

    public Transcoder(TypeRegistry types) {
        this.parser = JsonFormat.parser().usingTypeRegistry(types);
        this.printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
    }

    /** The RPC request for a matched route, query parameters and JSON body (may be empty). */
    public DynamicMessage request(RouteTable.Match match, Map<String, List<String>> query, String body) {
        TranscodingRoute route = match.route();
        DynamicMessage.Builder request =
                DynamicMessage.newBuilder(route.method().getInputType());
        Descriptor input = route.method().getInputType();
        Set<String> bound = new HashSet<>();
        if (!route.body().isEmpty()) {
            mergeBody(request, route.body(), body);
            bound.add(fieldPath(input, route.body()));
        } else if (body != null && !body.isBlank()) {
            throw new TranscodingException(400, null, "this operation takes no request body");
        }
        match.variables().forEach((path, value) -> {
            FieldPaths.set(request, path, value, path);
            bound.add(fieldPath(input, path));
        });
        if (!route.body().equals("*")) {
            // a field is one parameter whatever name it is given by (proto or JSON): `page_size` and
            // `pageSize` are the same parameter twice, and `unitCode` names the path's `unit_code`
            Map<String, Integer> times = new HashMap<>();
            query.forEach((given, values) -> {
                String name = label(given);
                String field = fieldPath(input, given);
                if (bound.contains(field) || bound.stream().anyMatch(b -> field.startsWith(b + "."))) {
                    throw TranscodingException.badField(name, "is set by the path or body already");
                }
                int count = times.merge(field, values.size(), Integer::sum);
                if (count > 1 && !repeated(input, given)) {
                    throw TranscodingException.badField(
                            count > values.size() ? field : name, "is given " + count + " times; it takes one value");
                }
                for (String value : values) {
                    FieldPaths.set(request, given, value, name);
                }
            });
        } else if (!query.isEmpty()) {
            throw TranscodingException.badField(
                    label(query.keySet().iterator().next()), "query parameters are not taken by this operation");
        }
        DynamicMessage built = request.build();
        refuseOutputOnly(built, "", match.variables().keySet());
        RequestRules.Report report = RequestRules.report(built);
        if (report.total() > 0) {
            throw TranscodingException.of(report.violations(), report.total());
        }
        return built;
    }

    /** A parameter's field by its proto names ({@code unitCode} → {@code unit_code}); an unknown name as given. */
    private static String fieldPath(Descriptor type, String name) {
        try {
            List<FieldDescriptor> path = FieldPaths.resolve(type, name);
            StringBuilder proto = new StringBuilder(name.length());
            for (FieldDescriptor f : path) {
                proto.append(proto.isEmpty() ? "" : ".").append(f.getName());
            }
            return proto.toString();
        } catch (IllegalArgumentException e) {
            return name; // refused when it is set
        }
    }

    /** Whether a query parameter names a repeated field (one that takes the parameter several times). */
    private static boolean repeated(com.google.protobuf.Descriptors.Descriptor type, String name) {
        try {
            List<FieldDescriptor> path = FieldPaths.resolve(type, name);
            return path.get(path.size() - 1).isRepeated();
        } catch (IllegalArgumentException e) {
            return false; // an unknown name is refused when it is set
        }
    }

    /** A parameter name as a refusal may show it: bounded, without control characters. */
    static String label(String name) {
        String quoted = Echo.quote(name);
        return quoted.length() == name.length() + 2 ? name : quoted;
    }

    /** Refuses a request that sets a field the API sets itself (OUTPUT_ONLY), at any depth. */
    private void refuseOutputOnly(Message message, String prefix, Set<String> boundByPath) {
        for (Map.Entry<FieldDescriptor, Object> set : message.getAllFields().entrySet()) {
            FieldDescriptor f = set.getKey();
            String path = prefix + f.getName();
            if (boundByPath.contains(path)) {
                continue;
            }
            if (outputOnly.computeIfAbsent(f, Transcoder::declaredOutputOnly)) {
                throw TranscodingException.badField(path, "is set by the service, not by a request (output only)");
            }
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (f.isRepeated()) {
                List<?> values = (List<?>) set.getValue();
                for (int i = 0; i < values.size(); i++) {
                    refuseOutputOnly((Message) values.get(i), path + "[" + i + "].", Set.of());
                }
            } else {
                refuseOutputOnly((Message) set.getValue(), path + ".", Set.of());
            }
        }
    }

    /**
     * Whether the proto marks the field OUTPUT_ONLY. Descriptors built at run time keep custom
     * options as unknown fields: the options are read again with the extension registered.
     */
    static boolean declaredOutputOnly(FieldDescriptor f) {
        try {
            FieldOptions options = FieldOptions.parseFrom(f.getOptions().toByteString(), FIELD_BEHAVIOR);
            return options.getExtension(FieldBehaviorProto.fieldBehavior).contains(FieldBehavior.OUTPUT_ONLY);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot read the options of " + f.getFullName(), e);
        }
    }

    private static ExtensionRegistry fieldBehaviorRegistry() {
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        FieldBehaviorProto.registerAllExtensions(registry);
        return registry;
    }

    private void mergeBody(DynamicMessage.Builder request, String bodyField, String body) {
        String json = body == null || body.isBlank() ? "{}" : body;
        try {
            if (bodyField.equals("*")) {
                parser.merge(json, request);
                strict(json, request.getDescriptorForType(), "");
                return;
            }
            List<FieldDescriptor> path = FieldPaths.resolve(request.getDescriptorForType(), bodyField);
            Message.Builder target = request;
            for (FieldDescriptor f : path.subList(0, path.size() - 1)) {
                target = target.getFieldBuilder(f);
            }
            FieldDescriptor leaf = path.get(path.size() - 1);
            if (leaf.getJavaType() != FieldDescriptor.JavaType.MESSAGE || leaf.isRepeated()) {
                throw new IllegalStateException("body field " + bodyField + " must be a singular message");
            }
            if (body == null || body.isBlank()) {
                return; // no body: the field stays unset and the service says it is required
            }
            DynamicMessage.Builder field = DynamicMessage.newBuilder(leaf.getMessageType());
            parser.merge(json, field);
            strict(json, leaf.getMessageType(), bodyField + ".");
            target.setField(leaf, field.build());
        } catch (InvalidProtocolBufferException e) {
            String prefix = bodyField.equals("*") ? "" : bodyField + ".";
            Matcher unknown = UNKNOWN_FIELD.matcher(String.valueOf(e.getMessage()));
            if (unknown.find()) {
                throw TranscodingException.badField(
                        label(prefix + unknown.group(1)), "is not a field of this operation");
            }
            Descriptor type = bodyField.equals("*")
                    ? request.getDescriptorForType()
                    : FieldPaths.resolve(request.getDescriptorForType(), bodyField)
                            .getLast()
                            .getMessageType();
            String culprit = culprit(type, json, prefix);
            throw new TranscodingException(
                    400,
                    culprit != null ? culprit : bodyField.equals("*") ? null : bodyField,
                    "the request body is not valid JSON for this operation: "
                            + Echo.cut(withoutClassNames(e.getMessage()), 200));
        }
    }

    /**
     * Refuses a body protobuf's JSON reader took only because it is lenient (Gson in lenient mode):
     * text after the value (a second document — the first was taken, the rest dropped), comments,
     * single quotes, unquoted names, {@code NaN}, and a member given twice (the last one won). Run
     * once the body was read, so what that reader refuses keeps its message; a byte order mark
     * before the value stays allowed (RFC 8259 lets a reader ignore it).
     */
    private static void strict(String json, Descriptor type, String prefix) {
        String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
        try (tools.jackson.core.JsonParser p = STRICT_JSON.createParser(text)) {
            try {
                p.nextToken();
                p.skipChildren();
                if (p.nextToken() != null) {
                    throw new TranscodingException(
                            400, null, "the request body is not valid JSON for this operation: text after the value");
                }
            } catch (tools.jackson.core.exc.StreamReadException e) {
                String message = e.getOriginalMessage();
                String field = message != null && message.startsWith("Duplicate Object property")
                        ? fieldOf(type, p.streamReadContext().pathAsPointer().toString(), prefix)
                        : null;
                throw new TranscodingException(
                        400,
                        field,
                        "the request body is not valid JSON for this operation: "
                                + Echo.cut(withoutClassNames(message), 200));
            }
        }
    }

    /** A JSON pointer into a body ({@code /readings/1/batteryPercent}) as a field path ({@code readings[1].battery_percent}). */
    private static String fieldOf(Descriptor type, String pointer, String prefix) {
        StringBuilder path = new StringBuilder(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
        Descriptor current = type; // the message whose member the next name is
        Descriptor item = null; // after a repeated field: the type of its items, reached by an index
        boolean index = false;
        for (String raw : pointer.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            String segment = raw.replace("~1", "/").replace("~0", "~");
            if (index && segment.chars().allMatch(Character::isDigit)) {
                path.append('[').append(segment).append(']');
                current = item;
                index = false;
                continue;
            }
            index = false;
            FieldDescriptor f = current == null ? null : current.findFieldByName(segment);
            if (f == null && current != null) {
                f = current.getFields().stream()
                        .filter(c -> c.getJsonName().equals(segment))
                        .findFirst()
                        .orElse(null);
            }
            path.append(path.isEmpty() ? "" : ".").append(f == null ? label(segment) : f.getName());
            Descriptor message =
                    f != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? f.getMessageType() : null;
            if (f != null && f.isRepeated()) {
                index = true;
                item = message;
                current = null;
            } else {
                current = message;
            }
        }
        return path.toString();
    }

    /**
     * The field whose value the JSON parser refused (an unknown enum value, a string where a number
     * goes, a number beyond its type…), found by parsing the body's members one at a time — only
     * after a refusal, so it costs nothing on the way of a sound request. Null when the body is not
     * JSON at all or no single member is to blame.
     */
    String culprit(Descriptor type, String json, String prefix) {
        try {
            return culprit(type, CULPRIT_JSON.readTree(json), prefix, 0);
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private String culprit(Descriptor type, tools.jackson.databind.JsonNode element, String prefix, int depth) {
        if (!element.isObject() || depth > 8) {
            return null;
        }
        for (var member : element.properties()) {
            tools.jackson.databind.node.ObjectNode single = CULPRIT_JSON.createObjectNode();
            single.set(member.getKey(), member.getValue());
            try {
                parser.merge(CULPRIT_JSON.writeValueAsString(single), DynamicMessage.newBuilder(type));
            } catch (InvalidProtocolBufferException | RuntimeException refused) {
                FieldDescriptor f = type.findFieldByName(member.getKey());
                if (f == null) {
                    f = type.getFields().stream()
                            .filter(c -> c.getJsonName().equals(member.getKey()))
                            .findFirst()
                            .orElse(null);
                }
                if (f == null) {
                    return label(prefix + member.getKey());
                }
                String path = prefix + f.getName();
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                        && !f.getMessageType().getFullName().startsWith("google.protobuf.")) {
                    if (f.isRepeated() && member.getValue().isArray()) {
                        var items = member.getValue();
                        for (int i = 0; i < items.size(); i++) {
                            String deeper = culprit(f.getMessageType(), items.get(i), path + "[" + i + "].", depth + 1);
                            if (deeper != null) {
                                return deeper;
                            }
                        }
                    } else if (!f.isRepeated()) {
                        String deeper = culprit(f.getMessageType(), member.getValue(), path + ".", depth + 1);
                        if (deeper != null) {
                            return deeper;
                        }
                    }
                }
                return path;
            }
        }
        return null;
    }

    /** A parser's message without the Java exception names it may carry (they are no client's business). */
    static String withoutClassNames(String message) {
        return message == null ? "malformed" : EXCEPTION_PREFIX.matcher(message).replaceAll("");
    }

    /** A raw answer: the content of a {@code google.api.HttpBody}. */
    public record Raw(String contentType, byte[] data) {}

    /**
     * The raw answer when the response (or its {@code response_body} field) is a
     * {@code google.api.HttpBody} — a CSV download, say; empty for ordinary JSON answers.
     */
    public java.util.Optional<Raw> raw(TranscodingRoute route, DynamicMessage response) {
        Message selected = response;
        if (!route.responseBody().isEmpty()) {
            FieldDescriptor f = FieldPaths.resolve(response.getDescriptorForType(), route.responseBody())
                    .get(0);
            if (response.getField(f) instanceof Message m) {
                selected = m;
            }
        }
        var type = selected.getDescriptorForType();
        if (!type.getFullName().equals("google.api.HttpBody")) {
            return java.util.Optional.empty();
        }
        String contentType = (String) selected.getField(type.findFieldByName("content_type"));
        byte[] data = ((com.google.protobuf.ByteString) selected.getField(type.findFieldByName("data"))).toByteArray();
        return java.util.Optional.of(new Raw(contentType.isBlank() ? "application/octet-stream" : contentType, data));
    }

    /** The JSON answer: the whole response, or its {@code response_body} field. */
    public String response(TranscodingRoute route, DynamicMessage response) {
        try {
            if (route.responseBody().isEmpty()) {
                return printer.print(response);
            }
            FieldDescriptor f = FieldPaths.resolve(response.getDescriptorForType(), route.responseBody())
                    .get(0);
            Object value = response.getField(f);
            if (value instanceof Message message) {
                return printer.print(message);
            }
            return printer.print(response);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(
                    "cannot print " + response.getDescriptorForType().getFullName(), e);
        }
    }
}
