package fr.interieur.neogend.inventory.device;

import java.util.Optional;

/**
 * What a caller gives to register a device; validated by {@link DeviceService}.
 *
 * @param agreementId the agreement its pack is leased under: required with a pack type, none for a spare
 */
public record NewDevice(
        String imei,
        String serialNumber,
        String model,
        Optional<DeviceKind> kind,
        Optional<PackType> packType,
        Optional<String> unitCode,
        Optional<String> romBuild,
        Optional<String> agreementId) {}
