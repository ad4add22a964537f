package fr.interieur.neogend.telemetry.revocation;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * An event of the inventory service.
 *
 * @param replacementImei for an exchange, the device that replaced this one
 */
public record InventoryEvent(
        UUID eventId,
        Kind kind,
        String imei,
        Instant occurredAt,
        Optional<String> replacementImei,
        Optional<String> packId) {

    /** What happened to the device. */
    public enum Kind {
        DEVICE_LOST,
        DEVICE_STOLEN,
        DEVICE_EXCHANGED,
        DEVICE_RETURNED
    }
}
