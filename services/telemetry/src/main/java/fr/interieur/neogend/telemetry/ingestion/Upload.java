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
    public record Rejected(int index, long sequence, String reason) {
    }

    /** A command waiting for the device. */
    public record Command(long id, String command, String status, Instant queuedAt) {
    }
}
