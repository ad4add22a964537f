package fr.interieur.neogend.telemetry.revocation;

import java.time.Instant;
import java.util.List;

/** Storage of inventory events, revocations and queued commands (implemented in persistence; commands go through the owner of device_command). */
public interface RevocationRepository {

    /** Stores the event unless its id is known; true when stored now. */
    boolean insertEvent(InventoryEvent event, Instant receivedAt);

    /**
     * Revokes a device's credentials for good. A device revoked already keeps the gravest reason:
     * exchanged &lt; lost &lt; stolen &lt; returned. A lost or stolen device that is then exchanged stays lost or
     * stolen (it is still out there: its LOCK and WIPE still wait for it); a returned one is back in hand.
     */
    void revoke(String imei, InventoryEvent.Kind reason, Instant at, java.util.UUID eventId);

    /** Queues remote commands for a device, as caused by an event. */
    void queueCommands(
            String imei,
            List<fr.interieur.neogend.telemetry.ingestion.Upload.CommandKind> commands,
            Instant at,
            java.util.UUID eventId);

    /** Why a device is revoked (DEVICE_LOST, DEVICE_STOLEN, DEVICE_EXCHANGED, DEVICE_RETURNED), if it is. */
    java.util.Optional<String> reasonOf(String imei);

    /**
     * Withdraws the device's UPDATE in progress, if any (issue 20): a device declared lost, stolen, exchanged
     * or returned is never handed one again and its readings, refused, would never confirm it.
     */
    void withdrawUpdates(String imei);

    /** Every revoked device. */
    java.util.Set<String> revokedImeis();
}
