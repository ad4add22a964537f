package fr.interieur.neogend.telemetry.ingestion;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one batch.
 *
 * @param commands commands for the device (not yet acknowledged), oldest first
 */
public record Upload(int stored, int duplicates, List<Rejected> rejected, List<Command> commands) {

    /** A reading refused, and why. */
    public record Rejected(int index, long sequence, String reason) {}

    /**
     * A command for the device.
     *
     * @param update        UPDATE: the release to install
     * @param outcomeReason why the device said it failed or was last postponed ("" when none)
     * @param postponements how many times the device's user postponed it
     * @param confirmedAt   UPDATE: when the device's readings confirmed the release
     */
    public record Command(
            long id,
            CommandKind command,
            CommandStatus status,
            Instant queuedAt,
            Optional<Update> update,
            String outcomeReason,
            int postponements,
            Optional<Instant> confirmedAt) {

        public Command(long id, CommandKind command, CommandStatus status, Instant queuedAt) {
            this(id, command, status, queuedAt, Optional.empty(), "", 0, Optional.empty());
        }
    }

    /**
     * What an UPDATE carries (issue 20): the approved release, where its signed OTA package is and the
     * package's SHA-256.
     */
    public record Update(
            String releaseId, String buildFingerprint, LocalDate patchLevel, String otaUrl, String otaSha256) {}

    /** How a device says a command went. Stored as the command's status (or as a postponement). */
    public enum Outcome {
        /** Done; an UPDATE installed, its readings will confirm it. */
        INSTALLED,
        /** Not carried out (an UPDATE: the download, the checksum or the installation failed). */
        FAILED,
        /** The user postponed it: handed again on the next contact. */
        POSTPONED
    }

    /**
     * A device's word on a command it was handed, as sent (the ingestion checks it).
     *
     * @param outcome null when the device did not say
     */
    public record Result(String commandId, Outcome outcome, String reason) {}

    /** What a remote command asks of a device (DOMAIN rule 21). Stored by name. */
    public enum CommandKind {
        /** Lock the screen. */
        LOCK,
        /** Erase the device. */
        WIPE,
        /** Report a position at once. */
        LOCATE,
        /** Install an approved ROM release (issue 20). */
        UPDATE
    }

    /** Where a remote command stands. Stored by name. */
    public enum CommandStatus {
        /** Waiting for the device's next upload. */
        QUEUED,
        /** Handed to the device, again on each upload until acknowledged. */
        DELIVERED,
        /** Acknowledged by the device (LOCK, WIPE, LOCATE: done). */
        ACKNOWLEDGED,
        /** UPDATE: installed by the device's word, not yet confirmed by its readings. */
        INSTALLED,
        /** UPDATE: the device's readings report the release's build and at least its patch level. */
        CONFIRMED,
        /** UPDATE: the device says the installation failed. */
        FAILED,
        /** UPDATE: withdrawn by its campaign's cancellation before the device installed it. */
        WITHDRAWN;

        /** Still waiting for something from the device: handed again, or to be confirmed by readings. */
        public boolean open() {
            return this == QUEUED || this == DELIVERED || this == INSTALLED;
        }
    }
}
