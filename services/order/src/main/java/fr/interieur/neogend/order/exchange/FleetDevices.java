package fr.interieur.neogend.order.exchange;

import java.util.Optional;

/** The fleet as inventory knows it, asked on the caller's behalf (so within the caller's reach). */
public interface FleetDevices {

    /**
     * A device: its model, state (IN_STOCK, ASSIGNED, IN_REPAIR, PENDING_RETURN…), the pack it is in
     * and the agreement that pack is leased under.
     */
    record FleetDevice(
            String imei, String model, String state, Optional<String> packId, Optional<String> agreementId) {}

    /** The device, if it exists and the caller may see it. */
    Optional<FleetDevice> find(String imei);
}
