package fr.interieur.neogend.gateway.openapi;

import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import fr.interieur.neogend.common.v1.AccessProto;
import fr.interieur.neogend.common.v1.AccessRule;
import fr.interieur.neogend.common.v1.FieldRules;
import fr.interieur.neogend.contract.Decimals;
import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.gateway.transcoding.FieldPaths;
import fr.interieur.neogend.gateway.transcoding.RouteTable;
import fr.interieur.neogend.gateway.transcoding.TranscodingRoute;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OpenAPI 3.1 document of the REST API, derived from the same proto descriptors and
 * {@code google.api.http} rules the transcoding uses, so the two cannot drift: a path per route,
 * its path and query parameters, request and response schemas from the messages (proto3 JSON
 * mapping: camelCase names, 64-bit integers as strings, enums by name), proto comments as
 * descriptions, {@code OUTPUT_ONLY} fields read-only, the roles of each operation from its access
 * rule, Keycloak as the OAuth2 scheme.
 */
public final class OpenApiDocument {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ExtensionRegistry REGISTRY = ExtensionRegistry.newInstance();

    static {
        AccessProto.registerAllExtensions(REGISTRY);
        FieldBehaviorProto.registerAllExtensions(REGISTRY);
    }

    private final Map<String, String> comments;
    private final ObjectNode schemas = JSON.createObjectNode();

    private OpenApiDocument(Map<String, String> comments) {
        this.comments = comments;
    }

    /**
     * @param issuer the Keycloak realm's issuer URI (its OpenID endpoints are the OAuth2 flows)
     */
    public static JsonNode build(RouteTable routes, FileDescriptorSet descriptors, String issuer, String version) {
        return new OpenApiDocument(comments(descriptors)).document(routes, issuer, version);
    }

