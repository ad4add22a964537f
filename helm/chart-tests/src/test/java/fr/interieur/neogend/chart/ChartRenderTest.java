package fr.interieur.neogend.chart;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static fr.interieur.neogend.chart.ManifestChecks.map;
import static fr.interieur.neogend.chart.ManifestChecks.maps;
import static fr.interieur.neogend.chart.ManifestChecks.name;
import static fr.interieur.neogend.chart.ManifestChecks.ofKind;
import static org.assertj.core.api.Assertions.assertThat;

/** helm lint, then helm template for the default values and each scenario, every check passing. */
class ChartRenderTest {

    static final Set<String> COMPONENTS =
            Set.of("gateway", "inventory", "order", "accessories", "training", "telemetry");
    static final Map<String, List<Map<String, Object>>> RENDERED = new HashMap<>();

    @BeforeAll
    static void render() {
        RENDERED.put("default", Chart.render(null));
        for (String scenario : List.of("production", "secrets-and-monitoring", "dev-minimal")) {
            RENDERED.put(scenario, Chart.render(Chart.scenario(scenario)));
        }
    }

    @Test
    void lintPassesStrict() {
        LintResult lint = Chart.lint();
        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "production", "secrets-and-monitoring", "dev-minimal"})
    void everyCheckPasses(String scenario) {
        List<Map<String, Object>> objects = RENDERED.get(scenario);
        assertThat(ManifestChecks.all(objects))
                .as("problems in scenario %s", scenario)
                .isEmpty();
        assertThat(ofKind(objects, "Deployment"))
                .extracting(d -> component(d))
                .containsExactlyInAnyOrderElementsOf(COMPONENTS);
        for (String kind : List.of("Service", "ServiceAccount", "NetworkPolicy")) {
            assertThat(ofKind(objects, kind))
                    .as(kind)
                    .extracting(ChartRenderTest::component)
                    .containsAll(COMPONENTS);
        }
    }

    @Test
    void defaultsRenderOneOfEachWithoutIngressOrAutoscaling() {
        List<Map<String, Object>> objects = RENDERED.get("default");
        assertThat(ofKind(objects, "Ingress")).isEmpty();
        assertThat(ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
        assertThat(ofKind(objects, "ServiceMonitor")).isEmpty();
        assertThat(ofKind(objects, "PodDisruptionBudget")).hasSize(6);
        assertThat(ofKind(objects, "ConfigMap"))
                .extracting(ManifestChecks::name)
                .contains("neogend-keycloak-realm");
        assertThat(deployment(objects, "gateway"))
                .extracting(d -> map(d, "spec").get("replicas"))
                .isEqualTo(2);
        // Services expose only gRPC unless metrics are scraped; the gateway only HTTP.
        assertThat(ports(service(objects, "inventory"))).containsExactly("grpc");
        assertThat(ports(service(objects, "gateway"))).containsExactly("http");
        // the gateway's probes use its management port, never the public one
        assertThat(deployment(objects, "gateway").toString()).contains("name=management, containerPort=8090");
        String containers = map(map(map(deployment(objects, "gateway"), "spec"), "template"), "spec")
                .get("containers")
                .toString();
        assertThat(containers)
                .contains("path=/actuator/health/readiness, port=management")
                .doesNotContain("path=/actuator/health/readiness, port=http");
    }

    /**
     * Each component is given the addresses of the services files/topology.yaml says it calls, and
     * no other (the gateway: every service); a component of the topology has its Deployment.
     */
    @Test
    @SuppressWarnings("unchecked")
    void eachComponentIsGivenItsCalleesFromTheTopologyAndNoOther() throws Exception {
        Map<String, Object> topology = new org.yaml.snakeyaml.Yaml()
                .load(java.nio.file.Files.readString(Chart.dir().resolve("files/topology.yaml")));
        List<Map<String, Object>> services = (List<Map<String, Object>>) topology.get("services");
        Map<String, List<String>> calls = new java.util.TreeMap<>();
        services.forEach(s -> calls.put((String) s.get("name"), (List<String>) s.get("calls")));
        calls.put(
                "gateway",
                List.copyOf(services.stream().map(s -> (String) s.get("name")).toList()));
        assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(COMPONENTS);
        for (String scenario : RENDERED.keySet()) {
            for (var entry : calls.entrySet()) {
                Set<String> given = new java.util.TreeSet<>();
                configMap(RENDERED.get(scenario), entry.getKey()).keySet().stream()
                        .filter(k -> k.matches("NEOGEND_[A-Z0-9_]+_GRPC"))
                        .forEach(k -> given.add(k.substring("NEOGEND_".length(), k.length() - "_GRPC".length())
                                .toLowerCase(java.util.Locale.ROOT)));
                assertThat(given)
                        .as("%s's callees in scenario %s", entry.getKey(), scenario)
                        .containsExactlyInAnyOrderElementsOf(entry.getValue());
            }
        }
    }

    @Test
    void servicesFindEachOtherAndTheirDatabase() {
        List<Map<String, Object>> objects = RENDERED.get("default");
        assertThat(configMap(objects, "inventory"))
                .containsEntry("NEOGEND_TELEMETRY_GRPC", "neogend-telemetry:9095")
                .containsEntry(
                        "NEOGEND_DB_URL", "jdbc:postgresql://postgresql.neogend-db.svc.cluster.local:5432/inventory")
                .containsEntry("NEOGEND_GRPC_PORT", "9091")
                .containsEntry("NEOGEND_HTTP_PORT", "8091");
        assertThat(configMap(objects, "accessories"))
                .containsEntry("NEOGEND_INVENTORY_GRPC", "neogend-inventory:9091")
                .containsEntry("NEOGEND_TRAINING_GRPC", "neogend-training:9094")
                .containsEntry("NEOGEND_ORDER_GRPC", "neogend-order:9092");
        assertThat(configMap(objects, "order"))
                .containsEntry("NEOGEND_TRAINING_GRPC", "neogend-training:9094")
                .containsEntry("NEOGEND_INVENTORY_GRPC", "neogend-inventory:9091")
                .containsEntry("NEOGEND_SUPPLIER_URL", "https://supplier.example.org/api");
        assertThat(configMap(objects, "telemetry")).containsEntry("NEOGEND_INVENTORY_GRPC", "neogend-inventory:9091");
        // inventory asks order for the agreements packs are leased under; training for courses' price lines
        assertThat(configMap(objects, "inventory"))
                .containsEntry("NEOGEND_ORDER_GRPC", "neogend-order:9092")
                .containsEntry("NEOGEND_INITIAL_AGREEMENT", "");
        assertThat(configMap(objects, "training")).containsEntry("NEOGEND_ORDER_GRPC", "neogend-order:9092");
        assertThat(configMap(objects, "gateway"))
                .containsEntry("NEOGEND_HTTP_PORT", "8080")
                .containsEntry("NEOGEND_MANAGEMENT_PORT", "8090")
                .containsEntry("NEOGEND_TRUSTED_PROXIES", "")
                .containsEntry("NEOGEND_AUTH_FAILURES_BURST", "30")
                .containsEntry("NEOGEND_ACCESSORIES_GRPC", "neogend-accessories:9093")
                .containsEntry("NEOGEND_ISSUER_URI", "https://auth.neogend.interieur.gouv.fr/realms/neogend")
                .doesNotContainKey("NEOGEND_DB_URL");
        assertThat(secretRefs(deployment(objects, "inventory")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=neogend-inventory-db/password",
                        "NEOGEND_SERVICE_CLIENT_SECRET=neogend-inventory-client/client-secret");
        // training reads the realm's technicians with its own service account (issue 17)
        assertThat(secretRefs(deployment(objects, "training")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=neogend-training-db/password",
                        "NEOGEND_SERVICE_CLIENT_SECRET=neogend-training-client/client-secret");
        // order and accessories prove to inventory that its peer-only RPCs come through them (ADR 0030)
        assertThat(secretRefs(deployment(objects, "order")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=neogend-order-db/password",
                        "NEOGEND_SERVICE_CLIENT_SECRET=neogend-order-client/client-secret");
        assertThat(secretRefs(deployment(objects, "accessories")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=neogend-accessories-db/password",
                        "NEOGEND_SERVICE_CLIENT_SECRET=neogend-accessories-client/client-secret");
        assertThat(secretRefs(deployment(objects, "gateway"))).isEmpty();
    }

    @Test
    void eachServiceIsReachableOnlyFromItsCallers() {
        List<Map<String, Object>> objects = RENDERED.get("default");
        assertThat(callers(objects, "inventory"))
                .containsExactlyInAnyOrder("gateway", "order", "accessories", "telemetry");
        assertThat(callers(objects, "order"))
                .containsExactlyInAnyOrder("gateway", "accessories", "inventory", "training");
        assertThat(callers(objects, "training")).containsExactlyInAnyOrder("gateway", "accessories", "order");
        assertThat(callers(objects, "accessories")).containsExactly("gateway");
        assertThat(callers(objects, "telemetry")).containsExactlyInAnyOrder("gateway", "inventory", "order");
        Map<String, Object> gatewayPolicy = policy(objects, "gateway");
        assertThat(maps(map(gatewayPolicy, "spec").get("ingress")))
                .singleElement()
                .satisfies(rule -> assertThat(rule.get("from").toString()).contains("ingress-nginx"));
        // Only order leaves the cluster towards the supplier.
        for (String component : COMPONENTS) {
            boolean toSupplier = map(policy(objects, component), "spec")
                    .get("egress")
                    .toString()
                    .contains("0.0.0.0/0");
            assertThat(toSupplier).as(component).isEqualTo(component.equals("order"));
        }
    }

    @Test
    void productionHasTlsIngressAndAutoscaling() {
        List<Map<String, Object>> objects = RENDERED.get("production");
        assertThat(configMap(objects, "gateway"))
                .containsEntry("NEOGEND_RATE_LIMIT_PER_SECOND", "20")
                .containsEntry("NEOGEND_RATE_LIMIT_BURST", "40")
                // the operator's origin, and the console's own (served through the Ingress, TLS ending there)
                .containsEntry(
                        "NEOGEND_CORS_ALLOWED_ORIGINS",
                        "https://console.neogend.interieur.gouv.fr,https://api.neogend.interieur.gouv.fr");
        Map<String, Object> ingress = ofKind(objects, "Ingress").getFirst();
        Map<String, Object> spec = map(ingress, "spec");
        assertThat(spec.get("ingressClassName")).isEqualTo("nginx");
        assertThat(maps(spec.get("tls"))).singleElement().satisfies(tls -> {
            assertThat(tls.get("secretName")).isEqualTo("neogend-api-tls");
            assertThat(tls.get("hosts")).isEqualTo(List.of("api.neogend.interieur.gouv.fr"));
        });
        assertThat(spec.toString())
                .contains("path=/api", "path=/console", "name=neogend-gateway", "name=http")
                .doesNotContain("path=/actuator");
        assertThat(ofKind(objects, "HorizontalPodAutoscaler"))
                .extracting(ChartRenderTest::component)
                .containsExactlyInAnyOrderElementsOf(COMPONENTS);
        assertThat(ofKind(objects, "Deployment"))
                .allSatisfy(d -> assertThat(map(d, "spec")).doesNotContainKey("replicas"));
        assertThat(container(deployment(objects, "order")).get("image"))
                .isEqualTo("harbor.interieur.gouv.fr/neogend/apps/order:0.1.0");
        assertThat(configMap(objects, "order"))
                .containsEntry(
                        "NEOGEND_DB_URL",
                        "jdbc:postgresql://pg-neogend.db.interieur.gouv.fr:5432/order?sslmode=require");
        assertThat(configMap(objects, "gateway")).containsKey("NEOGEND_JWK_SET_URI");
    }

    @Test
    void operatorSecretsAndServiceMonitors() {
        List<Map<String, Object>> objects = RENDERED.get("secrets-and-monitoring");
        assertThat(ofKind(objects, "Deployment"))
                .extracting(ManifestChecks::name)
                .allMatch(n -> n.startsWith("fleet-"));
        assertThat(secretRefs(deployment(objects, "order")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=fleet-db-passwords/order",
                        "NEOGEND_SERVICE_CLIENT_SECRET=fleet-keycloak-clients/neogend-order");
        assertThat(secretRefs(deployment(objects, "inventory")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_DB_PASSWORD=fleet-db-passwords/inventory",
                        "NEOGEND_SERVICE_CLIENT_SECRET=fleet-keycloak-clients/neogend-inventory");
        assertThat(configMap(objects, "inventory"))
                .containsEntry("NEOGEND_DB_URL", "jdbc:postgresql://pg-inventory.db.svc:5433/fleet_inventory")
                .containsEntry("NEOGEND_DB_USER", "svc_inventory")
                .containsEntry("NEOGEND_TELEMETRY_GRPC", "fleet-telemetry:9095");
        assertThat(ofKind(objects, "ServiceMonitor")).hasSize(6).allSatisfy(sm -> {
            assertThat(map(map(sm, "metadata"), "labels")).containsEntry("release", "kube-prometheus-stack");
            assertThat(map(sm, "spec").toString())
                    .contains("path=/actuator/prometheus", "interval=15s")
                    .contains(ManifestChecks.name(sm).endsWith("gateway") ? "port=management" : "port=http");
        });
        // the gateway's metrics are on its management port, which Prometheus alone may reach; the API port
        // admits the ingress controller only
        assertThat(ports(service(objects, "gateway"))).containsExactly("http", "management");
        String gatewayIngress =
                map(policy(objects, "gateway"), "spec").get("ingress").toString();
        assertThat(gatewayIngress).contains("port=management").contains("port=http");
        // Scraped components expose their HTTP port, and only Prometheus may reach it.
        assertThat(ports(service(objects, "telemetry"))).containsExactly("grpc", "http");
        assertThat(map(policy(objects, "telemetry"), "spec").get("ingress").toString())
                .contains("observability");
    }

    /** The shared rate limit (ADR 0024): the URL from the operator's Secret, egress to Redis; none by default. */
    @Test
    void theGatewaysShareTheirRateLimitThroughRedisOnlyWhenASecretNamesIt() {
        List<Map<String, Object>> objects = RENDERED.get("secrets-and-monitoring");
        assertThat(secretRefs(deployment(objects, "gateway")))
                .containsExactlyInAnyOrder(
                        "NEOGEND_RATE_LIMIT_REDIS_URL=fleet-redis/url",
                        "NEOGEND_DEVICE_CREDENTIAL_TAG_KEY=fleet-device-credentials/tag");
        assertThat(maps(map(policy(objects, "gateway"), "spec").get("egress")))
                .anySatisfy(
                        rule -> assertThat(rule.toString()).contains("redis").contains("port=6379"));
        assertThat(map(policy(objects, "telemetry"), "spec").get("egress").toString())
                .doesNotContain("6379");
        List<Map<String, Object>> defaults = RENDERED.get("default");
        assertThat(secretRefs(deployment(defaults, "gateway"))).isEmpty();
        assertThat(map(policy(defaults, "gateway"), "spec").get("egress").toString())
                .doesNotContain("6379");
    }

    /**
     * The device-credential tag key (ADR 0026) comes from the operator's Secret to the two processes that
     * use it — telemetry, which issues credentials, and the gateway, which checks them — and to nothing
     * else; it is never a value in a manifest. None by default.
     */
    @Test
    void theCredentialTagKeyReachesTelemetryAndTheGatewayOnlyFromItsSecret() {
        List<Map<String, Object>> objects = RENDERED.get("secrets-and-monitoring");
        String ref = "NEOGEND_DEVICE_CREDENTIAL_TAG_KEY=fleet-device-credentials/tag";
        assertThat(secretRefs(deployment(objects, "telemetry"))).contains(ref);
        assertThat(secretRefs(deployment(objects, "gateway"))).contains(ref);
        for (String other : List.of("inventory", "order", "accessories", "training")) {
            assertThat(secretRefs(deployment(objects, other))).as(other).doesNotContain(ref);
        }
        for (var scenario : RENDERED.entrySet()) {
            assertThat(scenario.getValue().toString())
                    .as(scenario.getKey())
                    .doesNotContain("NEOGEND_DEVICE_CREDENTIAL_TAG_KEY, value=");
            if (!scenario.getKey().equals("secrets-and-monitoring")) {
                assertThat(scenario.getValue().toString())
                        .as(scenario.getKey())
                        .doesNotContain("NEOGEND_DEVICE_CREDENTIAL_TAG_KEY");
            }
        }
    }

    @Test
    void tracesGoToTheConfiguredCollectorAndTheDashboardShips() throws Exception {
        List<Map<String, Object>> objects = RENDERED.get("secrets-and-monitoring");
        for (String component : List.of("gateway", "inventory", "order", "accessories", "training", "telemetry")) {
            assertThat(configMap(objects, component))
                    .containsEntry("NEOGEND_OTLP_TRACES_ENABLED", "true")
                    .containsEntry("NEOGEND_OTLP_TRACES_ENDPOINT", "http://otel-collector.observability:4318/v1/traces")
                    .containsEntry("NEOGEND_TRACE_SAMPLING", "0.25");
            // the collector is reachable (egress on 4318), as deny-by-default would otherwise drop the spans
            assertThat(maps(map(policy(objects, component), "spec").get("egress")))
                    .anySatisfy(rule -> assertThat(rule.toString())
                            .contains("observability")
                            .contains("port=4318"));
        }
        Map<String, Object> dashboard = ofKind(objects, "ConfigMap").stream()
                .filter(c -> ManifestChecks.name(c).endsWith("-grafana-dashboard"))
                .findFirst()
                .orElseThrow();
        assertThat(map(map(dashboard, "metadata"), "labels")).containsEntry("grafana_dashboard", "1");
        String json = (String) map(dashboard, "data").get("neogend-overview.json");
        assertThat(new tools.jackson.databind.ObjectMapper()
                        .readTree(json)
                        .get("panels")
                        .size())
                .isGreaterThan(10);

        // by default: sampled at 10 %, nothing exported, no egress to a collector, no dashboard
        List<Map<String, Object>> defaults = RENDERED.get("default");
        assertThat(configMap(defaults, "inventory"))
                .containsEntry("NEOGEND_TRACE_SAMPLING", "0.1")
                .doesNotContainKey("NEOGEND_OTLP_TRACES_ENDPOINT")
                .doesNotContainKey("NEOGEND_OTLP_TRACES_ENABLED");
        assertThat(map(policy(defaults, "inventory"), "spec").get("egress").toString())
                .doesNotContain("4318");
        assertThat(ofKind(defaults, "ConfigMap"))
                .noneMatch(c -> ManifestChecks.name(c).endsWith("-grafana-dashboard"));
    }

    /** The alerts of the PrometheusRule rendered with monitoring on, by name. */
    private static Map<String, Map<String, Object>> alerts() {
        Map<String, Object> rule =
                ofKind(RENDERED.get("secrets-and-monitoring"), "PrometheusRule").getFirst();
        Map<String, Map<String, Object>> alerts = new HashMap<>();
        maps(map(rule, "spec").get("groups"))
                .forEach(g -> maps(g.get("rules")).forEach(r -> alerts.put(String.valueOf(r.get("alert")), r)));
        return alerts;
    }

    @Test
    void alertsRenderOnlyWhenAskedInTheReleaseNamespaceWithTheirLabels() {
        assertThat(ofKind(RENDERED.get("default"), "PrometheusRule")).isEmpty();
        assertThat(ofKind(RENDERED.get("production"), "PrometheusRule")).isEmpty();
        List<Map<String, Object>> objects = RENDERED.get("secrets-and-monitoring");
        assertThat(ofKind(objects, "PrometheusRule")).hasSize(1);
        Map<String, Object> rule = ofKind(objects, "PrometheusRule").getFirst();
        assertThat(name(rule)).isEqualTo("fleet-alerts");
        assertThat(map(rule, "metadata").get("namespace")).isEqualTo(Chart.NAMESPACE);
        assertThat(map(map(rule, "metadata"), "labels")).containsEntry("release", "kube-prometheus-stack");
        assertThat(alerts())
                .containsOnlyKeys(
                        "NeogendOutboxEventsParked",
                        "NeogendOutboxStuck",
                        "NeogendTelemetryIngestLag",
                        "NeogendUpdateCampaignHalted");
    }

    @Test
    void parkedOutboxEventsAreCriticalAndKeepPrometheusTemplating() {
        Map<String, Object> parked = alerts().get("NeogendOutboxEventsParked");
        assertThat(parked.get("expr"))
                .isEqualTo(
                        "max by (namespace, application, outbox) (neogend_outbox_parked{namespace=\"neogend\"}) > 0");
        assertThat(parked.get("for")).isEqualTo("1m");
        assertThat(map(parked, "labels")).containsEntry("severity", "critical").containsEntry("team", "fleet");
        // Prometheus' own templating reaches it untouched by Helm's
        assertThat(map(parked, "annotations").get("summary").toString())
                .contains("{{ $value }}", "{{ $labels.application }}");
        assertThat(map(parked, "annotations").get("description").toString()).contains("docs/operations.md");
    }

    @Test
    void aStuckOutboxAndAHaltedUpdateCampaignAreWarnings() {
        Map<String, Object> stuck = alerts().get("NeogendOutboxStuck");
        assertThat(stuck.get("expr"))
                .isEqualTo(
                        "max by (namespace, application, outbox) (neogend_outbox_oldest_age_seconds{namespace=\"neogend\"}) > 600");
        assertThat(stuck.get("for")).isEqualTo("5m");
        assertThat(map(stuck, "labels")).containsEntry("severity", "warning");
        Map<String, Object> halted = alerts().get("NeogendUpdateCampaignHalted");
        assertThat(halted.get("expr"))
                .isEqualTo("sum by (namespace, application) "
                        + "(increase(neogend_update_campaign_halts_total{namespace=\"neogend\"}[15m])) > 0");
        assertThat(map(halted, "labels")).containsEntry("severity", "warning").containsEntry("team", "fleet");
        assertThat(map(halted, "annotations").get("description").toString()).contains("docs/operations.md");
        // ingest: kafka (ADR 0025): the writers far behind the readings' log
        Map<String, Object> lag = alerts().get("NeogendTelemetryIngestLag");
        assertThat(lag.get("expr"))
                .isEqualTo("sum by (namespace) (neogend_telemetry_ingest_lag{namespace=\"neogend\"}) > 10000");
        assertThat(lag.get("for")).isEqualTo("10m");
        assertThat(map(lag, "labels")).containsEntry("severity", "warning");
    }

    @Test
    void alertsQueryOnlyMetricsTheServicesExport() {
        // what they query is what the services export: parked events by inventory, the age by both outboxes,
        // the campaign halts by telemetry
        List<String> expressions = alerts().values().stream()
                .map(r -> String.valueOf(r.get("expr")))
                .toList();
        assertThat(ExportedMetrics.queried(expressions))
                .containsExactly(
                        "neogend_outbox_oldest_age_seconds",
                        "neogend_outbox_parked",
                        "neogend_telemetry_ingest_lag",
                        "neogend_update_campaign_halts_total");
        assertThat(ExportedMetrics.unknown(expressions)).isEmpty();
        Map<String, Set<String>> exported = ExportedMetrics.byComponent();
        assertThat(exported.get("neogend_outbox_parked")).containsExactly("inventory");
        assertThat(exported.get("neogend_update_campaign_halts_total")).containsExactly("telemetry");
        assertThat(exported.get("neogend_telemetry_ingest_lag")).containsExactly("telemetry");
        assertThat(exported.get("neogend_outbox_oldest_age_seconds")).containsExactlyInAnyOrder("inventory", "order");
        // and the check catches a metric nobody exports
        assertThat(ExportedMetrics.unknown(List.of("max(neogend_outbox_parkd{}) > 0", "neogend_outbox_parked{} > 0")))
                .containsExactly("neogend_outbox_parkd");
    }

    @Test
    void theDashboardShowsParkedEventsAndQueriesOnlyMetricsTheServicesExport() throws Exception {
        var dashboard = new tools.jackson.databind.ObjectMapper()
                .readTree(Chart.dir().resolve("files/grafana-dashboard.json").toFile());
        List<String> expressions = new java.util.ArrayList<>();
        List<int[]> boxes = new java.util.ArrayList<>();
        for (var panel : dashboard.get("panels")) {
            for (var target : panel.path("targets")) {
                expressions.add(target.get("expr").asString());
            }
            var g = panel.get("gridPos");
            boxes.add(new int[] {
                g.get("x").asInt(),
                g.get("y").asInt(),
                g.get("w").asInt(),
                g.get("h").asInt()
            });
        }
        assertThat(ExportedMetrics.queried(expressions))
                .contains(
                        "neogend_outbox_parked",
                        "neogend_outbox_backlog",
                        "neogend_outbox_oldest_age_seconds",
                        "neogend_outbox_refused",
                        "neogend_readings_total",
                        "neogend_orders");
        assertThat(ExportedMetrics.unknown(expressions)).isEmpty();
        // no panel hides another
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                int[] a = boxes.get(i);
                int[] b = boxes.get(j);
                boolean overlap = a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
                assertThat(overlap).as("panels %d and %d overlap", i, j).isFalse();
            }
        }
    }

    @Test
    void devMinimalRunsOneReplicaWithoutBudgets() {
        List<Map<String, Object>> objects = RENDERED.get("dev-minimal");
        assertThat(ofKind(objects, "Deployment"))
                .allSatisfy(d -> assertThat(map(d, "spec").get("replicas")).isEqualTo(1));
        assertThat(ofKind(objects, "PodDisruptionBudget")).isEmpty();
        assertThat(ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
        assertThat(container(deployment(objects, "training")).get("image")).isEqualTo("neogend/training:0.1.0");
        assertThat(configMap(objects, "training")).containsEntry("NEOGEND_LOG_FORMAT", "logstash");
        // Keycloak and PostgreSQL run beside the apps: reached by pod selectors on their own ports.
        assertThat(map(policy(objects, "gateway"), "spec").get("egress").toString())
                .contains("app.kubernetes.io/name=keycloak", "port=8080");
    }

    // ---- helpers ----------------------------------------------------------------------------

    static String component(Map<String, Object> o) {
        return String.valueOf(map(map(o, "metadata"), "labels").get("app.kubernetes.io/component"));
    }

    static Map<String, Object> byComponent(List<Map<String, Object>> objects, String kind, String component) {
        return ofKind(objects, kind).stream()
                .filter(o -> component(o).equals(component))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " for " + component));
    }

    static Map<String, Object> deployment(List<Map<String, Object>> objects, String component) {
        return byComponent(objects, "Deployment", component);
    }

    static Map<String, Object> service(List<Map<String, Object>> objects, String component) {
        return byComponent(objects, "Service", component);
    }

    static Map<String, Object> policy(List<Map<String, Object>> objects, String component) {
        return byComponent(objects, "NetworkPolicy", component);
    }

    static Map<String, Object> configMap(List<Map<String, Object>> objects, String component) {
        return map(
                ofKind(objects, "ConfigMap").stream()
                        .filter(o -> component(o).equals(component) && !name(o).endsWith("keycloak-realm"))
                        .findFirst()
                        .orElseThrow(),
                "data");
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        return maps(map(map(map(deployment, "spec"), "template"), "spec").get("containers"))
                .getFirst();
    }

    static List<String> ports(Map<String, Object> service) {
        return maps(map(service, "spec").get("ports")).stream()
                .map(p -> String.valueOf(p.get("name")))
                .toList();
    }

    static List<String> secretRefs(Map<String, Object> deployment) {
        return maps(container(deployment).get("env")).stream()
                .map(e -> {
                    Map<String, Object> ref = map(map(e, "valueFrom"), "secretKeyRef");
                    return e.get("name") + "=" + ref.get("name") + "/" + ref.get("key");
                })
                .toList();
    }

    /** The components whose pods a component's NetworkPolicy admits on its gRPC port. */
    static Set<String> callers(List<Map<String, Object>> objects, String component) {
        return maps(map(policy(objects, component), "spec").get("ingress")).stream()
                .filter(rule -> rule.get("ports").toString().contains("port=grpc"))
                .flatMap(rule -> maps(rule.get("from")).stream())
                .map(peer -> String.valueOf(
                        map(map(peer, "podSelector"), "matchLabels").get("app.kubernetes.io/component")))
                .collect(Collectors.toSet());
    }
}
