package fr.interieur.neogend.chart;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static fr.interieur.neogend.chart.ManifestChecks.map;
import static fr.interieur.neogend.chart.ManifestChecks.maps;
import static fr.interieur.neogend.chart.ManifestChecks.ofKind;
import static org.assertj.core.api.Assertions.assertThat;

/** The chart's own files: the realm copy, no secret anywhere, only environment variables the apps read. */
class ChartFilesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Z][A-Z0-9_]*}");
    /** Keys of the chart's values that name a Secret or a key in it: references, not secrets. */
    static final Set<String> REFERENCE_KEYS = Set.of("existingSecret", "passwordKey", "secretName", "key");

    static Path root() {
        return Chart.dir().getParent().getParent();
    }

    @Test
    void realmCopyIsTheRepoRealmWithoutDevSecretsOrDemoAccounts() throws IOException {
        Path source = root().resolve("platform/keycloak/realm-neogend.json");
        Path copy = Chart.dir().resolve("files/realm-neogend.json");
        ObjectNode expected = RealmSanitizer.sanitize((ObjectNode) JSON.readTree(source.toFile()));
        if (Boolean.getBoolean("neogend.realm.write")) {
            // Laid out like the source (two-space indent, "key": value, one array element a line).
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                            .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                            .withObjectEmptySeparator("")
                            .withArrayEmptySeparator(""))
                    .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
            Files.writeString(copy, JSON.writer().with(printer).writeValueAsString(expected) + "\n");
        }
        assertThat(JSON.readTree(copy.toFile()))
                .as("%s is out of date with %s: run `make chart-realm`", copy, source)
                .isEqualTo(expected);
        JsonNode inventory = null;
        for (JsonNode client : JSON.readTree(copy.toFile()).get("clients")) {
            if (client.get("clientId").asString().equals("neogend-inventory")) {
                inventory = client;
            }
        }
        assertThat(inventory).as("client neogend-inventory").isNotNull();
        assertThat(inventory.get("secret").asString()).isEqualTo("${NEOGEND_INVENTORY_CLIENT_SECRET}");
        assertThat(Files.readString(copy))
                .doesNotContain("inventory-dev-secret", "supplier-demo-secret", "neogend-cli");
        // suppliers: signed JWTs with keys from their JWKS URL, never a shared secret
        int suppliers = 0;
        for (JsonNode client : JSON.readTree(copy.toFile()).get("clients")) {
            boolean supplier = false;
            for (JsonNode mapper : client.path("protocolMappers")) {
                supplier |= mapper.path("name").asString("").equals("supplier_id");
            }
            if (supplier) {
                suppliers++;
                assertThat(client.get("clientAuthenticatorType").asString())
                        .as(client.get("clientId").asString())
                        .isEqualTo("client-jwt");
                assertThat(client.has("secret")).isFalse();
                assertThat(client.get("attributes").get("use.jwks.url").asString())
                        .isEqualTo("true");
                assertThat(client.get("attributes").get("jwks.url").asString()).startsWith("https://");
            }
        }
        assertThat(suppliers).isPositive();
    }

    /**
     * The chart's realm locks out password guessers (Keycloak's brute-force detection) and no client
     * in it takes passwords (no password grant at all: people log in through the console's PKCE flow,
     * services and suppliers with their own credentials) — Keycloak's built-in admin-cli included.
     */
    @Test
    void theChartRealmLocksOutGuessersAndNoClientTakesPasswords() throws IOException {
        JsonNode realm =
                JSON.readTree(Chart.dir().resolve("files/realm-neogend.json").toFile());
        assertThat(realm.get("bruteForceProtected").asBoolean()).isTrue();
        assertThat(realm.get("failureFactor").asInt()).isBetween(1, 30);
        assertThat(realm.get("maxFailureWaitSeconds").asInt()).isPositive();
        Set<String> clientIds = new HashSet<>();
        for (JsonNode client : realm.get("clients")) {
            clientIds.add(client.get("clientId").asString());
            assertThat(client.path("directAccessGrantsEnabled").asBoolean(false))
                    .as("password grant of %s", client.get("clientId").asString())
                    .isFalse();
        }
        assertThat(clientIds)
                .as("admin-cli is defined (else Keycloak creates it with password grants)")
                .contains("admin-cli");
    }

    @Test
    void realmConfigMapCarriesTheCopyUnchanged() {
        Map<String, Object> configMap = ofKind(Chart.render(null), "ConfigMap").stream()
                .filter(cm -> ManifestChecks.name(cm).equals("neogend-keycloak-realm"))
                .findFirst()
                .orElseThrow();
        String json = String.valueOf(map(configMap, "data").get("realm-neogend.json"));
        assertThat(JSON.readTree(json))
                .isEqualTo(JSON.readTree(
                        Chart.dir().resolve("files/realm-neogend.json").toFile()));
    }

    @Test
    void noSecretValueInTheChartOrItsScenarios() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> chart = Files.walk(Chart.dir());
                Stream<Path> scenarios = Files.walk(Chart.scenario("x").getParent())) {
            Stream.concat(chart, scenarios)
                    .filter(p -> p.toString().endsWith(".json")
                            || (p.toString().endsWith(".yaml") && !p.toString().contains("/templates/")))
                    .forEach(files::add);
        }
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .contains("values.yaml", "realm-neogend.json", "production.yaml");
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            Object tree = file.toString().endsWith(".json")
                    ? JSON.convertValue(JSON.readTree(file.toFile()), Object.class)
                    : new Yaml().load(Files.readString(file));
            problems.addAll(secretValues(file.getFileName().toString(), tree));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theSecretScanCatchesSecrets() {
        Object realm = Map.of(
                "clients",
                List.of(Map.of("clientId", "x", "secret", "inventory-dev-secret")),
                "users",
                List.of(Map.of("username", "u", "credentials", List.of(Map.of("type", "password", "value", "u")))));
        assertThat(secretValues("realm", realm)).hasSize(2);
        assertThat(secretValues(
                        "values",
                        Map.of("order", Map.of("database", Map.of("password", "pw", "existingSecret", "ok")))))
                .containsExactly("values: order.database.password has a value");
        assertThat(secretValues("values", Map.of("keycloak", Map.of("clientSecret", "s"))))
                .hasSize(1);
        assertThat(secretValues("realm", Map.of("secret", "${NEOGEND_INVENTORY_CLIENT_SECRET}")))
                .isEmpty();
    }

    /** Secret-looking keys with a value that is not a placeholder; password credentials of users. */
    static List<String> secretValues(String file, Object tree) {
        List<String> problems = new ArrayList<>();
        walk(file, "", tree, problems);
        return problems;
    }

    private static void walk(String file, String path, Object node, List<String> problems) {
        if (node instanceof Map<?, ?> m) {
            if ("password".equals(m.get("type")) && m.get("value") != null) {
                problems.add(file + ": " + path + " is a password credential");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String child = path.isEmpty() ? key : path + "." + key;
                if (e.getValue() instanceof String value
                        && !value.isEmpty()
                        && ManifestChecks.SECRET_NAME.matcher(key).matches()
                        && !REFERENCE_KEYS.contains(key)
                        && !key.contains(".")
                        && !PLACEHOLDER.matcher(value).matches()) {
                    problems.add(file + ": " + child + " has a value");
                }
                walk(file, child, e.getValue(), problems);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(file, path + "[" + i + "]", l.get(i), problems);
            }
        }
    }

    @Test
    void everyEnvironmentVariableIsOneTheComponentReads() throws IOException {
        String kitDefaults = Files.readString(
                root().resolve("platform/service-kit/src/main/resources/neogend-service-defaults.yml"));
        for (String scenario :
                List.of("", "production", "secrets-and-monitoring", "dev-minimal", "kafka-strimzi", "kafka-plain")) {
            List<Map<String, Object>> objects = Chart.render(scenario.isEmpty() ? null : Chart.scenario(scenario));
            for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
                String component = ChartRenderTest.component(deployment);
                // telemetry's writers (ingest: kafka) run telemetry's image
                String application = component.equals("telemetry-writers") ? "telemetry" : component;
                Path config = component.equals("gateway")
                        ? root().resolve("gateway/src/main/resources/application.yml")
                        : root().resolve("services/" + application + "/src/main/resources/application.yml");
                String read = Files.readString(config) + (component.equals("gateway") ? "" : kitDefaults);
                Set<String> readNames = new HashSet<>();
                Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(read);
                while (m.find()) {
                    readNames.add(m.group(1));
                }
                readNames.add("JAVA_TOOL_OPTIONS"); // read by the JVM itself
                Set<String> given = new HashSet<>(
                        ChartRenderTest.configMap(objects, component).keySet());
                Map<String, Object> container = ChartRenderTest.container(deployment);
                maps(container.get("env")).forEach(e -> given.add(String.valueOf(e.get("name"))));
                // variables only there to build another one by Kubernetes' $(NAME) expansion (the SASL
                // credentials into NEOGEND_KAFKA_SASL_JAAS_CONFIG)
                maps(container.get("env")).forEach(e -> {
                    Matcher ref = Pattern.compile("\\$\\(([A-Z][A-Z0-9_]*)\\)")
                            .matcher(String.valueOf(e.getOrDefault("value", "")));
                    while (ref.find()) {
                        readNames.add(ref.group(1));
                    }
                });
                assertThat(readNames)
                        .as("%s (%s) reads every variable the chart gives it", component, scenario)
                        .containsAll(given);
                assertThat(maps(container.get("envFrom")))
                        .extracting(e -> map(e, "configMapRef").get("name"))
                        .containsExactly(ManifestChecks.name(deployment));
            }
        }
    }
}
