package fr.interieur.neogend.chart;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static fr.interieur.neogend.chart.ChartRenderTest.configMap;
import static fr.interieur.neogend.chart.ChartRenderTest.container;
import static fr.interieur.neogend.chart.ChartRenderTest.deployment;
import static fr.interieur.neogend.chart.ChartRenderTest.policy;
import static fr.interieur.neogend.chart.ChartRenderTest.secretRefs;
import static fr.interieur.neogend.chart.ManifestChecks.map;
import static fr.interieur.neogend.chart.ManifestChecks.maps;
import static fr.interieur.neogend.chart.ManifestChecks.name;
import static fr.interieur.neogend.chart.ManifestChecks.ofKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * telemetry.ingest: kafka (ADR 0025, issue 21): the API pods only append to the log, the writers are a
 * Deployment of their own bounded by the partitions, TLS and SASL come from Secrets, the topic is a
 * Strimzi KafkaTopic when asked, the brokers are reachable and nothing more. Direct mode is untouched.
 */
class KafkaModeTest {

    static final Map<String, List<Map<String, Object>>> RENDERED = new HashMap<>();

    @BeforeAll
    static void render() {
        for (String scenario : List.of("kafka-strimzi", "kafka-plain")) {
            RENDERED.put(scenario, Chart.render(Chart.scenario(scenario)));
        }
        RENDERED.put("default", Chart.render(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka-strimzi", "kafka-plain"})
    void everyCheckPassesWithTheWritersBesideTheSixComponents(String scenario) {
        List<Map<String, Object>> objects = RENDERED.get(scenario);
        assertThat(ManifestChecks.all(objects)).as("problems in %s", scenario).isEmpty();
        assertThat(ofKind(objects, "Deployment"))
                .extracting(ChartRenderTest::component)
                .containsExactlyInAnyOrder(
                        "gateway", "inventory", "order", "accessories", "training", "telemetry", "telemetry-writers");
        // nothing calls the writers: no Service
        assertThat(ofKind(objects, "Service"))
                .extracting(ChartRenderTest::component)
                .doesNotContain("telemetry-writers");
        assertThat(ofKind(objects, "ServiceAccount"))
                .extracting(ChartRenderTest::component)
                .contains("telemetry-writers");
    }

    @Test
    void directModeRendersExactlyAsBeforeWhateverTheKafkaSettings() {
        // the default (direct) with every kafka setting changed: byte for byte the default rendering
        assertThat(Chart.template(Chart.scenario("direct-with-kafka-settings"))).isEqualTo(Chart.template(null));
        List<Map<String, Object>> objects = RENDERED.get("default");
        assertThat(ofKind(objects, "Deployment"))
                .extracting(ChartRenderTest::component)
                .doesNotContain("telemetry-writers");
        assertThat(ofKind(objects, "KafkaTopic")).isEmpty();
        assertThat(ofKind(objects, "PodMonitor")).isEmpty();
        assertThat(configMap(objects, "telemetry").keySet())
                .noneMatch(k -> k.startsWith("NEOGEND_KAFKA_") || k.equals("NEOGEND_TELEMETRY_INGEST"));
        assertThat(secretRefs(deployment(objects, "telemetry")))
                .containsExactly("NEOGEND_DB_PASSWORD=neogend-telemetry-db/password");
        assertThat(map(policy(objects, "telemetry"), "spec").get("egress").toString())
                .doesNotContain("9092", "9093", "kafka");
    }

    @Test
    void theApiPodsOnlyAppendAndTheWritersConsume() {
        List<Map<String, Object>> objects = RENDERED.get("kafka-strimzi");
        Map<String, Object> api = configMap(objects, "telemetry");
        Map<String, Object> writers = configMap(objects, "telemetry-writers");
        for (Map<String, Object> env : List.of(api, writers)) {
            assertThat(env)
                    .containsEntry("NEOGEND_TELEMETRY_INGEST", "kafka")
                    .containsEntry("NEOGEND_TELEMETRY_RETENTION", "30d")
                    .containsEntry("NEOGEND_KAFKA_BOOTSTRAP_SERVERS", "fleet-kafka-bootstrap.kafka.svc:9093")
                    .containsEntry("NEOGEND_KAFKA_TOPIC", "fleet.telemetry.readings")
                    .containsEntry("NEOGEND_KAFKA_PARTITIONS", "12")
                    .containsEntry("NEOGEND_KAFKA_REPLICATION_FACTOR", "3")
                    .containsEntry("NEOGEND_KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .as("the Strimzi KafkaTopic owns the topic: telemetry does not declare it")
                    .containsEntry("NEOGEND_KAFKA_DECLARE_TOPIC", "false")
                    .containsEntry("NEOGEND_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("NEOGEND_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                    .containsEntry("NEOGEND_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                    .containsEntry("NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/neogend/kafka-ca/ca.crt")
                    .containsEntry(
                            "NEOGEND_DB_URL",
                            "jdbc:postgresql://postgresql.neogend-db.svc.cluster.local:5432/telemetry");
        }
        assertThat(api).containsEntry("NEOGEND_KAFKA_CONSUMERS", "0").containsKey("NEOGEND_INVENTORY_GRPC");
        // the writers call no service; their own JVM options
        assertThat(writers)
                .containsEntry("NEOGEND_KAFKA_CONSUMERS", "3")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+UseZGC")
                .doesNotContainKey("NEOGEND_INVENTORY_GRPC");

        Map<String, Object> writersDeployment = deployment(objects, "telemetry-writers");
        assertThat(container(writersDeployment).get("image"))
                .isEqualTo(container(deployment(objects, "telemetry")).get("image"));
        assertThat(map(map(map(writersDeployment, "spec"), "template"), "spec").get("serviceAccountName"))
                .isEqualTo("neogend-telemetry-writers");
        assertThat(map(container(writersDeployment), "readinessProbe").toString())
                .contains("grpc={port=9095}");
        assertThat(map(container(writersDeployment), "resources").toString())
                .isEqualTo("{limits={cpu=1, memory=768Mi}, requests={cpu=250m, memory=512Mi}}");
        // the plain scenario: fixed writers, no TLS, no SASL, so no client property at all
        List<Map<String, Object>> plain = RENDERED.get("kafka-plain");
        assertThat(map(deployment(plain, "telemetry-writers"), "spec").get("replicas"))
                .isEqualTo(3);
        assertThat(configMap(plain, "telemetry-writers")).containsEntry("NEOGEND_KAFKA_CONSUMERS", "2");
        assertThat(configMap(plain, "telemetry").keySet())
                .doesNotContain(
                        "NEOGEND_KAFKA_SECURITY_PROTOCOL",
                        "NEOGEND_KAFKA_SASL_MECHANISM",
                        "NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION");
        assertThat(configMap(plain, "telemetry"))
                .containsEntry("NEOGEND_KAFKA_TOPIC", "neogend.telemetry.readings")
                .as("no KafkaTopic: telemetry creates the topic when missing")
                .containsEntry("NEOGEND_KAFKA_DECLARE_TOPIC", "true")
                .containsEntry("NEOGEND_KAFKA_BOOTSTRAP_SERVERS", "kafka-0.lan:9092,kafka-1.lan:9092,kafka-2.lan:9092");
        assertThat(secretRefs(deployment(plain, "telemetry-writers")))
                .containsExactly("NEOGEND_DB_PASSWORD=neogend-telemetry-db/password");
    }

    @Test
    void theSaslPasswordComesOnlyFromItsSecretAndTheCaIsMountedFromItsSecret() {
        List<Map<String, Object>> objects = RENDERED.get("kafka-strimzi");
        for (String component : List.of("telemetry", "telemetry-writers")) {
            Map<String, Object> d = deployment(objects, component);
            List<Map<String, Object>> env = maps(container(d).get("env"));
            assertThat(env)
                    .extracting(e -> String.valueOf(e.get("name")))
                    .containsExactly(
                            "NEOGEND_DB_PASSWORD",
                            "NEOGEND_KAFKA_SASL_USERNAME",
                            "NEOGEND_KAFKA_SASL_PASSWORD",
                            "NEOGEND_KAFKA_SASL_JAAS_CONFIG");
            Map<String, Object> password = env.get(2);
            assertThat(password).doesNotContainKey("value");
            assertThat(map(map(password, "valueFrom"), "secretKeyRef"))
                    .containsEntry("name", "neogend-telemetry-kafka")
                    .containsEntry("key", "password");
            // built by Kubernetes from the variables before it: no secret in the manifest
            assertThat(env.get(3).get("value"))
                    .isEqualTo(
                            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                    + " username=\"$(NEOGEND_KAFKA_SASL_USERNAME)\" password=\"$(NEOGEND_KAFKA_SASL_PASSWORD)\";");
            assertThat(env.get(1)).containsEntry("value", "neogend-telemetry");
            Map<String, Object> podSpec = map(map(map(d, "spec"), "template"), "spec");
            assertThat(maps(podSpec.get("volumes")))
                    .anySatisfy(v -> assertThat(v.toString())
                            .isEqualTo("{name=kafka-ca, secret={secretName=fleet-cluster-ca-cert, items=[{key=ca.crt,"
                                    + " path=ca.crt}]}}"));
            assertThat(maps(container(d).get("volumeMounts")))
                    .anySatisfy(m -> assertThat(m)
                            .containsEntry("name", "kafka-ca")
                            .containsEntry("mountPath", "/etc/neogend/kafka-ca")
                            .containsEntry("readOnly", true));
        }
        // no ConfigMap holds a credential
        for (Map<String, Object> cm : ofKind(objects, "ConfigMap")) {
            assertThat(map(cm, "data").toString()).doesNotContain("password=", "ScramLoginModule");
        }
        // PLAIN, the user name from the Secret too, TLS trusting the JVM's CAs (no CA Secret)
        List<Map<String, Object>> plain = render("""
                telemetry:
                  ingest: kafka
                  kafka:
                    bootstrapServers: broker.example.org:9094
                    tls: {enabled: true, ca: {existingSecret: ""}}
                    sasl: {enabled: true, mechanism: PLAIN, existingSecret: kafka-creds, passwordKey: pw, username: "", usernameKey: user}
                """);
        Map<String, Object> api = deployment(plain, "telemetry");
        assertThat(secretRefs(api))
                .containsExactly(
                        "NEOGEND_DB_PASSWORD=neogend-telemetry-db/password",
                        "NEOGEND_KAFKA_SASL_USERNAME=kafka-creds/user",
                        "NEOGEND_KAFKA_SASL_PASSWORD=kafka-creds/pw",
                        "NEOGEND_KAFKA_SASL_JAAS_CONFIG=null/null");
        assertThat(maps(container(api).get("env")).getLast().get("value").toString())
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
        assertThat(configMap(plain, "telemetry"))
                .containsEntry("NEOGEND_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("NEOGEND_KAFKA_SASL_MECHANISM", "PLAIN")
                .doesNotContainKey("NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION");
        assertThat(map(map(map(api, "spec"), "template"), "spec").get("volumes").toString())
                .doesNotContain("kafka-ca");
        // TLS alone: SSL
        assertThat(configMap(
                        render("telemetry: {ingest: kafka, kafka: {bootstrapServers: 'b:9093', tls: {enabled: true,"
                                + " ca: {existingSecret: ca, key: ca.pem}}}}"),
                        "telemetry"))
                .containsEntry("NEOGEND_KAFKA_SECURITY_PROTOCOL", "SSL")
                .containsEntry("NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/neogend/kafka-ca/ca.pem");
    }

    @Test
    void theKafkaTopicIsDeclaredOnlyWhenAsked() {
        assertThat(ofKind(RENDERED.get("kafka-plain"), "KafkaTopic")).isEmpty();
        List<Map<String, Object>> topics = ofKind(RENDERED.get("kafka-strimzi"), "KafkaTopic");
        assertThat(topics).singleElement().satisfies(topic -> {
            assertThat(topic.get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(map(topic, "metadata").get("namespace")).isEqualTo("kafka");
            assertThat(map(map(topic, "metadata"), "labels")).containsEntry("strimzi.io/cluster", "fleet");
            assertThat(map(topic, "spec"))
                    .containsEntry("topicName", "fleet.telemetry.readings")
                    .containsEntry("partitions", 12)
                    .containsEntry("replicas", 3);
            assertThat(map(map(topic, "spec"), "config"))
                    .containsEntry("min.insync.replicas", 2)
                    // rule 20: the log keeps positions as long as telemetry does (30 days), not the cluster's default
                    .containsEntry("retention.ms", 2_592_000_000L);
        });
        // the Topic Operator watches a namespace: without one, the release's
        List<Map<String, Object>> here = render("""
                telemetry:
                  ingest: kafka
                  kafka:
                    bootstrapServers: b:9092
                    strimzi: {clusterName: c1, namespace: "", topic: {enabled: true}}
                """);
        assertThat(map(ofKind(here, "KafkaTopic").getFirst(), "metadata").get("namespace"))
                .isEqualTo(Chart.NAMESPACE);
        assertThatThrownBy(() -> render("""
                        telemetry:
                          ingest: kafka
                          kafka:
                            bootstrapServers: b:9092
                            strimzi: {clusterName: "", namespace: "", topic: {enabled: true}}
                        """)).hasMessageContaining("needs telemetry.kafka.strimzi.clusterName");
    }

    @Test
    void theWritersScaleUpToThePartitionsAndNoFurther() {
        List<Map<String, Object>> objects = RENDERED.get("kafka-strimzi");
        Map<String, Object> hpa = ofKind(objects, "HorizontalPodAutoscaler").stream()
                .filter(h -> ChartRenderTest.component(h).equals("telemetry-writers"))
                .findFirst()
                .orElseThrow();
        // 4 pods x 3 consumers = the 12 partitions: allowed
        assertThat(map(hpa, "spec")).containsEntry("maxReplicas", 4).containsEntry("minReplicas", 2);
        assertThat(map(map(hpa, "spec"), "scaleTargetRef")).containsEntry("name", "neogend-telemetry-writers");
        assertThat(map(deployment(objects, "telemetry-writers"), "spec")).doesNotContainKey("replicas");
        // the API pods' own autoscaling is theirs: off here
        assertThat(map(deployment(objects, "telemetry"), "spec")).containsEntry("replicas", 3);

        assertThatThrownBy(() -> Chart.template(Chart.scenario("invalid-writers-autoscaling-over-partitions")))
                .hasMessageContaining(
                        "telemetry.kafka.writers: autoscaling.maxReplicas (5) x consumersPerPod (3) = 15 consumers"
                                + " for 12 partitions")
                .hasMessageContaining("3 consumers would sit idle");
        assertThatThrownBy(() -> Chart.template(Chart.scenario("invalid-writers-over-partitions")))
                .hasMessageContaining(
                        "telemetry.kafka.writers: replicaCount (4) x consumersPerPod (2) = 8 consumers for 6 partitions")
                .hasMessageContaining("2 consumers would sit idle");
        // one more partition and the same writers pass
        assertThat(render("""
                        telemetry:
                          ingest: kafka
                          kafka: {bootstrapServers: 'b:9092', partitions: 8, writers: {replicaCount: 4, consumersPerPod: 2}}
                        """)).isNotEmpty();
    }

    @Test
    void theBrokersAreReachableFromBothAndNothingMoreIsOpened() {
        List<Map<String, Object>> objects = RENDERED.get("kafka-strimzi");
        Map<String, Object> brokers = Map.of(
                "to",
                List.of(Map.of(
                        "namespaceSelector",
                        Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "kafka")),
                        "podSelector",
                        Map.of("matchLabels", Map.of("strimzi.io/cluster", "fleet", "strimzi.io/kind", "Kafka")))),
                "ports",
                List.of(Map.of("port", 9093, "protocol", "TCP")));
        // the API pods: what they had in direct mode (same release values), plus the brokers
        List<Map<String, Object>> direct = render("metrics: {serviceMonitor: {enabled: true, labels: {release:"
                + " kube-prometheus-stack}}, prometheusRule: {enabled: true}}");
        List<Map<String, Object>> apiEgress =
                maps(map(policy(objects, "telemetry"), "spec").get("egress"));
        List<Map<String, Object>> directEgress =
                maps(map(policy(direct, "telemetry"), "spec").get("egress"));
        assertThat(apiEgress).contains(brokers).hasSize(directEgress.size() + 1);
        assertThat(apiEgress).containsAll(directEgress);
        assertThat(map(policy(objects, "telemetry"), "spec").get("ingress"))
                .isEqualTo(map(policy(direct, "telemetry"), "spec").get("ingress"));
        // the writers: DNS, their database, the brokers; scraped by Prometheus only
        Map<String, Object> writers = map(policy(objects, "telemetry-writers"), "spec");
        assertThat(maps(writers.get("egress")))
                .extracting(r -> r.get("ports").toString())
                .containsExactly(
                        "[{port=53, protocol=UDP}, {port=53, protocol=TCP}]",
                        "[{port=5432, protocol=TCP}]",
                        "[{port=9093, protocol=TCP}]");
        assertThat(maps(writers.get("egress")).getLast()).isEqualTo(brokers);
        assertThat(maps(writers.get("ingress")))
                .singleElement()
                .satisfies(rule -> assertThat(rule.toString())
                        .isEqualTo("{from=[{namespaceSelector={matchLabels={kubernetes.io/metadata.name=monitoring}}}],"
                                + " ports=[{port=http, protocol=TCP}]}"));
        assertThat(map(writers, "podSelector").toString()).contains("app.kubernetes.io/component=telemetry-writers");
        // not scraped: no ingress at all (the default deny stands)
        Map<String, Object> plain = map(policy(RENDERED.get("kafka-plain"), "telemetry-writers"), "spec");
        assertThat(plain.get("ingress")).isEqualTo(List.of());
        assertThat(maps(plain.get("egress")).getLast().toString())
                .isEqualTo("{to=[{ipBlock={cidr=192.168.40.0/24}}], ports=[{port=9092, protocol=TCP}]}");
        // nobody else reaches the brokers
        for (String component : List.of("gateway", "inventory", "order", "accessories", "training")) {
            assertThat(maps(map(policy(objects, component), "spec").get("egress")))
                    .as(component)
                    .doesNotContain(brokers)
                    .noneSatisfy(rule -> assertThat(rule.toString()).contains("strimzi"));
        }
    }

    @Test
    void theWritersMetricsAreScrapedByAPodMonitorForTheLagAlert() {
        List<Map<String, Object>> objects = RENDERED.get("kafka-strimzi");
        assertThat(ofKind(objects, "PodMonitor")).singleElement().satisfies(pm -> {
            assertThat(name(pm)).isEqualTo("neogend-telemetry-writers");
            assertThat(map(map(pm, "metadata"), "labels")).containsEntry("release", "kube-prometheus-stack");
            assertThat(map(map(pm, "spec"), "selector").toString())
                    .contains("app.kubernetes.io/component=telemetry-writers");
            assertThat(map(pm, "spec").get("podMetricsEndpoints").toString())
                    .isEqualTo("[{port=http, path=/actuator/prometheus, interval=30s}]");
        });
        assertThat(ofKind(RENDERED.get("kafka-plain"), "PodMonitor")).isEmpty();
        assertThat(ofKind(objects, "PrometheusRule").getFirst().toString()).contains("NeogendTelemetryIngestLag");
    }

    @Test
    void wrongKafkaSettingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Chart.template(Chart.scenario("invalid-kafka-no-bootstrap")))
                .hasMessageContaining("telemetry.ingest: kafka needs telemetry.kafka.bootstrapServers");
        assertThatThrownBy(() -> Chart.template(Chart.scenario("invalid-kafka-sasl-without-secret")))
                .hasMessageContaining("telemetry.kafka.sasl.enabled needs telemetry.kafka.sasl.existingSecret");
        assertThatThrownBy(() -> render("telemetry: {ingest: kafka, kafka: {bootstrapServers: 'b:9092',"
                        + " replicationFactor: 2, minInsyncReplicas: 3}}"))
                .hasMessageContaining("minInsyncReplicas cannot exceed");
        assertThatThrownBy(() -> render("telemetry: {kafka: {sasl: {mechanism: GSSAPI}}}"))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("/telemetry/kafka/sasl/mechanism");
        assertThatThrownBy(() -> render("telemetry: {kafka: {bootstrapServers: 'kafka without port'}}"))
                .hasMessageContaining("/telemetry/kafka/bootstrapServers");
        assertThatThrownBy(() -> render("telemetry: {kafka: {writers: {replicas: 2}}}"))
                .hasMessageContaining("additional properties 'replicas' not allowed");
        // a kafka setting elsewhere than telemetry
        assertThatThrownBy(() -> render("inventory: {ingest: kafka}"))
                .hasMessageContaining("additional properties 'ingest' not allowed");
    }

    /** helm template with the chart's values plus these. */
    static List<Map<String, Object>> render(String values) {
        try {
            Path file = Files.createTempFile("kafka-values", ".yaml");
            try {
                Files.writeString(file, values);
                return Chart.render(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
