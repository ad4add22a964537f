package fr.interieur.neogend.inventory.device;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage of devices (implemented in the persistence package). */
public interface DeviceRepository {

    /** Stores a new device; false when the IMEI is taken already. */
    boolean insert(Device device, String actor);

    /** True when another device of that model has that serial number, whatever the case of either. */
    boolean serialTaken(String model, String serialNumber);

    /**
     * How the fleet writes these models whatever their case: for each model asked (as written) that the fleet
     * holds in any case ({@link #caseFolded}), the spellings registered (one, unless devices were registered under
     * two before they were refused).
     */
    Map<String, java.util.Set<String>> spellingsOf(Collection<String> models);

    /**
     * A model whatever its case, accented letters included ("ROBUSTE ÉTÉ X5" is "Robuste Été X5"), folded here
     * rather than by the database, whose upper() folds ASCII letters only under the C locale.
     */
    static String caseFolded(String model) {
        return model.toUpperCase(java.util.Locale.ROOT).toLowerCase(java.util.Locale.ROOT);
    }

    /** The device with its current pack and holder. */
    Optional<Device> findByImei(String imei);

    /** The devices among these IMEIs that exist, by IMEI. */
    Map<String, Device> findByImeis(Collection<String> imeis);

    /** A model and a serial number, unique together. */
    record ModelSerial(String model, String serialNumber) {}

    /**
     * For each (model, serial number) already registered, the IMEI of its device; the serial numbers asked are
     * upper-case, and models and serial numbers match stored ones of any case (the keys are the ones asked).
     */
    Map<ModelSerial, String> imeisBySerial(Collection<ModelSerial> serials);

    /** Stores new devices in one batch (the caller checked they are new). */
    void insertAll(List<Device> devices, String actor);

    /**
     * Stores a changed device if its stored version is still {@code device.version() - 1} (optimistic
     * locking); false when another change came first.
     */
    boolean update(Device device, String actor);

    /**
     * Which devices a count covers: a unit subtree (a path prefix) and/or the devices whose running
     * pack is leased under an agreement; empty: everything.
     */
    record Scope(Optional<String> unitPath, Optional<String> agreementId) {}

    /**
     * Devices per state, per holding unit code ("" for none) and per pack type name ("" for devices
     * meant for no pack type), within the scope — all three from one reading of the devices, so they
     * add up to the same total.
     */
    DeviceCounts count(Scope scope);

    /** Devices not RETURNED, per unit ("" for central stock, with the unit's name) and state, within the scope. */
    List<EndOfTermReport.Row> notReturnedByUnitAndState(Scope scope);

    /** Where a device is: what the telemetry views need. */
    record Placement(String imei, String model, Optional<String> unitCode, DeviceState state) {}

    /** The devices not yet RETURNED of a scope, ordered by IMEI, in batches read from one cursor. */
    void forEachPlacement(
            Scope scope, boolean includeReturned, int batchSize, java.util.function.Consumer<List<Placement>> batches);

    /** Devices matching the query, in its order, at most {@code query.limit()}. */
    List<Device> find(DeviceQuery query);
}
