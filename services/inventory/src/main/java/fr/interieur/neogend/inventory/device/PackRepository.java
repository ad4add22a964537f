package fr.interieur.neogend.inventory.device;

import java.util.List;
import java.util.Optional;

/** Storage of packs (implemented in the persistence package). */
public interface PackRepository {

    /** Creates packs for newly received devices, giving them ids; returns them in the same order. */
    List<Pack> createAll(List<NewPack> packs);

    /** A pack to create around a received device, leased under an agreement from its reception. */
    record NewPack(
            PackType type,
            String deviceImei,
            Optional<String> unitCode,
            java.time.LocalDate leaseStart,
            java.time.Instant at,
            String agreementId,
            String actor) {}

    Optional<Pack> find(String id);

    /** The pack a device is in now (ended or not), if any. */
    Optional<Pack> findByDevice(String imei);

    /** The agreements each of these packs was ever leased under (all its periods, a transfer's too), by pack. */
    java.util.Map<String, java.util.Set<String>> agreementsOf(java.util.Collection<String> packIds);

    /** Stores a changed pack if its version is still {@code pack.version() - 1}; false otherwise. */
    boolean update(Pack pack);

    /** Which packs a transfer takes: those of {@code from} running on the date, of a type, in a subtree. */
    record TransferScope(
            String fromAgreementId,
            java.time.LocalDate date,
            Optional<PackType> type,
            Optional<String> unitPathPrefix) {}

    /**
     * Moves the packs in scope to {@code toAgreementId} from the scope's date: each one's period under
     * the old agreement ends the day before, a period under the new one starts that day. Locks the
     * packs first, so two transfers never move a pack twice. Returns the packs moved.
     */
    List<Pack> transfer(TransferScope scope, String toAgreementId, String actor, java.time.Instant at);

    /** Running packs per type under an agreement now, and packs that came to it by transfer per type. */
    record AgreementPackCounts(java.util.Map<PackType, Long> running, java.util.Map<PackType, Long> transferredIn) {}

    AgreementPackCounts countForAgreement(String agreementId);
}