    private JsonNode document(RouteTable routes, String issuer, String version) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "NéoGEND fleet platform API");
        info.put("version", version);
        info.put("description", """
                The REST API of the NéoGEND fleet platform, for suppliers (partner API) and internal front \
                ends. Derived from the protos: every operation is a gRPC method transcoded by the gateway. \
                Errors are application/problem+json. Creating calls honour an Idempotency-Key header where \
                said. Guide: docs/partner-guide.md.""");
        doc.putArray("servers").addObject().put("url", "/");
        ObjectNode paths = doc.putObject("paths");
        List<TranscodingRoute> sorted = new ArrayList<>(routes.routes());
        sorted.sort((a, b) -> a.template().toString().compareTo(b.template().toString()));
        for (TranscodingRoute route : sorted) {
            String path = route.template().toString();
            ObjectNode item = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
            item.set(route.httpMethod().toLowerCase(java.util.Locale.ROOT), operation(route));
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode security = components.putObject("securitySchemes");
        ObjectNode keycloak = security.putObject("keycloak");
        keycloak.put("type", "oauth2");
        keycloak.put(
                "description",
                "Keycloak realm " + issuer + ": people through the authorization code flow with "
                        + "PKCE (client neogend-web), suppliers with client credentials (private_key_jwt).");
        ObjectNode flows = keycloak.putObject("flows");
        ObjectNode code = flows.putObject("authorizationCode");
        code.put("authorizationUrl", issuer + "/protocol/openid-connect/auth");
        code.put("tokenUrl", issuer + "/protocol/openid-connect/token");
        code.putObject("scopes");
        ObjectNode client = flows.putObject("clientCredentials");
        client.put("tokenUrl", issuer + "/protocol/openid-connect/token");
        client.putObject("scopes");
        ObjectNode device = security.putObject("device");
        device.put("type", "apiKey");
        device.put("in", "header");
        device.put("name", "Authorization");
        device.put("description", "A device's own credential: `Authorization: Device <credential>` (enrolment).");
        schemas.set("Problem", problemSchema());
        components.set("schemas", sortedSchemas());
        return doc;
    }

    private ObjectNode operation(TranscodingRoute route) {
        MethodDescriptor method = route.method();
        ObjectNode op = JSON.createObjectNode();
        op.put("operationId", method.getName());
        op.putArray("tags").add(route.backend());
        String comment = comments.getOrDefault(method.getFullName(), "");
        Optional<AccessRule> rule = accessRule(method);
        List<String> roles = rule.<List<String>>map(AccessRule::getRolesList).orElse(List.of());
        op.put("summary", firstSentence(comment.isEmpty() ? method.getName() : comment));
        op.put(
                "description",
                comment
                        + (roles.isEmpty() ? "" : "\n\nRoles: " + String.join(", ", roles) + ".")
                        + (rule.isPresent() && rule.get().getHonoursIdempotencyKey()
                                ? "\n\nHonours `Idempotency-Key`: a repeat gets the first answer."
                                : ""));
        ArrayNode rolesNode = op.putArray("x-neogend-roles");
        roles.forEach(rolesNode::add);
        op.putArray("security").addObject().putArray(roles.equals(List.of("device")) ? "device" : "keycloak");
        ArrayNode parameters = op.putArray("parameters");
        Set<String> bound = new LinkedHashSet<>(route.template().variables());
        for (String variable : route.template().variables()) {
            List<FieldDescriptor> chain = FieldPaths.resolve(method.getInputType(), variable);
            ObjectNode p = parameters.addObject();
            p.put("name", variable);
            p.put("in", "path");
            p.put("required", true);
            p.put("description", comments.getOrDefault(chain.getLast().getFullName(), ""));
            p.set("schema", fieldSchema(chain.getLast(), false));
        }
        Descriptor input = method.getInputType();
        if (route.body().isEmpty() || !route.body().equals("*")) {
            for (FieldDescriptor f : input.getFields()) { // query parameters: the request's other top-level fields
                if (bound.contains(f.getName())
                        || f.getName().equals(route.body())
                        || f.getType() == FieldDescriptor.Type.MESSAGE && !queryable(f.getMessageType())) {
                    continue;
                }
                ObjectNode p = parameters.addObject();
                p.put("name", f.getName());
                p.put("in", "query");
                p.put("required", false);
                p.put("description", comments.getOrDefault(f.getFullName(), ""));
                // a day in a query is written YYYY-MM-DD (FieldPaths), not as the JSON object of a body
                p.set(
                        "schema",
                        isDay(f)
                                ? JSON.createObjectNode().put("type", "string").put("format", "date")
                                : fieldSchema(f, false));
            }
        }
        if (!route.body().isEmpty()) {
            ObjectNode body = op.putObject("requestBody");
            body.put("required", true);
            JsonNode schema =
                    route.body().equals("*") ? ref(input) : fieldSchema(input.findFieldByName(route.body()), false);
            body.putObject("content").putObject("application/json").set("schema", schema);
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject("200");
        ok.put("description", "OK");
        Descriptor output = method.getOutputType();
        if (output.getFullName().equals("google.api.HttpBody")
                || !route.responseBody().isEmpty()
                        && output.findFieldByName(route.responseBody()) != null
                        && output.findFieldByName(route.responseBody()).getType() == FieldDescriptor.Type.MESSAGE
                        && output.findFieldByName(route.responseBody())
                                .getMessageType()
                                .getFullName()
                                .equals("google.api.HttpBody")) {
            ok.putObject("content").putObject("*/*").putObject("schema").put("type", "string");
        } else {
            JsonNode schema = route.responseBody().isEmpty()
                    ? ref(output)
                    : fieldSchema(output.findFieldByName(route.responseBody()), false);
            ok.putObject("content").putObject("application/json").set("schema", schema);
        }
        ObjectNode error = responses.putObject("default");
        error.put(
                "description",
                "A problem: 400 invalid or refused by the rules, 401 no valid token, 403 role, "
                        + "404 not found or not yours, 406 an Accept that excludes application/json (JSON "
                        + "answers), 409 conflict, 413 too large, 422 Idempotency-Key reused, "
                        + "429 too many requests (Retry-After), 503 unavailable (retry)");
        error.putObject("content")
                .putObject("application/problem+json")
                .putObject("schema")
                .put("$ref", "#/components/schemas/Problem");
        return op;
    }

    /** Message types a query parameter can carry as text (the gateway's FieldPaths reads them). */
    private static boolean queryable(Descriptor type) {
        return switch (type.getFullName()) {
            case "google.protobuf.Timestamp", "google.type.Date" -> true;
            default -> false;
        };
    }

    private static boolean isDay(FieldDescriptor f) {
        return f.getType() == FieldDescriptor.Type.MESSAGE
                && f.getMessageType().getFullName().equals("google.type.Date");
    }

    /** A reference to a message's schema, defining it (and what it refers to) on first use. */
    private JsonNode ref(Descriptor message) {
        switch (message.getFullName()) {
            case "google.protobuf.Timestamp" -> {
                return JSON.createObjectNode().put("type", "string").put("format", "date-time");
            }
            case "google.protobuf.Duration" -> {
                return JSON.createObjectNode().put("type", "string").put("description", "seconds with an 's' suffix");
            }
            case "google.protobuf.Struct" -> {
                return JSON.createObjectNode().put("type", "object");
            }
            case "google.protobuf.Value", "google.protobuf.Any" -> {
                return JSON.createObjectNode();
            }
            default -> {
                // define it (and what it refers to) on first use
            }
        }
        String name = message.getFullName();
        if (!schemas.has(name)) {
            schemas.putObject(name); // placeholder: recursive types
            schemas.set(name, messageSchema(message));
        }
        return JSON.createObjectNode().put("$ref", "#/components/schemas/" + name);
    }

    private ObjectNode messageSchema(Descriptor message) {
        ObjectNode schema = JSON.createObjectNode();
        schema.put("type", "object");
        String comment = comments.get(message.getFullName());
        if (comment != null) {
            schema.put("description", comment);
        }
        ObjectNode properties = schema.putObject("properties");
        List<String> required = new ArrayList<>();
        for (FieldDescriptor f : message.getFields()) {
            List<FieldBehavior> behaviors = behaviors(f);
            ObjectNode property = (ObjectNode) fieldSchema(f, true);
            if (behaviors.contains(FieldBehavior.OUTPUT_ONLY)) {
                property.put("readOnly", true);
            }
            if (behaviors.contains(FieldBehavior.REQUIRED)) {
                required.add(f.getJsonName());
            }
            properties.set(f.getJsonName(), property);
        }
        if (!required.isEmpty()) {
            ArrayNode r = schema.putArray("required");
            required.forEach(r::add);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    private JsonNode fieldSchema(FieldDescriptor f, boolean describe) {
        ObjectNode single;
        if (f.isMapField()) {
            ObjectNode map = JSON.createObjectNode().put("type", "object");
            map.set("additionalProperties", fieldSchema(f.getMessageType().findFieldByName("value"), false));
            single = map;
        } else {
            single = (ObjectNode) scalarSchema(f);
            FieldRules rules = RequestRules.rulesOf(f);
            if (f.isRepeated()) {
                ObjectNode array = JSON.createObjectNode().put("type", "array");
                array.set("items", single);
                if (rules.getMaxItems() > 0) {
                    array.put("maxItems", rules.getMaxItems());
                }
                single = array;
            }
        }
        String comment = comments.get(f.getFullName());
        if (describe && comment != null) { // OpenAPI 3.1 allows a description next to a $ref
            single.put("description", comment);
        }
        return single;
    }

    private JsonNode scalarSchema(FieldDescriptor f) {
        ObjectNode s = JSON.createObjectNode();
        switch (f.getJavaType()) {
            case INT -> {
                s.put("type", "integer").put("format", "int32");
                FieldRules rules = RequestRules.rulesOf(f);
                if (rules.hasMin()) {
                    s.put("minimum", rules.getMin());
                }
                if (rules.hasMax()) {
                    s.put("maximum", rules.getMax());
                }
            }
            case LONG -> {
                s.put("type", "string").put("format", "int64");
                FieldRules rules = RequestRules.rulesOf(f);
                if (rules.hasMin() && rules.getMin() >= 0) {
                    s.put("pattern", "^[0-9]{1,19}$"); // proto3 JSON writes 64-bit integers as strings
                }
            }
            case FLOAT -> s.put("type", "number").put("format", "float");
            case DOUBLE -> s.put("type", "number").put("format", "double");
            case BOOLEAN -> s.put("type", "boolean");
            case STRING -> {
                s.put("type", "string");
                FieldRules rules = RequestRules.rulesOf(f);
                Decimals.Shape shape = RequestRules.shapeOf(f);
                if (shape != null) {
                    s.put(
                            "pattern",
                            "^" + (shape.signed() ? "-?" : "") + "[0-9]{1," + shape.integerDigits() + "}"
                                    + (shape.fractionDigits() > 0
                                            ? "(\\.[0-9]{1," + shape.fractionDigits() + "})?"
                                            : "")
                                    + "$");
                } else if (rules.getCalendarDate()) {
                    s.put("format", "date");
                } else if (rules.getMaxLength() > 0) {
                    s.put("maxLength", rules.getMaxLength());
                }
                if (rules.getAscii()) {
                    s.put("pattern", "^[\\x20-\\x7e]*$");
                }
            }
            case BYTE_STRING -> s.put("type", "string").put("format", "byte");
            case ENUM -> {
                EnumDescriptor e = f.getEnumType();
                s.put("type", "string");
                ArrayNode values = s.putArray("enum");
                for (EnumValueDescriptor v : e.getValues()) {
                    values.add(v.getName());
                }
            }
            case MESSAGE -> {
                return ref(f.getMessageType());
            }
        }
        return s;
    }

    private static ObjectNode problemSchema() {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "object");
        p.put("description", "RFC 9457 problem details, with the gRPC code and, for invalid requests, the fields.");
        ObjectNode props = p.putObject("properties");
        props.putObject("type").put("type", "string");
        props.putObject("title").put("type", "string");
        props.putObject("status").put("type", "integer");
        props.putObject("detail").put("type", "string");
        props.putObject("code").put("type", "string").put("description", "the gRPC status code, e.g. INVALID_ARGUMENT");
        props.putObject("instance").put("type", "string");
        props.putObject("correlationId").put("type", "string");
        ObjectNode errors = props.putObject("errors");
        errors.put("type", "array");
        ObjectNode item = errors.putObject("items");
        item.put("type", "object");
        item.putObject("properties").putObject("field").put("type", "string");
        ((ObjectNode) item.get("properties")).putObject("message").put("type", "string");
        return p;
    }

    private ObjectNode sortedSchemas() {
        ObjectNode sorted = JSON.createObjectNode();
        new TreeMap<String, JsonNode>(toMap(schemas)).forEach(sorted::set);
        return sorted;
    }

    private static Map<String, JsonNode> toMap(ObjectNode node) {
        Map<String, JsonNode> map = new HashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    private static String firstSentence(String text) {
        String oneLine = text.replace('\n', ' ').trim();
        int dot = oneLine.indexOf(". ");
        String first = dot < 0 ? oneLine : oneLine.substring(0, dot + 1);
        return first.length() > 120 ? first.substring(0, 119) + "…" : first;
    }

    private static Optional<AccessRule> accessRule(MethodDescriptor method) {
        try {
            MethodOptions options = MethodOptions.parseFrom(method.getOptions().toByteString(), REGISTRY);
            return options.hasExtension(AccessProto.access)
                    ? Optional.of(options.getExtension(AccessProto.access))
                    : Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    private static List<FieldBehavior> behaviors(FieldDescriptor f) {
        try {
            FieldOptions options = FieldOptions.parseFrom(f.getOptions().toByteString(), REGISTRY);
            return options.getExtension(FieldBehaviorProto.fieldBehavior);
        } catch (InvalidProtocolBufferException e) {
            return List.of();
        }
    }

    /** Leading comments of messages, fields, enums, services and methods, by full name. */
    static Map<String, String> comments(FileDescriptorSet set) {
        Map<String, String> out = new HashMap<>();
        for (FileDescriptorProto file : set.getFileList()) {
            if (!file.getPackage().startsWith("neogend.")) {
                continue;
            }
            Map<List<Integer>, String> byPath = new HashMap<>();
            for (SourceCodeInfo.Location l : file.getSourceCodeInfo().getLocationList()) {
                if (!l.getLeadingComments().isBlank()) {
                    byPath.put(l.getPathList(), l.getLeadingComments().strip().replaceAll("\n ", "\n"));
                }
            }
            String pkg = file.getPackage();
            for (int m = 0; m < file.getMessageTypeCount(); m++) {
                message(file.getMessageType(m), pkg, List.of(4, m), byPath, out);
            }
            for (int e = 0; e < file.getEnumTypeCount(); e++) {
                put(out, pkg + "." + file.getEnumType(e).getName(), byPath.get(List.of(5, e)));
            }
            for (int s = 0; s < file.getServiceCount(); s++) {
                var service = file.getService(s);
                put(out, pkg + "." + service.getName(), byPath.get(List.of(6, s)));
                for (int m = 0; m < service.getMethodCount(); m++) {
                    put(
                            out,
                            pkg + "." + service.getName() + "."
                                    + service.getMethod(m).getName(),
                            byPath.get(List.of(6, s, 2, m)));
                }
            }
        }
        return out;
    }

    private static void message(
            DescriptorProto message,
            String scope,
            List<Integer> path,
            Map<List<Integer>, String> byPath,
            Map<String, String> out) {
        String name = scope + "." + message.getName();
        put(out, name, byPath.get(path));
        for (int f = 0; f < message.getFieldCount(); f++) {
            put(out, name + "." + message.getField(f).getName(), byPath.get(concat(path, 2, f)));
        }
        for (int n = 0; n < message.getNestedTypeCount(); n++) {
            message(message.getNestedType(n), name, concat(path, 3, n), byPath, out);
        }
        for (int e = 0; e < message.getEnumTypeCount(); e++) {
            put(out, name + "." + message.getEnumType(e).getName(), byPath.get(concat(path, 4, e)));
        }
    }

    private static List<Integer> concat(List<Integer> path, int kind, int index) {
        List<Integer> p = new ArrayList<>(path);
        p.add(kind);
        p.add(index);
        return p;
    }

    private static void put(Map<String, String> out, String name, String comment) {
        if (comment != null) {
            out.put(name, comment);
        }
    }
}
