package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.telemetry.ingestion.Upload;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Storage of remote commands (table {@code device_command}, owned by the persistence adapter
 * implementing this port): queued by people or by inventory's events, delivered on the device's next
 * upload, acknowledged by it (DOMAIN rule 21).
 */
public interface CommandRepository {

    /** Queues a command asked by a person, now. */
    Upload.Command queue(String imei, Upload.CommandKind command);

    /**
     * Queues an UPDATE to a release, now; FAILED_PRECONDITION when the device has an open one already
     * (checked by the database, so two concurrent callers cannot both queue one).
     */
    Upload.Command queueUpdate(String imei, String releaseId);

    /**
     * Queues an UPDATE to a release for each of these devices, now, in one statement — except those with an
     * UPDATE open already, skipped; returns the id of each command queued, by IMEI.
     */
    java.util.Map<String, Long> queueUpdates(Collection<String> imeis, String releaseId);

    /**
     * {@link #queueUpdates(Collection, String)} with a maintenance window per device (minutes of the Paris
     * day, start and end; absent: any time).
     */
    java.util.Map<String, Long> queueUpdates(
            Collection<String> imeis, String releaseId, java.util.Map<String, int[]> windows);

    /** Withdraws these UPDATEs where not yet installed (queued or delivered); returns how many. */
    int withdraw(Collection<Long> ids);

    /** The device's UPDATE still open (queued, delivered or installed but not confirmed), if any. */
    java.util.Optional<Upload.Command> openUpdate(String imei);

    /** Queues the commands an inventory event causes; the same event's commands are queued once. */
    void queueForEvent(String imei, List<Upload.CommandKind> commands, Instant at, UUID eventId);

    /** A device's commands, newest first. */
    List<Upload.Command> list(String imei);

    /** The device acknowledged these commands (others' ids are ignored). */
    void acknowledge(String imei, Collection<Long> ids);

    /**
     * The device's commands to hand over at a minute of the Paris day, oldest first: the queued ones
     * marked delivered, with those delivered before and not acknowledged; a revoked device (only a lost
     * or stolen one gets this far) is handed its LOCK and WIPE, nothing else; an UPDATE with a
     * maintenance window is handed over (and marked delivered) only within it.
     */
    List<Upload.Command> deliverPending(String imei, int parisMinute);
}
