package fr.interieur.neogend.inventory.device;

import java.util.List;
import java.util.Optional;

/** Storage of packs (implemented in the persistence package). */
public interface PackRepository {

    /** Creates packs for newly received devices, giving them ids; returns them in the same order. */
    List<Pack> createAll(List<NewPack> packs);

    /** A pack to create around a received device. */
    record NewPack(PackType type, String deviceImei, Optional<String> unitCode, java.time.LocalDate leaseStart,
                   java.time.Instant at) {
    }

    Optional<Pack> find(String id);

    /** The pack a device is in now (ended or not), if any. */
    Optional<Pack> findByDevice(String imei);

    /** Stores a changed pack if its version is still {@code pack.version() - 1}; false otherwise. */
    boolean update(Pack pack);
}
