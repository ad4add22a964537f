package fr.interieur.neogend.gateway.transcoding;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TypeRegistry;
import fr.interieur.neogend.common.v1.AccessProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every REST route of the platform, derived at start-up from the descriptor set that the proto
 * module builds: each RPC of a {@code neogend.<service>.v1} package with a {@code google.api.http}
 * rule (and its additional bindings) becomes a route. No per-endpoint code.
 */
public final class RouteTable {

    /** Where the proto module packs its descriptor set (with imports). */
    public static final String DESCRIPTOR_RESOURCE = "META-INF/neogend/descriptors.binpb";

    private static final Logger log = LoggerFactory.getLogger(RouteTable.class);
    private static final Pattern PACKAGE = Pattern.compile("neogend\\.([a-z][a-z0-9_]*)\\.v[0-9]+");

    /** Where a request's match is kept on its exchange: security and transcoding match once. */
    private static final String MATCH_ATTRIBUTE = RouteTable.class.getName() + ".match";

    private final List<TranscodingRoute> routes;
    /** The same routes by HTTP method, most specific first. */
    private final Map<String, List<TranscodingRoute>> byMethod;

    private final TypeRegistry typeRegistry;

    private RouteTable(List<TranscodingRoute> routes, TypeRegistry typeRegistry) {
        this.routes = routes;
        Map<String, List<TranscodingRoute>> index = new HashMap<>();
        routes.forEach(r ->
                index.computeIfAbsent(r.httpMethod(), m -> new ArrayList<>()).add(r));
        index.replaceAll((m, list) -> List.copyOf(list));
        this.byMethod = Map.copyOf(index);
        this.typeRegistry = typeRegistry;
    }

    /** Reads the descriptor set from the class path. */
    public static RouteTable fromClasspath() {
        try (InputStream in = RouteTable.class.getClassLoader().getResourceAsStream(DESCRIPTOR_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DESCRIPTOR_RESOURCE + " is not on the class path");
            }
            return from(FileDescriptorSet.parseFrom(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DESCRIPTOR_RESOURCE, e);
        }
    }

    /** Builds the table from a descriptor set that includes every import. */
    public static RouteTable from(FileDescriptorSet set) {
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        set.getFileList().forEach(f -> protos.put(f.getName(), f));
        Map<String, FileDescriptor> built = new HashMap<>();
        List<TranscodingRoute> routes = new ArrayList<>();
        TypeRegistry.Builder types = TypeRegistry.newBuilder();
        for (FileDescriptorProto proto : set.getFileList()) {
            FileDescriptor file = build(proto.getName(), protos, built);
            Matcher pkg = PACKAGE.matcher(file.getPackage());
            if (!pkg.matches()) {
                continue;
            }
            types.add(file.getMessageTypes());
            for (ServiceDescriptor service : file.getServices()) {
                for (MethodDescriptor method : service.getMethods()) {
                    routesOf(method, pkg.group(1), routes);
                }
            }
        }
        routes.sort(Comparator.comparingInt((TranscodingRoute r) -> r.template().specificity())
                .reversed());
        routes.forEach(r -> log.info(
                "route {} {} -> {}", r.httpMethod(), r.template(), r.method().getFullName()));
        return new RouteTable(List.copyOf(routes), types.build());
    }

    private static void routesOf(MethodDescriptor method, String backend, List<TranscodingRoute> out) {
        Optional<HttpRule> rule = httpRule(method);
        if (rule.isEmpty()) {
            return;
        }
        if (method.isClientStreaming() || method.isServerStreaming() && !downloadsHttpBody(method, rule.get())) {
            log.warn("{} is streaming: not transcoded (call it over gRPC)", method.getFullName());
            return;
        }
        List<HttpRule> rules = new ArrayList<>();
        rules.add(rule.get());
        rules.addAll(rule.get().getAdditionalBindingsList());
        for (HttpRule r : rules) {
            String verb;
            String path;
            switch (r.getPatternCase()) {
                case GET -> {
                    verb = "GET";
                    path = r.getGet();
                }
                case POST -> {
                    verb = "POST";
                    path = r.getPost();
                }
                case PUT -> {
                    verb = "PUT";
                    path = r.getPut();
                }
                case PATCH -> {
                    verb = "PATCH";
                    path = r.getPatch();
                }
                case DELETE -> {
                    verb = "DELETE";
                    path = r.getDelete();
                }
                case CUSTOM -> {
                    verb = r.getCustom().getKind().toUpperCase();
                    path = r.getCustom().getPath();
                }
                default -> throw new IllegalStateException(method.getFullName() + ": http rule without a pattern");
            }
            PathTemplate template = PathTemplate.parse(path);
            for (String variable : template.variables()) {
                FieldPaths.resolve(method.getInputType(), variable); // fails fast on a typo in the proto
            }
            if (!r.getBody().isEmpty() && !r.getBody().equals("*")) {
                FieldPaths.resolve(method.getInputType(), r.getBody());
            }
            out.add(new TranscodingRoute(
                    verb, template, r.getBody(), r.getResponseBody(), method, backend, rolesOf(method)));
        }
    }

