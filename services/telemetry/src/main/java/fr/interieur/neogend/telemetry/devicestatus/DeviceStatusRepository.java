package fr.interieur.neogend.telemetry.devicestatus;

import java.util.List;
import java.util.Optional;

/** Storage of device statuses (implemented in the persistence package). */
public interface DeviceStatusRepository {

    /** At most {@code limit} rows ordered by imei, after {@code after} when given. */
    List<DeviceStatus> page(Optional<String> after, int limit);
}
