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

    /** Queues the commands an inventory event causes; the same event's commands are queued once. */
    void queueForEvent(String imei, List<Upload.CommandKind> commands, Instant at, UUID eventId);

    /** A device's commands, newest first. */
    List<Upload.Command> list(String imei);

    /** The device acknowledged these commands (others' ids are ignored). */
    void acknowledge(String imei, Collection<Long> ids);

    /**
     * The device's commands to hand over, oldest first: the queued ones marked delivered, with those
     * delivered before and not acknowledged; a revoked device (only a lost or stolen one gets this far)
     * is handed its LOCK and WIPE, nothing else.
     */
    List<Upload.Command> deliverPending(String imei);
}