    /**
     * Whether a server-streaming RPC is a download: each message carries a chunk of one file in a
     * {@code google.api.HttpBody} (the response, or its {@code response_body} field). Those are
     * transcoded as one HTTP response written chunk by chunk.
     */
    static boolean downloadsHttpBody(MethodDescriptor method, HttpRule rule) {
        var output = method.getOutputType();
        if (output.getFullName().equals("google.api.HttpBody")) {
            return true;
        }
        var field = rule.getResponseBody().isEmpty() ? null : output.findFieldByName(rule.getResponseBody());
        return field != null
                && field.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.MESSAGE
                && field.getMessageType().getFullName().equals("google.api.HttpBody");
    }

    /** The roles of the RPC's access rule (none: closed to everyone). */
    private static Set<String> rolesOf(MethodDescriptor method) {
        try {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            AccessProto.registerAllExtensions(registry);
            MethodOptions parsed = MethodOptions.parseFrom(method.getOptions().toByteString(), registry);
            return parsed.hasExtension(AccessProto.access)
                    ? new LinkedHashSet<>(
                            parsed.getExtension(AccessProto.access).getRolesList())
                    : Set.of();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot read the options of " + method.getFullName(), e);
        }
    }

    /** Whether the exchange's method and path are a route devices call (matched once per request). */
    public boolean forDevices(ServerWebExchange exchange) {
        return find(exchange).map(m -> m.route().forDevices()).orElse(false);
    }

    /**
     * The route of an exchange's method and path, matched the first time it is asked (by the
     * security chain) and remembered on the exchange with the method and path it was matched for:
     * asked again for the same request, the answer is the one kept; for a changed path, a new match.
     */
    public Optional<Match> find(ServerWebExchange exchange) {
        String method = exchange.getRequest().getMethod().name();
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (exchange.getAttributes().get(MATCH_ATTRIBUTE) instanceof Remembered r
                && r.method().equals(method)
                && r.path().equals(path)) {
            return r.match();
        }
        Optional<Match> match = find(method, path);
        exchange.getAttributes().put(MATCH_ATTRIBUTE, new Remembered(method, path, match));
        return match;
    }

    private record Remembered(String method, String path, Optional<Match> match) {}

    private static Optional<HttpRule> httpRule(MethodDescriptor method) {
        MethodOptions options = method.getOptions();
        try { // options of dynamically built descriptors keep extensions as unknown fields: re-parse
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            AnnotationsProto.registerAllExtensions(registry);
            MethodOptions parsed = MethodOptions.parseFrom(options.toByteString(), registry);
            return parsed.hasExtension(AnnotationsProto.http)
                    ? Optional.of(parsed.getExtension(AnnotationsProto.http))
                    : Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot read the options of " + method.getFullName(), e);
        }
    }

    private static FileDescriptor build(
            String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built) {
        FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            throw new IllegalStateException("descriptor set lacks " + name + " (build it with its imports)");
        }
        List<FileDescriptor> deps = new ArrayList<>();
        for (String dep : proto.getDependencyList()) {
            deps.add(build(dep, protos, built));
        }
        try {
            FileDescriptor file = FileDescriptor.buildFrom(proto, deps.toArray(FileDescriptor[]::new));
            built.put(name, file);
            return file;
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("invalid descriptor " + name, e);
        }
    }

    /** The routes, most specific first. */
    public List<TranscodingRoute> routes() {
        return routes;
    }

    /** Message types of the API, for JSON of {@code google.protobuf.Any} fields. */
    public TypeRegistry typeRegistry() {
        return typeRegistry;
    }

    /** Backend names the routes need, e.g. "inventory". */
    public Set<String> backends() {
        Set<String> names = new LinkedHashSet<>();
        routes.forEach(r -> names.add(r.backend()));
        return names;
    }

    /** The route for a method and raw path, with its bound variables. */
    public Optional<Match> find(String httpMethod, String rawPath) {
        for (TranscodingRoute route : byMethod.getOrDefault(httpMethod, List.of())) {
            Optional<Map<String, String>> vars = route.template().match(rawPath);
            if (vars.isPresent()) {
                return Optional.of(new Match(route, vars.get()));
            }
        }
        return Optional.empty();
    }

    /** HTTP methods that have a route for this path (for 405 and the Allow header). */
    public Set<String> methodsFor(String rawPath) {
        Set<String> methods = new LinkedHashSet<>();
        routes.stream().filter(r -> r.template().match(rawPath).isPresent()).forEach(r -> methods.add(r.httpMethod()));
        return methods;
    }

    /** A matched route and the path variables it bound. */
    public record Match(TranscodingRoute route, Map<String, String> variables) {}
}
