package fr.interieur.neogend.systemtests;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ExtensionRegistry;
import com.google.rpc.BadRequest;
import fr.interieur.neogend.common.v1.AccessProto;
import fr.interieur.neogend.common.v1.AccessRule;
import fr.interieur.neogend.common.v1.FieldRules;
import fr.interieur.neogend.contract.ContractDescriptors;
import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.Stack;
import fr.interieur.neogend.devstack.TokenClient;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input through the whole suite, derived from the protos like the access matrix: every
 * REST route × hostile values of every field it takes (control characters, over-long strings,
 * exponent and huge decimals, impossible dates, negative counts, unknown enum values, a singular
 * parameter given twice), and every RPC over direct gRPC with the same values. Never a 5xx or
 * INTERNAL; always a problem (or INVALID_ARGUMENT) naming the field; nothing stored; the suite
 * answers normally afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedStack.class)
@Order(10) // first of the shared: its before/after snapshot of the fleet sees no other class's late writes
class HostileInputIT {

    static final Path ROOT = Path.of(System.getProperty("neogend.root", "../.."))
            .toAbsolutePath()
            .normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String NUL = "a\u0000b";
    static final String BELL = "x\u0007";
    /** A right-to-left override: "a\u202Eb" shows otherwise than it is stored. */
    static final String BIDI = "a\u202Eb";

    static Stack stack;
    static TokenClient tokens;
    static final Map<String, String> TOKENS = new HashMap<>();
    /** Service accounts' tokens by client: the proof of the RPCs called only through them. */
    static final Map<String, String> PEER_TOKENS = new HashMap<>();

    static String deviceCredential;
    static List<FileDescriptor> files;
    static Map<String, String> before;

    @BeforeAll
    static void startSuite() throws Exception {
        stack = SharedStack.get().stack();
        tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String fleet = tokens.password("fleet.manager", "fleet.manager");
        String supplier = tokens.clientCredentials("supplier-demo", "supplier-demo-secret");
        DemoData.loadUnits(stack.gatewayUrl(), fleet);
        DemoData.load(stack.gatewayUrl(), fleet);
        DemoData.loadAgreement(stack.gatewayUrl(), fleet);
        DemoData.loadRomReleases(stack.gatewayUrl(), fleet, supplier);
        TOKENS.put("fleet-manager", fleet);
        TOKENS.put("unit-manager", tokens.password("unit.manager", "unit.manager"));
        TOKENS.put("technician", tokens.password("technician", "technician"));
        TOKENS.put("auditor", tokens.password("auditor", "auditor"));
        TOKENS.put("supplier", supplier);
        TOKENS.put("internal-service", tokens.clientCredentials("neogend-inventory", "inventory-dev-secret"));
        // the RPCs called only through order or accessories take their account's token as proof (ADR 0030)
        PEER_TOKENS.put("neogend-order", tokens.clientCredentials("neogend-order", "order-dev-secret"));
        PEER_TOKENS.put(
                "neogend-accessories", tokens.clientCredentials("neogend-accessories", "accessories-dev-secret"));
        var enrolled = send("POST", "/api/v1/devices/" + DemoData.imei(1) + ":enroll", fleet, "{}");
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        deviceCredential = enrolled.body().replaceAll(".*\"credential\":\"([^\"]+)\".*", "$1");
        files = ContractDescriptors.files().stream()
                .filter(f -> !f.getServices().isEmpty())
                .toList();
        before = snapshot();
    }

    // ---------------------------------------------------------------- REST

    /** A hostile value for one field of one route, and the field the refusal must name. */
    record Probe(String method, String path, String query, String body, String field, String what) {}

