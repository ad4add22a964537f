package fr.interieur.neogend.inventory.device;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * A leased device (terminal). Registered IN_STOCK when the supplier delivers it.
 *
 * @param packType      the pack type it arrived for; empty for a spare device (kept for exchanges)
 * @param unitCode      the unit holding it, empty while in central stock
 * @param receivedOn    reception date (Europe/Paris): a pack's lease starts here
 * @param policeReport  reference of the police report of its loss or theft
 * @param packId        the pack it is in now, if any (read from the pack)
 * @param holderAgentId the agent holding that pack, if any (read from the pack)
 * @param version       optimistic-locking version, bumped on each change
 * @param agreementId   the framework agreement its pack is leased under now (read from the pack)
 * @param repair        the accessories service's repair it is under, and the last one ended (see {@link Repair})
 */
public record Device(
        String imei,
        String serialNumber,
        String model,
        DeviceKind kind,
        DeviceState state,
        Optional<PackType> packType,
        Optional<String> unitCode,
        Optional<String> romBuild,
        LocalDate receivedOn,
        Optional<String> policeReport,
        Optional<String> packId,
        Optional<String> holderAgentId,
        Instant createdAt,
        Instant updatedAt,
        long version,
        Optional<String> agreementId,
        Repair repair) {

    /**
     * The repair (accessories service) a device is under: while {@code open} is set, the device leaves
     * repair only when that repair is closed (EndDeviceRepair naming it). {@code ended} and
     * {@code endedOutcome} keep the last repair ended, so a close repeated after a lost answer is
     * recognised and does nothing twice.
     */
    public record Repair(Optional<String> open, Optional<String> ended, Optional<String> endedOutcome) {

        public static final Repair NONE = new Repair(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This device after a change of state and place by the caller at {@code now}. */
    public Device changed(
            DeviceState newState, Optional<String> newUnitCode, Optional<String> newPoliceReport, Instant now) {
        return new Device(
                imei,
                serialNumber,
                model,
                kind,
                newState,
                packType,
                newUnitCode,
                romBuild,
                receivedOn,
                newPoliceReport,
                packId,
                holderAgentId,
                createdAt,
                now,
                version + 1,
                agreementId,
                repair);
    }

    /** This device in {@code newState} under another repair link, changed at {@code now}. */
    public Device repaired(DeviceState newState, Repair newRepair, Instant now) {
        return new Device(
                imei,
                serialNumber,
                model,
                kind,
                newState,
                packType,
                unitCode,
                romBuild,
                receivedOn,
                policeReport,
                packId,
                holderAgentId,
                createdAt,
                now,
                version + 1,
                agreementId,
                newRepair);
    }
}
