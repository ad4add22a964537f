package fr.interieur.neogend.inventory.device;

import java.time.Instant;

/**
 * Events other services must hear about, written in the caller's transaction (a transactional
 * outbox): they are delivered after commit, retried until acknowledged, and never sent for a change
 * that rolled back.
 */
public interface DeviceEvents {

    /** A device declared LOST or STOLEN: revoke its credentials, queue a LOCK (and a WIPE if stolen). */
    void deviceLost(Device device, boolean stolen, Instant at);

    /** A device exchanged out of its pack: revoke it; the replacement takes over the pack. */
    void deviceExchanged(Device old, Device replacement, String packId, Instant at);

    /** A device given back to the supplier: revoke it. */
    void deviceReturned(Device device, Instant at);
}
