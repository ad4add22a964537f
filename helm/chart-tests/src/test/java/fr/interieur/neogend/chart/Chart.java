package fr.interieur.neogend.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The chart helm/neogend, linted and rendered by Helm's own engine (helm-java). */
final class Chart {

    /** Release and namespace used for every rendering. */
    static final String RELEASE = "neogend";

    static final String NAMESPACE = "neogend";
    /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion: native preStop sleep). */
    static final String KUBE_VERSION = "1.30.0";

    static Path dir() {
        String configured = System.getProperty("neogend.chart");
        Path dir = configured != null ? Path.of(configured) : Path.of("../neogend");
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            throw new IllegalStateException("no chart at " + dir.toAbsolutePath());
        }
        return dir.toAbsolutePath().normalize();
    }

    static Path scenario(String name) {
        return Path.of("src/test/resources/scenarios", name + ".yaml").toAbsolutePath();
    }

    static LintResult lint() {
        return new Helm(dir()).lint().strict().call();
    }

    /** helm template with the chart's values plus, if given, one values file. */
    static String template(Path valuesFile) {
        TemplateCommand template = new Helm(dir())
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return template.call();
    }

    static List<Map<String, Object>> render(Path valuesFile) {
        return parse(template(valuesFile));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> parse(String manifests) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(16 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : yaml.loadAll(manifests)) {
            if (doc != null) {
                objects.add((Map<String, Object>) doc);
            }
        }
        return objects;
    }

    private Chart() {}
}
