package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.fleet.FleetReadings;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The fleet views' reads over {@code device_credential} and {@code device_state} (reads only). */
@Repository
class JdbcFleetReadings implements FleetReadings {

    private final JdbcClient jdbc;

    JdbcFleetReadings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Heard> silent(String[] imeis, int hours) {
        return jdbc.sql("""
                        select c.imei, c.created_at, s.received_at
                        from device_credential c left join device_state s on s.imei = c.imei
                        where c.revoked_at is null and c.imei = any(?::char(15)[])
                          and coalesce(s.received_at, c.created_at) < now() - ? * interval '1 hour'""")
                .params(imeis, hours)
                .query((rs, n) -> new Heard(
                        rs.getString(1),
                        rs.getTimestamp(2).toInstant(),
                        Optional.ofNullable(rs.getTimestamp(3)).map(Timestamp::toInstant)))
                .list();
    }

    @Override
    public Map<Integer, Long> batteryBands(String[] imeis) {
        Map<Integer, Long> bands = new HashMap<>();
        jdbc.sql(
                        "select least(battery_percent / 20, 4) as b, count(*) from device_state where imei = any(?::char(15)[]) "
                                + "group by 1 order by 1")
                .param(imeis)
                .query((rs, n) -> bands.put(rs.getInt(1), rs.getLong(2)))
                .list();
        return bands;
    }

    @Override
    public List<String> lowBattery(String[] imeis, int lowPercent, int limit) {
        return jdbc.sql("select imei from device_state where imei = any(?::char(15)[]) and battery_percent < ? "
                        + "and not charging order by battery_percent, imei limit ?")
                .params(imeis, lowPercent, limit)
                .query(String.class)
                .list();
    }

    @Override
    public long lowBatteryCount(String[] imeis, int lowPercent) {
        return jdbc.sql("select count(*) from device_state where imei = any(?::char(15)[]) and battery_percent < ? "
                        + "and not charging")
                .params(imeis, lowPercent)
                .query(Long.class)
                .single();
    }
}
