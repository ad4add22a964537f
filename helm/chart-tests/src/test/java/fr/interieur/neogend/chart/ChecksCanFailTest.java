package fr.interieur.neogend.chart;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import static fr.interieur.neogend.chart.ManifestChecks.map;
import static fr.interieur.neogend.chart.ManifestChecks.maps;
import static fr.interieur.neogend.chart.ManifestChecks.ofKind;
import static org.assertj.core.api.Assertions.assertThat;

/** Each check catches a manifest broken on purpose (a copy of the default rendering, changed once). */
class ChecksCanFailTest {

    static String rendered;

    @BeforeAll
    static void render() {
        rendered = Chart.template(null);
    }

    /** A fresh copy of the default manifests, changed by the given edit. */
    static List<Map<String, Object>> broken(Consumer<List<Map<String, Object>>> edit) {
        List<Map<String, Object>> objects = new ArrayList<>(Chart.parse(rendered));
        assertThat(ManifestChecks.all(objects))
                .as("the unbroken manifests pass")
                .isEmpty();
        edit.accept(objects);
        return objects;
    }

    static Map<String, Object> firstPod(List<Map<String, Object>> objects) {
        return map(map(map(ofKind(objects, "Deployment").getFirst(), "spec"), "template"), "spec");
    }

    static Map<String, Object> firstContainer(List<Map<String, Object>> objects) {
        return maps(firstPod(objects).get("containers")).getFirst();
    }

    static void assertCaught(
            Function<List<Map<String, Object>>, List<String>> check,
            Consumer<List<Map<String, Object>>> edit,
            String expected) {
        assertThat(check.apply(broken(edit))).anySatisfy(p -> assertThat(p).contains(expected));
    }

    @Test
    void podWithoutRunAsNonRoot() {
        assertCaught(
                ManifestChecks::restrictedPods,
                objects -> {
                    map(firstPod(objects), "securityContext").remove("runAsNonRoot");
                    map(firstContainer(objects), "securityContext").remove("runAsNonRoot");
                },
                "runAsNonRoot is not true");
    }

    @Test
    void writableRootFilesystemAndKeptCapabilities() {
        assertCaught(
                ManifestChecks::restrictedPods,
                objects -> map(firstContainer(objects), "securityContext").put("readOnlyRootFilesystem", false),
                "readOnlyRootFilesystem is not true");
        assertCaught(
                ManifestChecks::restrictedPods,
                objects -> map(firstContainer(objects), "securityContext").remove("capabilities"),
                "capabilities do not drop ALL");
        assertCaught(
                ManifestChecks::restrictedPods,
                objects -> firstPod(objects)
                        .put("volumes", List.of(Map.of("name", "host", "hostPath", Map.of("path", "/")))),
                "of type hostPath is not allowed");
    }

    @Test
    void containerWithoutLivenessProbeOrLimits() {
        assertCaught(
                ManifestChecks::probesAndResources,
                objects -> firstContainer(objects).remove("livenessProbe"),
                "no livenessProbe");
        assertCaught(
                ManifestChecks::probesAndResources,
                objects -> map(firstContainer(objects), "resources").remove("limits"),
                "no limits.memory");
    }

    @Test
    void serviceWithoutPolicy() {
        assertCaught(
                ManifestChecks::servicesCoveredByNetworkPolicies,
                objects -> objects.removeIf(o -> "NetworkPolicy".equals(o.get("kind"))
                        && String.valueOf(map(o, "metadata").get("name")).endsWith("-training")),
                "Service/neogend-training: port grpc (grpc) is reached by no NetworkPolicy ingress rule");
        assertCaught(
                ManifestChecks::defaultDenyPolicy,
                objects -> objects.removeIf(
                        o -> String.valueOf(map(o, "metadata").get("name")).endsWith("-default-deny")),
                "no NetworkPolicy selects every pod");
    }

    @Test
    void literalPasswordAndRenderedSecret() {
        assertCaught(
                ManifestChecks::noPlainSecrets,
                objects -> {
                    List<Object> env =
                            new ArrayList<>(maps(firstContainer(objects).get("env")));
                    env.add(new LinkedHashMap<>(Map.of("name", "NEOGEND_DB_PASSWORD", "value", "hunter2")));
                    firstContainer(objects).put("env", env);
                },
                "NEOGEND_DB_PASSWORD has a literal value");
        assertCaught(
                ManifestChecks::noPlainSecrets,
                objects -> objects.add(Map.of(
                        "kind", "Secret", "metadata", Map.of("name", "db"), "stringData", Map.of("password", "x"))),
                "the chart renders a Secret");
        assertCaught(
                ManifestChecks::noPlainSecrets,
                objects -> map(ofKind(objects, "ConfigMap").getFirst(), "data")
                        .put("NEOGEND_SERVICE_CLIENT_SECRET", "s3cr3t"),
                "looks like a secret in a ConfigMap");
    }

    @Test
    void latestOrMissingTag() {
        assertCaught(
                ManifestChecks::pinnedImages,
                objects -> firstContainer(objects).put("image", "registry.example/neogend/inventory:latest"),
                "has no pinned tag");
        assertCaught(
                ManifestChecks::pinnedImages,
                objects -> firstContainer(objects).put("image", "registry.example:5000/neogend/inventory"),
                "has no pinned tag");
    }

    @Test
    void labelsThatDisagree() {
        assertCaught(
                ManifestChecks::consistentLabels,
                objects -> map(
                                map(map(map(ofKind(objects, "Deployment").getFirst(), "spec"), "template"), "metadata"),
                                "labels")
                        .put("app.kubernetes.io/component", "elsewhere"),
                "does not match its pod labels");
        assertCaught(
                ManifestChecks::consistentLabels,
                objects -> map(map(ofKind(objects, "Service").getFirst(), "metadata"), "labels")
                        .remove("helm.sh/chart"),
                "no label helm.sh/chart");
    }

    @Test
    void graceTooShortOrNoPreStop() {
        assertCaught(
                ManifestChecks::gracefulTermination,
                objects -> firstPod(objects).put("terminationGracePeriodSeconds", 30),
                "terminationGracePeriodSeconds 30 is not more than preStop 5 s + 25 s");
        assertCaught(
                ManifestChecks::gracefulTermination,
                objects -> firstContainer(objects).remove("lifecycle"),
                "no preStop sleep");
    }
}
