package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.telemetry.campaign.Campaign;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.v1.CampaignState;
import fr.interieur.neogend.telemetry.v1.CommandKind;
import fr.interieur.neogend.telemetry.v1.CommandOutcome;
import fr.interieur.neogend.telemetry.v1.CommandStatus;
import fr.interieur.neogend.telemetry.v1.PositionReadKind;

/**
 * The domain's enums as the contract's and back, by exhaustive switches: a value added on one side
 * without its mapping does not compile. An unset or unknown contract value is null: the service
 * refuses it as required, naming the field.
 */
final class TelemetryEnums {

    private TelemetryEnums() {}

    static Upload.CommandKind command(CommandKind kind) {
        return switch (kind) {
            case COMMAND_KIND_LOCK -> Upload.CommandKind.LOCK;
            case COMMAND_KIND_WIPE -> Upload.CommandKind.WIPE;
            case COMMAND_KIND_LOCATE -> Upload.CommandKind.LOCATE;
            case COMMAND_KIND_UPDATE -> Upload.CommandKind.UPDATE;
            case COMMAND_KIND_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static CommandKind toProto(Upload.CommandKind kind) {
        return switch (kind) {
            case LOCK -> CommandKind.COMMAND_KIND_LOCK;
            case WIPE -> CommandKind.COMMAND_KIND_WIPE;
            case LOCATE -> CommandKind.COMMAND_KIND_LOCATE;
            case UPDATE -> CommandKind.COMMAND_KIND_UPDATE;
        };
    }

    static CommandStatus toProto(Upload.CommandStatus status) {
        return switch (status) {
            case QUEUED -> CommandStatus.COMMAND_STATUS_QUEUED;
            case DELIVERED -> CommandStatus.COMMAND_STATUS_DELIVERED;
            case ACKNOWLEDGED -> CommandStatus.COMMAND_STATUS_ACKNOWLEDGED;
            case INSTALLED -> CommandStatus.COMMAND_STATUS_INSTALLED;
            case CONFIRMED -> CommandStatus.COMMAND_STATUS_CONFIRMED;
            case FAILED -> CommandStatus.COMMAND_STATUS_FAILED;
            case WITHDRAWN -> CommandStatus.COMMAND_STATUS_WITHDRAWN;
        };
    }

    static CampaignState toProto(Campaign.State state) {
        return switch (state) {
            case RUNNING -> CampaignState.CAMPAIGN_STATE_RUNNING;
            case PAUSED -> CampaignState.CAMPAIGN_STATE_PAUSED;
            case HALTED -> CampaignState.CAMPAIGN_STATE_HALTED;
            case CANCELLED -> CampaignState.CAMPAIGN_STATE_CANCELLED;
            case COMPLETED -> CampaignState.CAMPAIGN_STATE_COMPLETED;
        };
    }

    static Upload.Outcome outcome(CommandOutcome outcome) {
        return switch (outcome) {
            case COMMAND_OUTCOME_INSTALLED -> Upload.Outcome.INSTALLED;
            case COMMAND_OUTCOME_FAILED -> Upload.Outcome.FAILED;
            case COMMAND_OUTCOME_POSTPONED -> Upload.Outcome.POSTPONED;
            case COMMAND_OUTCOME_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static CommandOutcome toProto(Upload.Outcome outcome) {
        return switch (outcome) {
            case INSTALLED -> CommandOutcome.COMMAND_OUTCOME_INSTALLED;
            case FAILED -> CommandOutcome.COMMAND_OUTCOME_FAILED;
            case POSTPONED -> CommandOutcome.COMMAND_OUTCOME_POSTPONED;
        };
    }

    static PositionReadKind toProto(PositionQueries.ReadKind kind) {
        return switch (kind) {
            case RADIUS -> PositionReadKind.POSITION_READ_KIND_RADIUS;
            case DEVICE_STATE -> PositionReadKind.POSITION_READ_KIND_DEVICE_STATE;
            case DEVICE_READINGS -> PositionReadKind.POSITION_READ_KIND_DEVICE_READINGS;
            case UNIT_MAP -> PositionReadKind.POSITION_READ_KIND_UNIT_MAP;
        };
    }
}
