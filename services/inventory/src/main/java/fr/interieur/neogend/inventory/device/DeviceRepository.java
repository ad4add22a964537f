package fr.interieur.neogend.inventory.device;

import java.util.List;
import java.util.Optional;

/** Storage of devices (implemented in the persistence package). */
public interface DeviceRepository {

    /** Stores a new device; false when the IMEI is taken already. */
    boolean insert(Device device, String actor);

    /** True when another device of that model has that serial number. */
    boolean serialTaken(String model, String serialNumber);

    Optional<Device> findByImei(String imei);

    /** Devices matching the query, ordered by IMEI, at most {@code query.limit()}. */
    List<Device> find(DeviceQuery query);
}
