package fr.interieur.neogend.chart;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Wrong values fail at install (helm template applies values.schema.json and the templates' own guards). */
class SchemaValidationTest {

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(
            delimiter = '|',
            value = {
                // scenario          | what Helm's schema validation (v3.21) says
                "invalid-unknown-key | at '/inventory': additional properties 'replicas' not allowed",
                "invalid-wrong-type  | at '/gateway/replicaCount': got string, want integer",
                "invalid-latest-tag  | at '/image/tag'",
                "invalid-no-limits   | at '/order/resources': missing property 'limits'",
                "invalid-alert-severity | invalid propertyName 'severity'",
                "invalid-kafka-ingest | at '/telemetry/ingest'",
            })
    void schemaRefuses(String scenario, String named) {
        assertThatThrownBy(() -> Chart.template(Chart.scenario(scenario)))
                .as("scenario %s must fail schema validation", scenario)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(named);
    }

    @Test
    void graceShorterThanPreStopPlusShutdownIsRefused() {
        assertThatThrownBy(() -> Chart.template(Chart.scenario("invalid-short-grace")))
                .hasMessageContaining("terminationGracePeriodSeconds must exceed");
    }

    /** telemetry's schema is the shared service schema plus its retention and ingestion mode, nothing else differs. */
    @Test
    void telemetrysSchemaIsTheServiceSchemaPlusItsRetentionAndIngestionMode() throws Exception {
        var schema = new tools.jackson.databind.ObjectMapper()
                .readTree(Chart.dir().resolve("values.schema.json").toFile());
        var service = (tools.jackson.databind.node.ObjectNode)
                schema.get("definitions").get("service");
        var telemetry = ((tools.jackson.databind.node.ObjectNode)
                        schema.get("definitions").get("telemetry"))
                .deepCopy();
        assertThat(schema.get("properties").get("telemetry").get("$ref").asString())
                .isEqualTo("#/definitions/telemetry");
        assertThat(telemetry.get("properties").get("ingest").get("enum").toString())
                .isEqualTo("[\"direct\",\"kafka\"]");
        telemetry.remove("description");
        ((tools.jackson.databind.node.ObjectNode) telemetry.get("properties"))
                .remove(java.util.List.of("retentionDays", "ingest", "kafka"));
        var required = (tools.jackson.databind.node.ArrayNode) telemetry.get("required");
        assertThat(required.get(required.size() - 3).asString()).isEqualTo("retentionDays");
        assertThat(required.get(required.size() - 2).asString()).isEqualTo("ingest");
        assertThat(required.get(required.size() - 1).asString()).isEqualTo("kafka");
        required.remove(required.size() - 1);
        required.remove(required.size() - 1);
        required.remove(required.size() - 1);
        assertThat(telemetry).isEqualTo(service);
    }

    @Test
    void theSameKeysWithRightValuesPass() {
        // Guards the tests above: they fail for their one wrong value, not for something else.
        assertThat(Chart.template(null)).contains("kind: Deployment");
    }
}
