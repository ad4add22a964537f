package fr.interieur.neogend.telemetry.grpc;

import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.v1.CommandKind;
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
            case COMMAND_KIND_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static CommandKind toProto(Upload.CommandKind kind) {
        return switch (kind) {
            case LOCK -> CommandKind.COMMAND_KIND_LOCK;
            case WIPE -> CommandKind.COMMAND_KIND_WIPE;
            case LOCATE -> CommandKind.COMMAND_KIND_LOCATE;
        };
    }

    static CommandStatus toProto(Upload.CommandStatus status) {
        return switch (status) {
            case QUEUED -> CommandStatus.COMMAND_STATUS_QUEUED;
            case DELIVERED -> CommandStatus.COMMAND_STATUS_DELIVERED;
            case ACKNOWLEDGED -> CommandStatus.COMMAND_STATUS_ACKNOWLEDGED;
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
