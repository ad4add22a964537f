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

    @Test
    void theSameKeysWithRightValuesPass() {
        // Guards the tests above: they fail for their one wrong value, not for something else.
        assertThat(Chart.template(null)).contains("kind: Deployment");
    }
}