    @Test
    @Order(1)
    void everyRestRouteRefusesHostileValuesOfEveryFieldNamingIt() throws Exception {
        List<Probe> probes = new ArrayList<>();
        int routes = 0;
        for (FileDescriptor file : files) {
            for (var service : file.getServices()) {
                for (MethodDescriptor m : service.getMethods()) {
                    HttpRule rule = httpRule(m);
                    if (rule == null || m.isClientStreaming() || m.isServerStreaming() || roles(m).contains("device")) {
                        continue; // device uploads: their readings are judged one by one (aBadReadingIsRefusedAlone…)
                    }
                    routes++;
                    probes.addAll(probes(m, rule));
                }
            }
        }
        List<String> wrong = new ArrayList<>();
        int sent = 0;
        for (Probe p : probes) {
            String token = TOKENS.get("fleet-manager");
            var r = send(p.method(), p.path() + (p.query().isEmpty() ? "" : "?" + p.query()), token, p.body());
            sent++;
            String problem = check(r, p.field());
            if (problem != null) {
                wrong.add(p.method() + " " + p.path() + " " + p.what() + " → " + problem);
            }
        }
        System.out.printf(
                "hostile-input sweep over REST: %d routes, %d hostile requests, %d wrong%n",
                routes, sent, wrong.size());
        assertThat(routes).isGreaterThan(70);
        assertThat(sent).isGreaterThan(500);
        assertThat(wrong).isEmpty();
    }

    /** What is wrong with a refusal, or null: a 400 problem naming the field, nothing internal. */
    static String check(HttpResponse<String> r, String field) {
        if (r.statusCode() >= 500) {
            return "HTTP " + r.statusCode() + " " + cut(r.body());
        }
        if (r.statusCode() != 400) {
            return "HTTP " + r.statusCode() + " instead of 400: " + cut(r.body());
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return "not a problem: " + r.headers().firstValue("Content-Type");
        }
        boolean named = false;
        for (String alternative : field.split("\\|")) { // a list's item, or the list's parameter
            named |= r.body().contains("\"field\":\"" + alternative + "\"");
        }
        if (!named) {
            return "does not name " + field + ": " + cut(r.body());
        }
        if (r.body().length() > 4000
                || r.body().contains("Exception")
                || r.body().contains("\tat ")) {
            return "too long or internal: " + cut(r.body());
        }
        return null;
    }

    static List<Probe> probes(MethodDescriptor m, HttpRule rule) {
        String method = rule.getPatternCase().name();
        String template = switch (rule.getPatternCase()) {
            case GET -> rule.getGet();
            case POST -> rule.getPost();
            case PUT -> rule.getPut();
            case PATCH -> rule.getPatch();
            case DELETE -> rule.getDelete();
            default -> throw new AssertionError(rule);
        };
        List<String> variables = new ArrayList<>();
        Matcher v = Pattern.compile("\\{([a-z_.]+)}").matcher(template);
        StringBuilder path = new StringBuilder();
        while (v.find()) {
            variables.add(v.group(1));
            FieldDescriptor bound = m.getInputType().findFieldByName(v.group(1));
            boolean numeric = bound != null
                    && (bound.getJavaType() == FieldDescriptor.JavaType.INT
                            || bound.getJavaType() == FieldDescriptor.JavaType.LONG);
            v.appendReplacement(
                    path,
                    numeric && !v.group(1).equals("year") && !v.group(1).equals("month") ? "1" : fixture(v.group(1)));
        }
        v.appendTail(path);
        String bodyField = rule.getBody();
        String baseBody = bodyField.isEmpty() ? null : "{}";
        List<Probe> out = new ArrayList<>();
        Descriptor input = m.getInputType();
        if (bodyField.isEmpty()) { // query parameters: every singular scalar field not in the path
            for (FieldDescriptor f : input.getFields()) {
                if (variables.contains(f.getName()) || f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    continue;
                }
                String named = f.isRepeated() ? f.getName() + "[0]|" + f.getName() : f.getName();
                for (String[] hostile : hostileQueryValues(f)) {
                    out.add(new Probe(
                            method,
                            path.toString(),
                            f.getName() + "=" + enc(hostile[0]),
                            null,
                            named,
                            f.getName() + " " + hostile[1]));
                }
                if (!f.isRepeated()) {
                    out.add(new Probe(
                            method,
                            path.toString(),
                            f.getName() + "=" + enc(sample(f)) + "&" + f.getName() + "=" + enc(sample(f)),
                            null,
                            f.getName(),
                            f.getName() + " given twice"));
                }
            }
        } else {
            Descriptor bodyType = bodyField.equals("*")
                    ? input
                    : input.findFieldByName(bodyField).getMessageType();
            String prefix = bodyField.equals("*") ? "" : bodyField + ".";
            for (FieldDescriptor f : bodyType.getFields()) {
                if (bodyField.equals("*") && variables.contains(f.getName()) || outputOnly(f)) {
                    continue;
                }
                for (String[] hostile : hostileJsonValues(f)) {
                    String json = "{\"" + f.getName() + "\":" + hostile[0] + "}";
                    out.add(new Probe(
                            method,
                            path.toString(),
                            "",
                            json,
                            prefix + f.getName() + hostile[2],
                            f.getName() + " " + hostile[1]));
                }
            }
        }
        assertThat(baseBody == null || baseBody.equals("{}")).isTrue();
        return out;
    }

