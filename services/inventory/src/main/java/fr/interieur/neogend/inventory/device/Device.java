package fr.interieur.neogend.inventory.device;

import java.time.Instant;
import java.util.Optional;

/**
 * A leased device (terminal). Registered IN_STOCK when the supplier delivers it.
 *
 * @param unitCode  the unit holding it, empty while in central stock
 * @param packType  the pack type it is meant for, if known
 * @param version   optimistic-locking version, bumped on each change
 */
public record Device(String imei, String serialNumber, String model, DeviceKind kind, DeviceState state,
                     Optional<PackType> packType, Optional<String> unitCode, Optional<String> romBuild,
                     Instant createdAt, Instant updatedAt, long version) {
}
