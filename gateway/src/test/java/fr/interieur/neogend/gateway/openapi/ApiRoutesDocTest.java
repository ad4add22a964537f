package fr.interieur.neogend.gateway.openapi;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import fr.interieur.neogend.common.v1.AccessProto;
import fr.interieur.neogend.gateway.transcoding.RouteTable;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/api.md}'s route table is checked against the descriptors the gateway serves (issue 19:
 * derived, not copied): every RPC of the protos has one row — its REST route (method and path as the
 * {@code google.api.http} rule says) or "gRPC only" —, every query parameter a row names is a field of
 * the request, and the roles a row names are the RPC's access rule. The prose stays the writer's.
 */
class ApiRoutesDocTest {

    private static final Path API_MD = Path.of("..", "docs", "api.md");
    private static final Pattern ROUTE = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) ([^`?]+)(?:\\?([^`]*))?`");
    private static final Pattern RPC =
            Pattern.compile("`((?:[a-z]+\\.v1\\.[A-Za-z]+\\.)|…)([A-Z][A-Za-z]+)(?:\\([^`]*\\))?`");
    private static final Set<String> STAFF = Set.of("fleet-manager", "unit-manager", "technician", "auditor");

    record Rpc(String service, String name, String route, Set<String> roles, Set<String> queryFields) {}

    record Row(String route, List<String> rpcs, String rolesCell, Set<String> query, int line) {}

    /** Every RPC of the neogend services, by short service ("inventory.v1.InventoryService") and name. */
    static Map<String, Rpc> rpcs() throws Exception {
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        AnnotationsProto.registerAllExtensions(registry);
        AccessProto.registerAllExtensions(registry);
        FileDescriptorSet set;
        try (InputStream in =
                ApiRoutesDocTest.class.getClassLoader().getResourceAsStream(RouteTable.DESCRIPTOR_RESOURCE)) {
            assertThat(in).as("the descriptor set of the protos").isNotNull();
            set = FileDescriptorSet.parseFrom(in, registry);
        }
        Map<String, DescriptorProto> messages = new HashMap<>();
        set.getFileList()
                .forEach(f ->
                        f.getMessageTypeList().forEach(m -> messages.put("." + f.getPackage() + "." + m.getName(), m)));
        Map<String, Rpc> out = new TreeMap<>();
        for (var file : set.getFileList()) {
            if (!file.getPackage().startsWith("neogend.") || file.getServiceCount() == 0) {
                continue;
            }
            for (var service : file.getServiceList()) {
                String shortService = file.getPackage().substring("neogend.".length()) + "." + service.getName();
                for (MethodDescriptorProto m : service.getMethodList()) {
                    String route = null;
                    if (m.getOptions().hasExtension(AnnotationsProto.http)) {
                        HttpRule rule = m.getOptions().getExtension(AnnotationsProto.http);
                        route = switch (rule.getPatternCase()) {
                            case GET -> "GET " + rule.getGet();
                            case POST -> "POST " + rule.getPost();
                            case PUT -> "PUT " + rule.getPut();
                            case PATCH -> "PATCH " + rule.getPatch();
                            case DELETE -> "DELETE " + rule.getDelete();
                            default -> throw new AssertionError(m.getName() + ": unexpected rule " + rule);
                        };
                    }
                    Set<String> fields = new TreeSet<>();
                    DescriptorProto request = messages.get(m.getInputType());
                    if (request != null) {
                        collect(request, "", messages, fields, 0);
                    }
                    out.put(
                            shortService + "." + m.getName(),
                            new Rpc(
                                    shortService,
                                    m.getName(),
                                    route,
                                    new TreeSet<>(m.getOptions()
                                            .getExtension(AccessProto.access)
                                            .getRolesList()),
                                    fields));
                }
            }
        }
        return out;
    }

    /** The request's fields by proto name, dotted into nested messages (as the query accepts them). */
    private static void collect(
            DescriptorProto m, String prefix, Map<String, DescriptorProto> messages, Set<String> into, int depth) {
        for (FieldDescriptorProto f : m.getFieldList()) {
            into.add(prefix + f.getName());
            if (f.getType() == FieldDescriptorProto.Type.TYPE_MESSAGE
                    && depth < 3
                    && messages.containsKey(f.getTypeName())) {
                collect(messages.get(f.getTypeName()), prefix + f.getName() + ".", messages, into, depth + 1);
            }
        }
    }

    static List<Row> rows() throws Exception {
        List<Row> rows = new ArrayList<>();
        boolean in = false;
        int n = 0;
        for (String line : Files.readAllLines(API_MD)) {
            n++;
            if (line.startsWith("## ")) {
                in = line.equals("## Routes so far");
                continue;
            }
            if (!in || !line.startsWith("| ") || line.startsWith("| Method") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            assertThat(cells)
                    .as("api.md line %d: method and path, RPC, roles", n)
                    .hasSize(3);
            String first = cells[0].trim();
            String rpcCell = cells[1].trim();
            String roles = cells[cells.length - 1].trim();
            Matcher r = ROUTE.matcher(first);
            String route = null;
            Set<String> query = new LinkedHashSet<>();
            if (r.lookingAt()) {
                route = r.group(1) + " " + r.group(2);
                if (r.group(3) != null) {
                    for (String p : r.group(3).split("&")) {
                        if (!p.isBlank()) { // "?" alone: "the same filters", said in the prose
                            query.add(p.replaceAll("=.*", ""));
                        }
                    }
                }
            } else {
                assertThat(first)
                        .as("api.md line %d: a route or (gRPC only)", n)
                        .startsWith("(gRPC only");
            }
            // the RPCs a row documents: its leading backticked names, up to the first prose
            List<String> names = new ArrayList<>();
            Matcher m = RPC.matcher(rpcCell);
            int at = 0;
            while (m.find()
                    && rpcCell.substring(at, m.start()).replaceAll("[ ,]", "").isEmpty()) {
                names.add(m.group(1) + m.group(2));
                at = m.end();
            }
            assertThat(names).as("api.md line %d names its RPC", n).isNotEmpty();
            rows.add(new Row(route, names, roles, query, n));
        }
        return rows;
    }

    /** The roles a row's cell names ("same": the row above's), without the parenthesised precisions. */
    static Set<String> roles(String cell) {
        Set<String> out = new TreeSet<>();
        for (String part : cell.replaceAll("\\([^)]*\\)", "").split(",")) {
            String role = part.trim();
            switch (role) {
                case "staff roles" -> out.addAll(STAFF);
                case "devices only" -> out.add("device");
                default -> out.add(role);
            }
        }
        return out;
    }

    @Test
    void everyRpcHasOneRowWithItsRouteItsQueryFieldsAndItsRoles() throws Exception {
        Map<String, Rpc> rpcs = rpcs();
        assertThat(rpcs).hasSizeGreaterThan(80);
        Map<String, Integer> documented = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        String service = null;
        Set<String> previousRoles = Set.of();
        for (Row row : rows()) {
            Set<String> named = row.rolesCell().equals("same") ? previousRoles : roles(row.rolesCell());
            previousRoles = named;
            for (String name : row.rpcs()) {
                String full;
                if (name.startsWith("…")) {
                    full = service + "." + name.substring(1);
                } else {
                    full = name;
                    service = name.substring(0, name.lastIndexOf('.'));
                }
                Rpc rpc = rpcs.get(full);
                if (rpc == null) {
                    problems.add("line " + row.line() + ": no RPC " + full + " in the protos");
                    continue;
                }
                documented.merge(full, 1, Integer::sum);
                if (row.route() == null ? rpc.route() != null : !row.route().equals(rpc.route())) {
                    problems.add("line " + row.line() + ": " + full + " is "
                            + (rpc.route() == null ? "gRPC only" : "`" + rpc.route() + "`") + ", the row says "
                            + (row.route() == null ? "gRPC only" : "`" + row.route() + "`"));
                }
                row.query().stream()
                        .filter(q -> !rpc.queryFields().contains(q))
                        .forEach(q -> problems.add(
                                "line " + row.line() + ": ?" + q + " is no field of " + full + "'s request"));
                if (row.rpcs().size() == 1 && !named.equals(rpc.roles())) {
                    problems.add("line " + row.line() + ": " + full + " is granted to " + rpc.roles()
                            + ", the row says " + named);
                }
            }
        }
        rpcs.keySet().stream()
                .filter(k -> !documented.containsKey(k))
                .forEach(k -> problems.add(k + " has no row in docs/api.md"));
        documented.forEach((k, count) -> {
            if (count > 1) {
                problems.add(k + " has " + count + " rows");
            }
        });
        assertThat(problems).as("docs/api.md against the protos").isEmpty();
    }

    @Test
    void theRolesOfACellAreReadAsTheyAreWritten() {
        assertThat(roles("fleet-manager, technician (its subtree), auditor"))
                .containsExactly("auditor", "fleet-manager", "technician");
        assertThat(roles("staff roles, supplier"))
                .containsExactly("auditor", "fleet-manager", "supplier", "technician", "unit-manager");
        assertThat(roles("devices only")).containsExactly("device");
    }
}
