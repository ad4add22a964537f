package fr.interieur.neogend.telemetry.revocation;

import java.time.Instant;
import java.util.List;

/** Storage of inventory events, revocations and queued commands (implemented in persistence). */
public interface RevocationRepository {

    /** Stores the event unless its id is known; true when stored now. */
    boolean insertEvent(InventoryEvent event, Instant receivedAt);

    /** Revokes a device's credentials (kept revoked; the first reason stays). */
    void revoke(String imei, InventoryEvent.Kind reason, Instant at, java.util.UUID eventId);

    /** Queues remote commands for a device, as caused by an event. */
    void queueCommands(String imei, List<String> commands, Instant at, java.util.UUID eventId);
}
