package fr.interieur.neogend.accessories.repair;

/**
 * What repairs need from the other services, each call made on the current caller's behalf (the
 * other service checks the caller's token and roles again). Implemented over gRPC in the peerclient
 * package.
 */
public final class Peers {

    private Peers() {}

    /** A device as inventory shows it to the caller, with the repair it is under, if any. */
    /**
     * @param inPack whether the device is in a pack (leased under an agreement); a spare outside any pack is not
     */
    public record Device(
            String imei, String model, String state, java.util.Optional<String> repairId, boolean inPack) {}

    /** Inventory: the devices and their life cycle. */
    public interface Fleet {

        /** The device; NOT_FOUND when unknown or outside the caller's reach. */
        Device device(String imei);

        /**
         * IN_STOCK or ASSIGNED (or IN_REPAIR under no repair) → IN_REPAIR under the repair; a repeat
         * changes nothing. {@code replaces}: the repair the device is under that this one replaces.
         */
        void startRepair(String imei, String repairId, java.util.Optional<String> replaces);

        /**
         * Ends the repair the device is under: repaired → back to its holder or its unit's stock;
         * failed → PENDING_RETURN; a device lost or stolen under the repair keeps that state and is only
         * released. A repeat of the same end changes nothing.
         */
        void endRepair(String imei, String repairId, boolean repaired, String reason);

        /**
         * The IMEIs of the devices inventory places within the caller's unit subtree, returned ones included (as
         * {@link #device} shows them: a repair listed is a repair readable, and the other way round).
         */
        java.util.List<String> imeisInReach();
    }

    /** Training: certifications. */
    public interface Certifications {

        /** Whether the technician may repair the model; when not, the reason (none, expired on …). */
        Check check(String technician, String model);
    }

    /** The answer of a certification check. */
    public record Check(boolean certified, String reason) {}

    /** Order service: exchange requests to the supplier. */
    public interface Exchanges {

        /**
         * Requests the exchange of a device (idempotent for one repair: repeating it returns the same
         * request) and returns its number.
         */
        String request(String imei, String model, String reason, String repairId);
    }
}
