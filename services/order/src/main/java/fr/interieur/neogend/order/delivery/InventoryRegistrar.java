package fr.interieur.neogend.order.delivery;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Registers received devices in inventory (its RegisterDevices RPC, idempotent by IMEI), on behalf
 * of the fleet manager receiving them. Implemented over gRPC in the inventory client package.
 */
public interface InventoryRegistrar {

    /** A device to register as a new pack of a type, leased under the agreement of its order. */
    record ReceivedDevice(
            String imei, String serialNumber, String model, String kind, String packType, String agreementId) {}

    /**
     * Registers the devices; devices registered already with the same data count as done.
     *
     * @return devices newly registered
     */
    int register(List<ReceivedDevice> devices);

    /**
     * Which of these IMEIs are in the fleet already (asked on the caller's behalf; inventory answers
     * IMEIs only): a delivery note cannot bring them again.
     */
    Set<String> inFleet(Collection<String> imeis);
}