    /** {value, what} pairs for a query parameter. */
    static List<String[]> hostileQueryValues(FieldDescriptor f) {
        FieldRules rules = RequestRules.rulesOf(f);
        List<String[]> out = new ArrayList<>();
        switch (f.getJavaType()) {
            case STRING -> {
                out.add(new String[] {NUL, "with a NUL"});
                out.add(new String[] {BELL, "with a control character"});
                out.add(new String[] {BIDI, "with a bidirectional override"});
                int max = rules.getMaxLength() > 0 ? rules.getMaxLength() : 64;
                if (max < 2000) { // a request line holds up to 4 KiB
                    out.add(new String[] {"Z".repeat(max + 1), "one character too long"});
                }
                if (rules.hasDecimal()) {
                    out.add(new String[] {"1e99999999", "with an exponent"});
                }
                if (rules.getCalendarDate()) {
                    out.add(new String[] {"2026-02-30", "an impossible date"});
                }
            }
            case INT, LONG -> {
                if (rules.hasMin() && rules.getMin() >= 0) {
                    out.add(new String[] {"-1", "negative"});
                    out.add(new String[] {"-2147483648", "hugely negative"});
                }
                out.add(new String[] {"99999999999999999999999", "beyond 64 bits"});
            }
            case ENUM -> out.add(new String[] {"NOT_A_VALUE", "not a value"});
            case DOUBLE, FLOAT -> out.add(new String[] {"NaN", "NaN"});
            case BOOLEAN -> out.add(new String[] {"maybe", "not a boolean"});
            default -> {
                // nothing
            }
        }
        return out;
    }

