package fr.interieur.neogend.devstack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every place that lists the services agrees with {@code helm/neogend/files/topology.yaml} (issue 19:
 * topology in one place). The chart and the devstack read the file; what cannot read it is checked
 * against it here: the root POM, the Makefile, {@code bin/up-to-date}, the services/ folders, the
 * chart's values and templates, the gateway's backends, and each service's configured callees and ports.
 */
class TopologyTest {

    private static final Path ROOT = Path.of("..", "..");
    private static final Topology TOPOLOGY = Topology.load();

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theJarHoldsTheChartsFile() throws IOException {
        assertThat(Topology.parse(read("helm/neogend/files/topology.yaml"))).isEqualTo(TOPOLOGY);
        assertThat(TOPOLOGY.names()).contains("inventory", "telemetry");
        assertThat(Stack.SERVICES).isEqualTo(TOPOLOGY.names());
    }

    @Test
    void everyPlaceThatListsTheServicesListsTheTopologysServices() throws IOException {
        Set<String> names = new TreeSet<>(TOPOLOGY.names());
        List<String> problems = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT.resolve("services"))) {
            Set<String> folders = new TreeSet<>(dirs.filter(d -> Files.exists(d.resolve("pom.xml")))
                    .map(d -> d.getFileName().toString())
                    .toList());
            check(problems, "services/ folders", folders, names);
        }
        check(
                problems,
                "the root POM's modules",
                matches(read("pom.xml"), "<module>services/([a-z0-9-]+)</module>"),
                names);
        check(problems, "bin/up-to-date", matches(read("bin/up-to-date"), "services/([a-z0-9-]+)"), names);
        String make = read("Makefile");
        check(problems, "the Makefile's IMAGE_MODULES", matches(make, "services/([a-z0-9-]+):[0-9]+"), names);
        for (Topology.Service s : TOPOLOGY.services()) {
            if (!make.contains("services/" + s.name() + ":" + s.httpPort())) {
                problems.add("the Makefile's IMAGE_MODULES: services/" + s.name() + " with HTTP port " + s.httpPort());
            }
        }
        String values = read("helm/neogend/values.yaml");
        for (String name : names) {
            if (!Pattern.compile("^" + name + ":\\n(  .*\\n|\\s*\\n)*?  grpcPort: [0-9]+", Pattern.MULTILINE)
                    .matcher(values)
                    .find()) {
                problems.add("helm/neogend/values.yaml has no " + name + " block with its grpcPort");
            }
            if (!Files.exists(ROOT.resolve("helm/neogend/templates/" + name + ".yaml"))) {
                problems.add("helm/neogend/templates/" + name + ".yaml is missing");
            }
        }
        String gateway = read("gateway/src/main/resources/application.yml");
        Set<String> backends = matches(gateway, "^      ([a-z0-9-]+): \\$\\{NEOGEND_[A-Z0-9_]+_GRPC:");
        check(problems, "the gateway's backends", backends, names);
        for (Topology.Service s : TOPOLOGY.services()) {
            String line =
                    "      " + s.name() + ": ${NEOGEND_" + env(s.name()) + "_GRPC:localhost:" + s.grpcPort() + "}";
            if (!gateway.contains(line)) {
                problems.add("the gateway's backend " + s.name() + " should read `" + line.trim() + "`");
            }
        }
        assertThat(problems)
                .as("the places that list the services, against topology.yaml")
                .isEmpty();
    }

    @Test
    void eachServiceIsConfiguredForItsCalleesOnlyAtTheirPorts() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Topology.Service s : TOPOLOGY.services()) {
            String yml = read("services/" + s.name() + "/src/main/resources/application.yml");
            Set<String> configured = matches(yml, "\\$\\{NEOGEND_([A-Z0-9_]+)_GRPC:");
            Set<String> callees =
                    new TreeSet<>(s.calls().stream().map(TopologyTest::env).toList());
            if (!configured.equals(callees)) {
                problems.add(s.name() + " is configured for " + configured + " but calls " + callees);
            }
            for (String callee : s.calls()) {
                String target = "${NEOGEND_" + env(callee) + "_GRPC:localhost:"
                        + TOPOLOGY.service(callee).grpcPort() + "}";
                if (!yml.contains(target)) {
                    problems.add(s.name() + "'s default address of " + callee + " should be " + target);
                }
            }
            if (!yml.contains("${NEOGEND_GRPC_PORT:" + s.grpcPort() + "}")
                    || !yml.contains("${NEOGEND_HTTP_PORT:" + s.httpPort() + "}")) {
                problems.add(s.name() + " does not listen on its ports by default (gRPC " + s.grpcPort() + ", HTTP "
                        + s.httpPort() + ")");
            }
        }
        assertThat(problems).as("each service's callees, against topology.yaml").isEmpty();
    }

    @Test
    void aFileOfAnotherFormIsRefusedNamingTheLine() {
        String good = "services:\n  - name: a\n    grpcPort: 9001\n    httpPort: 8001\n    calls: [b]\n"
                + "  - name: b\n    grpcPort: 9002\n    httpPort: 8002\n    calls: []\n";
        assertThat(Topology.parse(good).service("a").calls()).containsExactly("b");
        assertThatThrownBy(() -> Topology.parse(good.replace("calls: [b]", "calls: [c]")))
                .hasMessageContaining("a calls c, which is not declared");
        assertThatThrownBy(() -> Topology.parse(good.replace("calls: [b]", "calls: [a]")))
                .hasMessageContaining("a calls a, which is itself");
        assertThatThrownBy(() -> Topology.parse(good.replace("    calls: []\n", "    callz: []\n")))
                .hasMessageContaining("line 9")
                .hasMessageContaining("callz");
        assertThatThrownBy(() -> Topology.parse(good.replace("    httpPort: 8002\n", "")))
                .hasMessageContaining("b (before line");
        assertThatThrownBy(() ->
                        Topology.parse(good + "  - name: a\n    grpcPort: 9003\n    httpPort: 8003\n    calls: []\n"))
                .hasMessageContaining("declares a twice");
    }

    private static void check(List<String> problems, String where, Set<String> found, Set<String> names) {
        if (!found.equals(names)) {
            problems.add(where + ": " + found + " (topology.yaml: " + names + ")");
        }
    }

    private static String env(String service) {
        return service.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
