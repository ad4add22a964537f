package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.v1.CommandKind;
import fr.interieur.neogend.telemetry.v1.CommandOutcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TelemetryEnumsTest {

    @Test
    void everyCommandKindGoesToItsContractValueAndBack() {
        for (Upload.CommandKind k : Upload.CommandKind.values()) {
            assertThat(TelemetryEnums.toProto(k).name()).isEqualTo("COMMAND_KIND_" + k.name());
            assertThat(TelemetryEnums.command(TelemetryEnums.toProto(k))).isEqualTo(k);
        }
        assertThat(TelemetryEnums.command(CommandKind.COMMAND_KIND_UNSPECIFIED)).isNull();
        assertThat(TelemetryEnums.command(CommandKind.UNRECOGNIZED)).isNull();
    }

    @Test
    void everyStatusAndReadKindHasTheContractValueOfItsName() {
        for (Upload.CommandStatus s : Upload.CommandStatus.values()) {
            assertThat(TelemetryEnums.toProto(s).name()).isEqualTo("COMMAND_STATUS_" + s.name());
        }
        for (PositionQueries.ReadKind k : PositionQueries.ReadKind.values()) {
            assertThat(TelemetryEnums.toProto(k).name()).isEqualTo("POSITION_READ_KIND_" + k.name());
        }
    }

    @Test
    void everyOutcomeGoesToItsContractValueAndBack() {
        for (Upload.Outcome o : Upload.Outcome.values()) {
            assertThat(TelemetryEnums.toProto(o).name()).isEqualTo("COMMAND_OUTCOME_" + o.name());
            assertThat(TelemetryEnums.outcome(TelemetryEnums.toProto(o))).isEqualTo(o);
        }
        assertThat(TelemetryEnums.outcome(CommandOutcome.COMMAND_OUTCOME_UNSPECIFIED))
                .isNull();
        assertThat(TelemetryEnums.outcome(CommandOutcome.UNRECOGNIZED)).isNull();
    }
}
