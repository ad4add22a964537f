package fr.interieur.neogend.inventory.device;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * A mobility pack: the leased, billed unit. Its lease runs from {@code leaseStart} (inclusive) to
 * {@code leaseEnd} (exclusive, empty while it runs), whatever devices it holds meanwhile (rule 10).
 *
 * @param deviceImei    the device in the pack now (the last one once ended)
 * @param unitCode      the holding unit (collective) or the agent's unit (individual)
 * @param holderAgentId the agent holding an individual pack
 * @param held          handed to its holder (a repaired device goes back ASSIGNED)
 * @param agreementId   the framework agreement it is leased under now (a transfer changes it from a date)
 */
public record Pack(
        String id,
        PackType type,
        Optional<String> deviceImei,
        Optional<String> unitCode,
        Optional<String> holderAgentId,
        List<String> accessories,
        boolean held,
        LocalDate leaseStart,
        Optional<LocalDate> leaseEnd,
        Instant createdAt,
        Instant updatedAt,
        long version,
        Optional<String> agreementId) {

    public Pack {
        accessories = List.copyOf(accessories);
    }

    public boolean ended() {
        return leaseEnd.isPresent();
    }

    public Pack heldBy(Optional<String> unit, Optional<String> agent, List<String> newAccessories, Instant now) {
        return new Pack(
                id,
                type,
                deviceImei,
                unit,
                agent,
                newAccessories,
                true,
                leaseStart,
                leaseEnd,
                createdAt,
                now,
                version + 1,
                agreementId);
    }

    public Pack unheld(Instant now) {
        return new Pack(
                id,
                type,
                deviceImei,
                unitCode,
                Optional.empty(),
                accessories,
                false,
                leaseStart,
                leaseEnd,
                createdAt,
                now,
                version + 1,
                agreementId);
    }

    public Pack withDevice(String imei, Instant now) {
        return new Pack(
                id,
                type,
                Optional.of(imei),
                unitCode,
                holderAgentId,
                accessories,
                held,
                leaseStart,
                leaseEnd,
                createdAt,
                now,
                version + 1,
                agreementId);
    }

    public Pack endedOn(LocalDate day, Instant now) {
        return new Pack(
                id,
                type,
                deviceImei,
                unitCode,
                holderAgentId,
                accessories,
                false,
                leaseStart,
                Optional.of(day.isBefore(leaseStart) ? leaseStart : day),
                createdAt,
                now,
                version + 1,
                agreementId);
    }
}
