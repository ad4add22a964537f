package fr.interieur.neogend.telemetry.ingestion;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one batch.
 *
 * @param commands commands for the device (not yet acknowledged), oldest first
 */
public record Upload(int stored, int duplicates, List<Rejected> rejected, List<Command> commands) {

    /** A reading refused, and why. */
    public record Rejected(int index, long sequence, String reason) {}

    /** A command waiting for the device. */
    public record Command(long id, CommandKind command, CommandStatus status, Instant queuedAt) {}

    /** What a remote command asks of a device (DOMAIN rule 21). Stored by name. */
    public enum CommandKind {
        /** Lock the screen. */
        LOCK,
        /** Erase the device. */
        WIPE,
        /** Report a position at once. */
        LOCATE
    }

    /** Where a remote command stands. Stored by name. */
    public enum CommandStatus {
        /** Waiting for the device's next upload. */
        QUEUED,
        /** Handed to the device, again on each upload until acknowledged. */
        DELIVERED,
        /** Acknowledged by the device. */
        ACKNOWLEDGED
    }
}
