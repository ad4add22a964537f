package fr.interieur.neogend.telemetry.kafkaclient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.annotation.AnnotatedBeanDefinitionReader;
import org.springframework.context.annotation.ConfigurationClassPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The settings of {@code ingest: kafka} as the chart gives them: the variables it renders bind to the
 * intended Kafka client properties through application.yml; {@code consumers: 0} (the chart's API pods)
 * starts no writer; a client property left blank is not passed to Kafka.
 */
class KafkaIngestSettingsTest {

    /** Exactly the variables helm/neogend renders for telemetry in kafka mode (TLS with a CA, SCRAM). */
    static final Map<String, Object> CHART_ENV = Map.ofEntries(
            Map.entry("NEOGEND_TELEMETRY_INGEST", "kafka"),
            Map.entry("NEOGEND_TELEMETRY_RETENTION", "20d"),
            Map.entry("NEOGEND_KAFKA_BOOTSTRAP_SERVERS", "fleet-kafka-bootstrap.kafka.svc:9093"),
            Map.entry("NEOGEND_KAFKA_TOPIC", "fleet.readings"),
            Map.entry("NEOGEND_KAFKA_PARTITIONS", "24"),
            Map.entry("NEOGEND_KAFKA_REPLICATION_FACTOR", "3"),
            Map.entry("NEOGEND_KAFKA_MIN_INSYNC_REPLICAS", "2"),
            Map.entry("NEOGEND_KAFKA_CONSUMERS", "0"),
            Map.entry("NEOGEND_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
            Map.entry("NEOGEND_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            Map.entry(
                    "NEOGEND_KAFKA_SASL_JAAS_CONFIG",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"telemetry\""
                            + " password=\"s3cr=t;x\";"),
            Map.entry("NEOGEND_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM"),
            Map.entry("NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/neogend/kafka-ca/ca.crt"));

    @Test
    void theChartsVariablesBindToTheIntendedKafkaProperties() throws IOException {
        ConfigurableEnvironment environment = environment(CHART_ENV);
        // the retention the readings' topic is declared with, as the rest of telemetry reads it
        assertThat(org.springframework.boot.context.properties.bind.Binder.get(environment)
                        .bind("neogend.telemetry.retention", Duration.class)
                        .get())
                .isEqualTo(Duration.ofDays(20));
        KafkaIngestSettings settings = KafkaIngestConfiguration.settings(environment);
        assertThat(settings.bootstrapServers()).isEqualTo("fleet-kafka-bootstrap.kafka.svc:9093");
        assertThat(settings.topic()).isEqualTo("fleet.readings");
        assertThat(settings.partitions()).isEqualTo(24);
        assertThat(settings.replicationFactor()).isEqualTo((short) 3);
        assertThat(settings.minInsyncReplicas()).isEqualTo(2);
        assertThat(settings.consumers()).isZero();
        assertThat(settings.writes()).isFalse();
        assertThat(settings.group()).isEqualTo("neogend-telemetry-writers");
        assertThat(settings.appendTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.clientProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config",
                                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                        + " username=\"telemetry\" password=\"s3cr=t;x\";",
                        "ssl.truststore.type", "PEM",
                        "ssl.truststore.location", "/etc/neogend/kafka-ca/ca.crt"));
    }

    @Test
    void withoutTlsOrSaslNoClientPropertyIsSetAndKafkasDefaultsApply() throws IOException {
        KafkaIngestSettings settings = KafkaIngestConfiguration.settings(environment(
                Map.of("NEOGEND_TELEMETRY_INGEST", "kafka", "NEOGEND_KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092")));
        assertThat(settings.clientProperties()).isEmpty();
        assertThat(settings.consumers()).isEqualTo(2);
        assertThat(settings.writes()).isTrue();
        assertThat(settings.topic()).isEqualTo("neogend.telemetry.readings");
        // blank variables (set but empty) are left out as well, one set is kept
        Map<String, Object> env = new HashMap<>(CHART_ENV);
        env.put("NEOGEND_KAFKA_SASL_JAAS_CONFIG", " ");
        env.put("NEOGEND_KAFKA_SASL_MECHANISM", "");
        assertThat(KafkaIngestConfiguration.settings(environment(env)).clientProperties())
                .doesNotContainKeys("sasl.jaas.config", "sasl.mechanism")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void anyOtherClientPropertyStillBinds() throws IOException {
        ConfigurableEnvironment environment = environment(CHART_ENV);
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "operator",
                        Map.of("neogend.telemetry.kafka.properties[ssl.endpoint.identification.algorithm]", "HTTPS")));
        assertThat(KafkaIngestConfiguration.settings(environment).clientProperties())
                .containsEntry("ssl.endpoint.identification.algorithm", "HTTPS")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void zeroConsumersStartNoWriterAndANegativeCountIsRefused() throws IOException {
        assertThat(beanDefinitions(CHART_ENV).containsBeanDefinition("kafkaReadingWriters"))
                .as("consumers 0: no writers")
                .isFalse();
        DefaultListableBeanFactory api = beanDefinitions(CHART_ENV);
        assertThat(api.containsBeanDefinition("kafkaReadingLog")).isTrue();
        assertThat(api.containsBeanDefinition("kafkaIngestSettings")).isTrue();

        Map<String, Object> writers = new HashMap<>(CHART_ENV);
        writers.put("NEOGEND_KAFKA_CONSUMERS", "3");
        DefaultListableBeanFactory writing = beanDefinitions(writers);
        assertThat(writing.containsBeanDefinition("kafkaReadingWriters")).isTrue();
        assertThat(writing.containsBeanDefinition("kafkaReadingLog")).isTrue();

        // direct mode: none of it
        DefaultListableBeanFactory direct = beanDefinitions(Map.of());
        assertThat(direct.containsBeanDefinition("kafkaIngestSettings")).isFalse();
        assertThat(direct.containsBeanDefinition("kafkaReadingWriters")).isFalse();

        Map<String, Object> negative = new HashMap<>(CHART_ENV);
        negative.put("NEOGEND_KAFKA_CONSUMERS", "-1");
        assertThatThrownBy(() -> KafkaIngestConfiguration.settings(environment(negative)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("consumers >= 0");
    }

    @Test
    void aTopicOwnedElsewhereIsNotDeclaredSoNoBrokerIsAskedAtStart() throws Exception {
        // nothing listens on port 1: declaring the topic would wait 60 s for Kafka and then stop the start
        Map<String, Object> variables = Map.of(
                "NEOGEND_TELEMETRY_INGEST", "kafka",
                "NEOGEND_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "NEOGEND_KAFKA_DECLARE_TOPIC", "false");
        ConfigurableEnvironment environment = environment(variables);
        KafkaIngestSettings settings = KafkaIngestConfiguration.settings(environment);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            try (KafkaReadingLog log = new KafkaIngestConfiguration().kafkaReadingLog(settings, environment)) {
                assertThat(log).isNotNull();
            }
        });
        assertThat(environment(Map.of()).getProperty("neogend.telemetry.kafka.declare-topic", Boolean.class))
                .as("declared by default")
                .isTrue();
    }

    /** application.yml under these environment variables, as Spring Boot reads them. */
    static ConfigurableEnvironment environment(Map<String, Object> variables) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        var sources = environment.getPropertySources();
        sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        sources.addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        new YamlPropertySourceLoader()
                .load("application.yml", new ClassPathResource("application.yml"))
                .forEach(sources::addLast);
        return environment;
    }

    /** The beans KafkaIngestConfiguration defines under these variables (none is created). */
    static DefaultListableBeanFactory beanDefinitions(Map<String, Object> variables) throws IOException {
        ConfigurableEnvironment environment = environment(variables);
        DefaultListableBeanFactory factory = new DefaultListableBeanFactory();
        new AnnotatedBeanDefinitionReader(factory, environment).register(KafkaIngestConfiguration.class);
        ConfigurationClassPostProcessor processor = new ConfigurationClassPostProcessor();
        processor.setEnvironment(environment);
        processor.postProcessBeanDefinitionRegistry(factory);
        return factory;
    }
}
