package fr.interieur.neogend.chart;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static fr.interieur.neogend.chart.ManifestChecks.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/Dockerfile and `make images` agree with the chart and the apps (no container engine
 * here to build the images: what can be checked without one is checked).
 */
class ImageBuildTest {

    static Path root() {
        return Chart.dir().getParent().getParent();
    }

    static String dockerfile() throws IOException {
        return Files.readString(root().resolve("docker/Dockerfile"));
    }

    @Test
    void runsAsTheUidTheChartEnforcesWithAnExecFormEntryPoint() throws IOException {
        String dockerfile = dockerfile();
        assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$");
        Map<String, Object> pod =
                map(map(map(ChartRenderTest.deployment(Chart.render(null), "inventory"), "spec"), "template"), "spec");
        assertThat(map(pod, "securityContext").get("runAsUser")).isEqualTo(10001);
        Matcher entry = Pattern.compile("(?ms)^ENTRYPOINT (\\[.*?])\\s*$").matcher(dockerfile);
        assertThat(entry.find()).as("exec-form ENTRYPOINT").isTrue();
        assertThat(entry.group(1).replace("\\\n", ""))
                .contains(
                        "\"-XX:MaxRAMPercentage=75\"",
                        "\"-XX:+ExitOnOutOfMemoryError\"",
                        "\"org.springframework.boot.loader.launch.JarLauncher\"");
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK .*\\\\\\n\\s+CMD \\[\"java\"");
    }

    @Test
    void basesArePinnedAndLayersCopiedLeastChangingFirst() throws IOException {
        String dockerfile = dockerfile();
        Matcher bases = Pattern.compile("(?m)^ARG (JDK|JRE)_IMAGE=(\\S+)$").matcher(dockerfile);
        List<String> images = new ArrayList<>();
        while (bases.find()) {
            images.add(bases.group(2));
        }
        assertThat(images)
                .hasSize(2)
                .allSatisfy(
                        image -> assertThat(ManifestChecks.tag(image)).matches("25\\.\\d+\\.\\d+_\\d+-(jdk|jre)-\\w+"));
        List<String> layers = new ArrayList<>();
        Matcher copy = Pattern.compile("(?m)^COPY --from=layers \\S+ /build/extracted/([a-z-]+)/ \\./$")
                .matcher(dockerfile);
        while (copy.find()) {
            layers.add(copy.group(1));
        }
        assertThat(layers)
                .containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
    }

    @Test
    void makeImagesBuildsEveryComponentWithItsHttpPortAndTheChartsTag() throws IOException {
        String makefile = Files.readString(root().resolve("Makefile"));
        Matcher modules =
                Pattern.compile("IMAGE_MODULES := ((?:[^\\n\\\\]|\\\\\\n)*)").matcher(makefile);
        assertThat(modules.find()).isTrue();
        Matcher entry = Pattern.compile("([a-z/]+):(\\d+)").matcher(modules.group(1));
        List<String> built = new ArrayList<>();
        while (entry.find()) {
            String module = entry.group(1);
            String component = module.substring(module.lastIndexOf('/') + 1);
            built.add(component);
            String config = Files.readString(root().resolve(module).resolve("src/main/resources/application.yml"));
            assertThat(config).as(module).contains("${NEOGEND_HTTP_PORT:" + entry.group(2) + "}");
            assertThat(ChartRenderTest.configMap(Chart.render(null), component))
                    .containsEntry("NEOGEND_HTTP_PORT", entry.group(2));
        }
        assertThat(built).containsExactlyInAnyOrderElementsOf(ChartRenderTest.COMPONENTS);
        assertThat(makefile)
                .contains("IMAGE_TAG ?= $(shell awk -F'\"' '/^appVersion:/ {print $$2}' helm/neogend/Chart.yaml)");
        assertThat(makefile)
                .contains("no container engine available: $(CONTAINER_ENGINE) info failed — images not built");
    }
}
