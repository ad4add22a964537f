package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.devicestatus.DeviceStatus;
import fr.interieur.neogend.telemetry.devicestatus.DeviceStatusRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

/** DeviceStatus rows in PostgreSQL (table {@code device_status}). */
@Repository
class JdbcDeviceStatusRepository implements DeviceStatusRepository {

    private static final RowMapper<DeviceStatus> ROW = (rs, n) -> new DeviceStatus(
            rs.getString("imei"),
            rs.getInt("battery_percent"),
            rs.getString("security_patch_level"));

    private final JdbcClient jdbc;

    JdbcDeviceStatusRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<DeviceStatus> page(Optional<String> after, int limit) {
        return jdbc.sql("select imei, battery_percent, security_patch_level from device_status where (:after::text is null or imei > :after) "
                        + "order by imei limit :limit")
                .param("after", after.orElse(null))
                .param("limit", limit)
                .query(ROW).list();
    }
}
