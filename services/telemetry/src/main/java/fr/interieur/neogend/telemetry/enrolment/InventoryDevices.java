package fr.interieur.neogend.telemetry.enrolment;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.validation.Imei;

/** Asks inventory whether a device exists (on the caller's behalf); implemented over gRPC. */
public interface InventoryDevices {

    /** True when inventory knows the device and the caller may see it. */
    default boolean exists(String imei) {
        return device(imei).isPresent();
    }

    /** The device as inventory has it (model, holding unit, state), if the caller may see it. */
    java.util.Optional<Placed> device(String imei);

    /** A device of a unit subtree, as inventory lists it ({@code unitCode} "" in central stock). */
    record Placed(String imei, String model, String unitCode, String state) {

        public Placed(String imei, String model, String unitCode) {
            this(imei, model, unitCode, "ASSIGNED");
        }

        /** Lost and stolen devices are out of service (written off the fleet until returned). */
        public boolean lostOrStolen() {
            return state.equals("LOST") || state.equals("STOLEN");
        }
    }

    /**
     * Every device not yet returned within the caller's reach (or one unit subtree of it), as inventory
     * streams it on the caller's behalf; inventory refuses a unit outside the reach.
     */
    java.util.List<Placed> placements(java.util.Optional<String> unitCode);

    /**
     * The devices (not returned) of a unit and its sub-units, read page by page on the caller's
     * behalf; inventory refuses a unit outside the caller's reach.
     */
    java.util.List<Placed> subtree(String unitCode);

    /**
     * The codes of a unit's ancestors, root first, as inventory's tree has them now (on the caller's
     * behalf); empty when inventory knows no such unit or the caller may not see it. Unit codes are names,
     * not paths: only inventory tells where a unit is.
     */
    java.util.Optional<java.util.List<String>> ancestors(String unitCode);

    /**
     * A well-formed IMEI of a device the caller may see (inventory applies the caller's unit subtree);
     * INVALID_ARGUMENT or NOT_FOUND otherwise.
     */
    default void requireVisible(String imei) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
        if (!exists(imei)) {
            throw new NotFoundException("no device with IMEI " + imei);
        }
    }
}