    /** {json value, what, field suffix} triples for a body field. */
    static List<String[]> hostileJsonValues(FieldDescriptor f) {
        FieldRules rules = RequestRules.rulesOf(f);
        List<String[]> out = new ArrayList<>();
        if (f.isRepeated()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.STRING) {
                out.add(new String[] {"[\"ok\",\"" + json(NUL) + "\"]", "with a NUL in its 2nd item", "[1]"});
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !rules.getItemsJudgedByService()) {
                FieldDescriptor inner = firstString(f.getMessageType());
                if (inner != null) {
                    out.add(new String[] {
                        "[{\"" + inner.getName() + "\":\"" + json(NUL) + "\"}]",
                        "with a NUL in its 1st item",
                        "[0]." + inner.getName()
                    });
                }
            }
            if (rules.getMaxItems() > 0 && rules.getMaxItems() <= 1000) {
                StringBuilder many = new StringBuilder("[");
                for (int i = 0; i <= rules.getMaxItems(); i++) {
                    many.append(i == 0 ? "" : ",")
                            .append(
                                    f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                                            ? "{}"
                                            : f.getJavaType() == FieldDescriptor.JavaType.STRING ? "\"x\"" : "0");
                }
                out.add(new String[] {many.append(']').toString(), "one item too many", ""});
            }
            return out;
        }
        switch (f.getJavaType()) {
            case STRING -> {
                out.add(new String[] {"\"" + json(NUL) + "\"", "with a NUL", ""});
                out.add(new String[] {"\"" + json(BELL) + "\"", "with a control character", ""});
                out.add(new String[] {"\"" + json(BIDI) + "\"", "with a bidirectional override", ""});
                int max = rules.getMaxLength() > 0 ? rules.getMaxLength() : 4096;
                out.add(new String[] {"\"" + "Z".repeat(Math.max(max + 1, 20_000)) + "\"", "over-long", ""});
                if (rules.hasDecimal()) {
                    out.add(new String[] {"\"1e1000000\"", "with an exponent", ""});
                    out.add(new String[] {"\"1e99999999\"", "with a huge exponent", ""});
                    out.add(new String[] {"\"" + "9".repeat(30) + "\"", "with 30 digits", ""});
                }
                if (rules.getCalendarDate()) {
                    out.add(new String[] {"\"2026-02-30\"", "an impossible date", ""});
                }
            }
            case INT, LONG -> {
                if (rules.hasMin() && rules.getMin() >= 0) {
                    out.add(new String[] {"-1", "negative", ""});
                    out.add(new String[] {"-2147483648", "hugely negative", ""});
                }
            }
            case ENUM -> out.add(new String[] {"\"NOT_A_VALUE\"", "not a value", ""});
            case MESSAGE -> {
                if (f.getMessageType().getFullName().equals("google.type.Date")) {
                    out.add(new String[] {"{\"year\":2026,\"month\":2,\"day\":30}", "30 February", ""});
                    out.add(new String[] {"{\"year\":2026,\"month\":13,\"day\":1}", "month 13", ""});
                } else if (f.getMessageType().getFullName().startsWith("neogend.")) {
                    FieldDescriptor inner = firstString(f.getMessageType());
                    if (inner != null) {
                        out.add(new String[] {
                            "{\"" + inner.getName() + "\":\"" + json(NUL) + "\"}",
                            "with a NUL inside",
                            "." + inner.getName()
                        });
                    }
                }
            }
            default -> {
                // booleans and floating point: the JSON parser's own refusals (tested by the transcoder's fuzz test)
            }
        }
        return out;
    }

    static FieldDescriptor firstString(Descriptor type) {
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.STRING && !f.isRepeated() && !outputOnly(f)) {
                return f;
            }
        }
        return null;
    }

    static String sample(FieldDescriptor f) {
        return switch (f.getJavaType()) {
            case INT, LONG -> "1";
            case BOOLEAN -> "true";
            case ENUM ->
                f.getEnumType()
                        .getValues()
                        .get(f.getEnumType().getValues().size() - 1)
                        .getName();
            case DOUBLE, FLOAT -> "1.5";
            default ->
                RequestRules.rulesOf(f).getCalendarDate()
                        ? "2026-01-01"
                        : RequestRules.rulesOf(f).hasDecimal() ? "1.00" : "A";
        };
    }

    static String fixture(String variable) {
        return switch (variable) {
            case "imei" -> DemoData.imei(1);
            case "year" -> "2026";
            case "month" -> "12";
            case "code", "unit_code" -> "GN-RBRE-GGD35";
            default -> "X-1";
        };
    }

    // ---------------------------------------------------------------- gRPC

    @Test
    @Order(2)
    void everyRpcRefusesTheSameValuesOverDirectGrpc() throws Exception {
        Map<String, ManagedChannel> channels = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        int sent = 0;
        int rpcs = 0;
        try {
            for (FileDescriptor file : files) {
                for (var service : file.getServices()) {
                    String backend = file.getPackage().split("\\.")[1];
                    ManagedChannel channel = channels.computeIfAbsent(
                            backend,
                            b -> NettyChannelBuilder.forAddress(
                                            "127.0.0.1", stack.options().ports().grpc(b))
                                    .usePlaintext()
                                    .build());
                    for (MethodDescriptor m : service.getMethods()) {
                        if (m.isClientStreaming() || m.isServerStreaming()) {
                            continue;
                        }
                        String authorization = authorizationFor(roles(m));
                        if (authorization == null) {
                            continue;
                        }
                        rpcs++;
                        for (var probe : grpcProbes(m.getInputType(), "", 0)) {
                            sent++;
                            String problem = callExpectingRefusal(
                                    channel, m, probe.getValue(), authorization, peerProofFor(m), probe.getKey());
                            if (problem != null) {
                                wrong.add(m.getFullName() + " " + probe.getKey() + " → " + problem);
                            }
                        }
                    }
                }
            }
        } finally {
            channels.values().forEach(ManagedChannel::shutdownNow);
        }
        System.out.printf(
                "hostile-input sweep over gRPC: %d RPCs, %d hostile calls, %d wrong%n", rpcs, sent, wrong.size());
        assertThat(rpcs).isGreaterThan(70);
        assertThat(sent).isGreaterThan(300);
        assertThat(wrong).isEmpty();
    }

    /** field path → request setting one hostile value there (strings at any depth, one item of lists). */
    static List<Map.Entry<String, DynamicMessage>> grpcProbes(Descriptor type, String prefix, int depth) {
        List<Map.Entry<String, DynamicMessage>> out = new ArrayList<>();
        if (depth > 2 || !type.getFullName().startsWith("neogend.")) {
            return out;
        }
        for (FieldDescriptor f : type.getFields()) {
            FieldRules rules = RequestRules.rulesOf(f);
            String path = prefix + f.getName();
            switch (f.getJavaType()) {
                case STRING -> {
                    for (String value : new String[] {NUL, "Z".repeat(Math.max(rules.getMaxLength(), 4096) + 1)}) {
                        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
                        if (f.isRepeated()) {
                            b.addRepeatedField(f, value);
                            out.add(Map.entry(path + "[0]", b.build()));
                        } else {
                            b.setField(f, value);
                            out.add(Map.entry(path, b.build()));
                        }
                    }
                }
                case INT, LONG -> {
                    if (!f.isRepeated() && rules.hasMin() && rules.getMin() >= 0) {
                        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
                        b.setField(f, f.getJavaType() == FieldDescriptor.JavaType.INT ? (Object) (-1) : (Object) (-1L));
                        out.add(Map.entry(path, b.build()));
                    }
                }
                case ENUM -> {
                    if (!f.isRepeated()) {
                        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
                        b.setField(f, f.getEnumType().findValueByNumberCreatingIfUnknown(9999));
                        out.add(Map.entry(path, b.build()));
                    }
                }
                case MESSAGE -> {
                    if (rules.getItemsJudgedByService()) {
                        continue;
                    }
                    for (var inner : grpcProbes(f.getMessageType(), "", depth + 1)) {
                        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
                        if (f.isRepeated()) {
                            b.addRepeatedField(f, inner.getValue());
                            out.add(Map.entry(path + "[0]." + inner.getKey(), b.build()));
                        } else {
                            b.setField(f, inner.getValue());
                            out.add(Map.entry(path + "." + inner.getKey(), b.build()));
                        }
                    }
                    if (f.getMessageType().getFullName().equals("google.type.Date") && !f.isRepeated()) {
                        Descriptor date = f.getMessageType();
                        DynamicMessage bad = DynamicMessage.newBuilder(date)
                                .setField(date.findFieldByName("year"), 2026)
                                .setField(date.findFieldByName("month"), 2)
                                .setField(date.findFieldByName("day"), 30)
                                .build();
                        out.add(Map.entry(
                                path,
                                DynamicMessage.newBuilder(type).setField(f, bad).build()));
                    }
                }
                default -> {
                    // booleans, floating point (NaN is refused: RequestRulesTest), bytes
                }
            }
        }
        return out;
    }

    static String callExpectingRefusal(
            ManagedChannel channel,
            MethodDescriptor m,
            DynamicMessage request,
            String authorization,
            String peerProof,
            String field) {
        var method = io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
                        m.getService().getFullName(), m.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getOutputType())))
                .build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        if (peerProof != null) {
            headers.put(Metadata.Key.of("x-neogend-peer-authorization", Metadata.ASCII_STRING_MARSHALLER), peerProof);
        }
        try {
            ClientCalls.blockingUnaryCall(
                    ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                    method,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    request);
            return "accepted";
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                return e.getStatus().getCode() + " " + e.getStatus().getDescription();
            }
            com.google.rpc.Status rich = StatusProto.fromThrowable(e);
            boolean named = false;
            if (rich != null) {
                for (var detail : rich.getDetailsList()) {
                    if (detail.is(BadRequest.class)) {
                        try {
                            named |= detail.unpack(BadRequest.class).getFieldViolationsList().stream()
                                    .anyMatch(v -> v.getField().equals(field));
                        } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                            // not named then
                        }
                    }
                }
            }
            return named
                    ? null
                    : "INVALID_ARGUMENT not naming " + field + ": "
                            + e.getStatus().getDescription();
        }
    }

    static String authorizationFor(List<String> roles) {
        for (String role :
                List.of("fleet-manager", "supplier", "internal-service", "technician", "unit-manager", "auditor")) {
            if (roles.contains(role)) {
                return "Bearer " + TOKENS.get(role);
            }
        }
        return roles.contains("device") ? "Device " + deviceCredential : null;
    }

    // ---------------------------------------------------------------- one by one, paths, storage

    @Test
    @Order(3)
    void aBadReadingIsRefusedAloneTheRestOfTheBatchIsKept() throws Exception {
        long seq = Instant.now().getEpochSecond() * 10;
        String now = Instant.now().minusSeconds(30).toString();
        String good = "{\"sequence\":\"%d\",\"recordedAt\":\"" + now + "\",\"batteryPercent\":50,"
                + "\"securityPatchLevel\":\"2026-11-05\",\"romBuild\":\"neogend/x5:user\"}";
        String batch = "{\"readings\":["
                + String.join(
                        ",",
                        good.formatted(seq),
                        good.formatted(seq + 1).replace("2026-11-05", "2026-02-30"),
                        good.formatted(seq + 2).replace("neogend/x5:user", "neogend\\u0000x5"),
                        good.formatted(seq + 3).replace("neogend/x5:user", "Z".repeat(5000)),
                        good.formatted(seq + 4).replace("\"batteryPercent\":50", "\"batteryPercent\":-5"),
                        good.formatted(seq + 5))
                + "]}";
        var r = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                        .header("Authorization", "Device " + deviceCredential)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"stored\":2");
        assertThat(r.body())
                .contains("security_patch_level")
                .contains("rom_build")
                .contains("battery_percent");
        assertThat(r.body()).doesNotContain("ZZZZZZZZZZ");
    }

    @Test
    @Order(4)
    void malformedPathsAnswerProblemsWithTheSecurityHeaders() throws Exception {
        String token = TOKENS.get("fleet-manager");
        int port = Integer.parseInt(stack.gatewayUrl().replaceAll(".*:", ""));
        for (String path : new String[] {
            "/api/v1/devices/%2e%2e/x",
            "/api/v1//devices",
            "/api/v1/devices;a=b",
            "/api/v1/devices/%5c",
            "/api/v1/devices/%zz",
            "/api/v1/" + "p".repeat(9000)
        }) {
            try (var socket = new java.net.Socket("localhost", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String label = path.length() > 30 ? path.substring(0, 30) + "…" : path;
                assertThat(answer)
                        .as(label)
                        .matches("(?s)HTTP/1.1 4(00|04|14) .*")
                        .containsIgnoringCase("content-type: application/problem+json")
                        .containsIgnoringCase("x-content-type-options: nosniff")
                        .contains("\"status\":4");
            }
        }
    }

    @Test
    @Order(5)
    void aSupplierLearnsNothingOfAnotherSuppliersReleases() throws Exception {
        String other = tokens.clientCredentials("supplier-other", "supplier-other-secret");
        // the demo supplier's release exists; the other supplier publishing the same fingerprint learns nothing
        var clash = send("POST", "/api/v1/rom-releases", other, """
                {"model":"Rugged X5","buildFingerprint":"neogend/aosp14/2026.11:user/release-keys",
                 "securityPatchLevel":"2026-11-05","bulletinDate":{"year":2026,"month":11,"day":2},"kernelSourceSha256":"%s",
                 "kernelConfig":"CONFIG_X=y"}""".formatted("ab".repeat(32)));
        var fresh = send("POST", "/api/v1/rom-releases", other, """
                {"model":"Rugged X5","buildFingerprint":"other/never-published:user/release-keys",
                 "securityPatchLevel":"2026-11-05","bulletinDate":{"year":2026,"month":11,"day":2},"kernelSourceSha256":"%s",
                 "kernelConfig":"CONFIG_X=y"}""".formatted("ab".repeat(32)));
        assertThat(clash.statusCode()).as(clash.body()).isNotEqualTo(409);
        assertThat(clash.body()).doesNotContainIgnoringCase("exists");
        assertThat(clash.statusCode())
                .as("as for a fingerprint nobody published")
                .isEqualTo(fresh.statusCode());
        // and its own repeat is still a conflict it may learn of
        var again = send("POST", "/api/v1/rom-releases", other, """
                {"model":"Rugged X5","buildFingerprint":"other/never-published:user/release-keys",
                 "securityPatchLevel":"2026-11-05","bulletinDate":{"year":2026,"month":11,"day":2},"kernelSourceSha256":"%s",
                 "kernelConfig":"CONFIG_X=y"}""".formatted("ab".repeat(32)));
        assertThat(again.statusCode()).isEqualTo(409);
    }

    @Test
    @Order(6)
    void keycloakTakesNoPasswordThroughAdminCliAndLocksOutGuessers() throws Exception {
        String endpoint = stack.keycloak().tokenEndpoint();
        var adminCli = HTTP.send(
                HttpRequest.newBuilder(URI.create(endpoint))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "grant_type=password&client_id=admin-cli&username=fleet.manager&password=fleet.manager"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(adminCli.statusCode()).as(adminCli.body()).isIn(400, 401);
        assertThat(adminCli.body()).doesNotContain("access_token");
        // ten wrong passwords lock the account for a while: then even the right one is refused (a user of
        // this test's own, whose right password worked before: the demo users serve the shared stack's others)
        SuiteTokens.technicians(stack, List.of("hostile.lockout"));
        assertThat(passwordGrant(endpoint, "hostile.lockout", "hostile.lockout").body())
                .contains("access_token");
        for (int i = 0; i < 10; i++) {
            assertThat(passwordGrant(endpoint, "hostile.lockout", "wrong-" + i).statusCode())
                    .isIn(400, 401);
        }
        var locked = passwordGrant(endpoint, "hostile.lockout", "hostile.lockout");
        assertThat(locked.statusCode()).as(locked.body()).isIn(400, 401);
        assertThat(locked.body()).doesNotContain("access_token");
    }

    static HttpResponse<String> passwordGrant(String endpoint, String user, String password) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(endpoint))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=password&client_id=neogend-cli&username=" + user + "&password=" + password))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(7)
    void nothingHostileWasStoredAndTheSuiteStillAnswers() throws Exception {
        Map<String, String> after = snapshot();
        after.remove("/api/v1/rom-releases"); // the releases test published one on purpose
        Map<String, String> expected = new LinkedHashMap<>(before);
        expected.remove("/api/v1/rom-releases");
        assertThat(after).isEqualTo(expected);
        String token = TOKENS.get("fleet-manager");
        assertThat(send("GET", "/api/v1/devices/" + DemoData.imei(1), token, null)
                        .statusCode())
                .isEqualTo(200);
        var created = send("POST", "/api/v1/devices", token, """
                {"imei":"%s","serialNumber":"HOSTILE-AFTER","model":"Rugged X5","kind":"DEVICE_KIND_PHONE"}""".formatted(DemoData.imei(990)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    }

    @Test
    @Order(8)
    void noTokenCredentialOrSecretTheSweepSentAppearsInAnyLog() throws Exception {
        // refusals that could write what they were sent: a forged signature, another device's secret, a bad
        // client secret at Keycloak
        String fleet = TOKENS.get("fleet-manager");
        String forged = fleet.substring(0, fleet.length() - 2) + (fleet.endsWith("AA") ? "BB" : "AA");
        assertThat(send("GET", "/api/v1/devices/" + DemoData.imei(1), forged, null)
                        .statusCode())
                .isEqualTo(401);
        String wrongSecret = deviceCredential.substring(0, deviceCredential.indexOf('.') + 1) + "x".repeat(43);
        var upload = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/device-readings"))
                        .header("Authorization", "Device " + wrongSecret)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"readings\":[]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).isEqualTo(401);
        var badClient = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.keycloak().tokenEndpoint()))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "grant_type=client_credentials&client_id=supplier-demo&client_secret=not-the-secret-42"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badClient.statusCode()).isEqualTo(401);

        Map<String, String> secrets = new LinkedHashMap<>();
        TOKENS.forEach((who, token) -> {
            secrets.put(who + "'s token", token);
            secrets.put(who + "'s token signature", token.substring(token.lastIndexOf('.') + 1));
        });
        secrets.put("the forged token's signature", forged.substring(forged.lastIndexOf('.') + 1));
        secrets.put("the device's secret", deviceCredential.substring(deviceCredential.indexOf('.') + 1));
        secrets.put("a wrong device secret", wrongSecret.substring(wrongSecret.indexOf('.') + 1));
        secrets.put("the supplier's client secret", "supplier-demo-secret");
        secrets.put("inventory's client secret", "inventory-dev-secret");
        secrets.put("a wrong client secret", "not-the-secret-42");
        Thread.sleep(1_000); // what the refusals log is written
        Path runDir = SharedStack.get().runDir();
        List<Path> logs;
        try (var walk = java.nio.file.Files.walk(runDir)) {
            logs = walk.filter(java.nio.file.Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().endsWith(".log")
                            || f.getParent().getFileName().toString().matches("logs?"))
                    .toList();
        }
        assertThat(logs)
                .as("logs of the suite")
                .extracting(l -> l.getFileName().toString())
                .contains(
                        "gateway.log",
                        "inventory.log",
                        "order.log",
                        "accessories.log",
                        "training.log",
                        "telemetry.log",
                        "keycloak.log");
        List<String> found = new ArrayList<>();
        for (Path log : logs) {
            String text = new String(java.nio.file.Files.readAllBytes(log), StandardCharsets.UTF_8);
            secrets.forEach((what, secret) -> {
                if (text.contains(secret)) {
                    found.add(what + " in " + runDir.relativize(log));
                }
            });
        }
        assertThat(found).as("secrets written to logs").isEmpty();
        // the refusals were logged (without what they refused)
        assertThat(java.nio.file.Files.readString(runDir.resolve("logs/telemetry.log")))
                .contains("UNAUTHENTICATED");
    }

    /** What the sweep must not have changed: the answers of the lists a write would show up in. */
    static Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        String token = TOKENS.get("fleet-manager");
        for (String path : List.of(
                "/api/v1/devices:count",
                "/api/v1/devices?page_size=500",
                "/api/v1/units?page_size=500",
                "/api/v1/purchase-orders?page_size=500",
                "/api/v1/agreements",
                "/api/v1/rom-releases",
                "/api/v1/catalogue-items?page_size=500",
                "/api/v1/sessions?page_size=500",
                "/api/v1/courses?page_size=500",
                "/api/v1/repairs?page_size=500",
                "/api/v1/exchange-requests?page_size=500")) {
            var r = send("GET", path, token, null);
            out.put(path, r.statusCode() + " " + r.body());
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        return SuiteHttp.send(method, stack.gatewayUrl() + path, token, json);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    static String cut(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static boolean outputOnly(FieldDescriptor f) {
        try {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            com.google.api.FieldBehaviorProto.registerAllExtensions(registry);
            var options = com.google.protobuf.DescriptorProtos.FieldOptions.parseFrom(
                    f.getOptions().toByteString(), registry);
            return options.getExtension(com.google.api.FieldBehaviorProto.fieldBehavior)
                    .contains(com.google.api.FieldBehavior.OUTPUT_ONLY);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpRule httpRule(MethodDescriptor m) {
        try {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            AnnotationsProto.registerAllExtensions(registry);
            MethodOptions options = MethodOptions.parseFrom(m.getOptions().toByteString(), registry);
            return options.hasExtension(AnnotationsProto.http) ? options.getExtension(AnnotationsProto.http) : null;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The proof of an RPC called only through another service: that service's own token; else null. */
    static String peerProofFor(MethodDescriptor m) {
        List<String> peers = rule(m).<List<String>>map(AccessRule::getPeersList).orElse(List.of());
        return peers.isEmpty() ? null : "Bearer " + PEER_TOKENS.get(peers.get(0));
    }

    static java.util.Optional<AccessRule> rule(MethodDescriptor m) {
        try {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            AccessProto.registerAllExtensions(registry);
            MethodOptions options = MethodOptions.parseFrom(m.getOptions().toByteString(), registry);
            return options.hasExtension(AccessProto.access)
                    ? java.util.Optional.of(options.getExtension(AccessProto.access))
                    : java.util.Optional.empty();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> roles(MethodDescriptor m) {
        try {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            AccessProto.registerAllExtensions(registry);
            MethodOptions options = MethodOptions.parseFrom(m.getOptions().toByteString(), registry);
            return options.hasExtension(AccessProto.access)
                    ? options.getExtension(AccessProto.access).getRolesList()
                    : List.of();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
