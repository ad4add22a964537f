package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.queries.PositionQueries;
import fr.interieur.neogend.telemetry.queries.PositionQueries.Access;
import fr.interieur.neogend.telemetry.queries.PositionQueries.AccessFilter;
import fr.interieur.neogend.telemetry.queries.PositionQueries.State;
import fr.interieur.neogend.telemetry.queries.PositionRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Latest states and readings read, and the position-access audit written (tables {@code position_access},
 * {@code position_access_device}: their only writer).
 */
@Repository
class JdbcPositionRepository implements PositionRepository {

    static final RowMapper<State> STATE = (rs, n) -> new State(
            rs.getString("imei"),
            rs.getTimestamp("recorded_at").toInstant(),
            rs.getLong("sequence"),
            rs.getTimestamp("received_at").toInstant(),
            rs.getInt("battery_percent"),
            rs.getBoolean("charging"),
            Optional.ofNullable((Double) rs.getObject("latitude")),
            Optional.ofNullable((Double) rs.getObject("longitude")),
            Optional.ofNullable(rs.getObject("accuracy_m")).map(o -> ((Number) o).floatValue()),
            rs.getString("network"),
            Optional.ofNullable(rs.getDate("patch_level")).map(Object::toString),
            Optional.ofNullable(rs.getString("rom_build")),
            Optional.ofNullable(rs.getString("kernel_version")),
            rs.getLong("free_storage_mb"),
            Optional.ofNullable(rs.getString("agent_version")),
            Optional.ofNullable(rs.getTimestamp("position_recorded_at")).map(Timestamp::toInstant),
            Optional.ofNullable(rs.getTimestamp("software_recorded_at")).map(Timestamp::toInstant));

    /** A stored reading is a state of its own time: its position and software were measured then. */
    private static final String READING_COLUMNS = "*, case when latitude is not null then recorded_at end "
            + "as position_recorded_at, case when patch_level is not null or rom_build is not null then recorded_at end "
            + "as software_recorded_at";

    private final JdbcClient jdbc;

    JdbcPositionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<State> stateAudited(String imei, String actor, Instant oldestKept) {
        return jdbc.sql("""
                        with s as (select * from device_state where imei = ?),
                        a as (insert into position_access (actor, at, kind, imei, result_count)
                              select ?, now(), 'DEVICE_STATE', s.imei,
                                     case when s.latitude is not null and s.position_recorded_at >= ? then 1 else 0 end
                              from s returning id, imei, result_count),
                        d as (insert into position_access_device (access_id, imei)
                              select a.id, a.imei from a where a.result_count > 0)
                        select * from s""")
                .params(imei, actor, Timestamp.from(oldestKept))
                .query(STATE)
                .optional();
    }

    @Override
    public List<State> readings(String imei, Instant from, int limit) {
        return jdbc.sql("""
                        select %s from reading where imei = ? and recorded_at >= ?
                        order by recorded_at desc, sequence desc limit ?""".formatted(READING_COLUMNS))
                .params(imei, Timestamp.from(from), limit)
                .query(STATE)
                .list();
    }

    @Override
    public List<State> near(
            double latitude,
            double longitude,
            double radiusM,
            double earthRadiusM,
            double minLatitude,
            double maxLatitude,
            double minLongitude,
            double maxLongitude,
            int maxAgeMinutes,
            Instant oldestKept) {
        // a bounding box on the index, then the great-circle distance
        return jdbc.sql("""
                        select * from (
                          select s.*, 2 * ? * asin(sqrt(power(sin(radians(s.latitude - ?) / 2), 2)
                                 + cos(radians(?)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ?) / 2), 2)))
                                 as distance_m
                          from device_state s
                          where s.latitude between ? and ? and s.longitude between ? and ?
                            and s.position_recorded_at > now() - ? * interval '1 minute'
                            and s.position_recorded_at >= ?) d
                        where d.distance_m <= ? order by d.distance_m limit 500""")
                .params(
                        earthRadiusM,
                        latitude,
                        latitude,
                        longitude,
                        minLatitude,
                        maxLatitude,
                        minLongitude,
                        maxLongitude,
                        maxAgeMinutes,
                        Timestamp.from(oldestKept),
                        radiusM)
                .query(STATE)
                .list();
    }

    @Override
    public List<State> recentPositions(String[] imeis, int maxAgeMinutes, Instant oldestKept) {
        return jdbc.sql("""
                        select * from device_state where imei = any(?::char(15)[]) and latitude is not null
                          and position_recorded_at > now() - ? * interval '1 minute' and position_recorded_at >= ?
                        order by imei""")
                .params(imeis, maxAgeMinutes, Timestamp.from(oldestKept))
                .query(STATE)
                .list();
    }

    @Override
    public List<Access> accesses(
            AccessFilter filter, Optional<PositionQueries.AuditReach> reach, Optional<Long> beforeId, int limit) {
        StringBuilder sql = new StringBuilder("select a.* from position_access a where true");
        List<Object> args = new ArrayList<>();
        reach.ifPresent(r -> {
            sql.append(" and (a.imei = any(?::char(15)[]) or a.unit_code = any(?::varchar[]) or exists (select 1 "
                    + "from position_access_device d where d.access_id = a.id and d.imei = any(?::char(15)[])))");
            args.add(r.imeis());
            args.add(r.unitCodes());
            args.add(r.imeis());
        });
        filter.actor().ifPresent(v -> {
            sql.append(" and a.actor = ?");
            args.add(v);
        });
        filter.imei().ifPresent(v -> {
            sql.append(" and (a.imei = ? or exists (select 1 from position_access_device d where d.access_id = a.id "
                    + "and d.imei = ?))");
            args.add(v);
            args.add(v);
        });
        filter.unitCode().ifPresent(v -> {
            sql.append(" and a.unit_code = ?");
            args.add(v);
        });
        filter.from().ifPresent(v -> {
            sql.append(" and a.at >= ?");
            args.add(Timestamp.from(v));
        });
        filter.to().ifPresent(v -> {
            sql.append(" and a.at < ?");
            args.add(Timestamp.from(v));
        });
        beforeId.ifPresent(v -> {
            sql.append(" and a.id < ?");
            args.add(v);
        });
        sql.append(" order by a.id desc limit ?");
        args.add(limit);
        List<Access> rows = jdbc.sql(sql.toString())
                .params(args)
                .query((rs, n) -> new Access(
                        rs.getLong("id"),
                        rs.getString("actor"),
                        rs.getTimestamp("at").toInstant(),
                        PositionQueries.ReadKind.valueOf(rs.getString("kind")),
                        Optional.ofNullable((Double) rs.getObject("latitude")),
                        Optional.ofNullable((Double) rs.getObject("longitude")),
                        Optional.ofNullable((Double) rs.getObject("radius_m")),
                        Optional.ofNullable(rs.getString("imei")),
                        rs.getInt("result_count"),
                        Optional.ofNullable(rs.getString("unit_code")),
                        List.of()))
                .list();
        // the devices of the page's entries (within the reach, if any), in one query, with their count
        Map<Long, List<String>> devices = new HashMap<>();
        Map<Long, Integer> counts = new HashMap<>();
        jdbc.sql("""
                        select access_id, imei, total from (select access_id, imei,
                               row_number() over (partition by access_id order by imei) as n,
                               count(*) over (partition by access_id) as total
                               from position_access_device where access_id = any(?::bigint[])
                                 and (? or imei = any(?::char(15)[]))) d
                        where n <= 1000 order by access_id, imei""")
                .params(
                        rows.stream().map(Access::id).toArray(Long[]::new),
                        reach.isEmpty(),
                        reach.map(PositionQueries.AuditReach::imeis).orElse(new String[0]))
                .query((rs, n) -> {
                    counts.put(rs.getLong(1), rs.getInt(3));
                    return devices.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(rs.getString(2));
                })
                .list();
        return rows.stream()
                .map(a -> new Access(
                        a.id(),
                        a.actor(),
                        a.at(),
                        a.kind(),
                        a.latitude(),
                        a.longitude(),
                        a.radiusM(),
                        a.imei(),
                        // limited to a reach: how many of its devices the read returned
                        reach.isEmpty() ? a.resultCount() : counts.getOrDefault(a.id(), 0),
                        a.unitCode(),
                        devices.getOrDefault(a.id(), List.of())))
                .toList();
    }

    @Override
    public void audit(
            String actor,
            PositionQueries.ReadKind kind,
            Double latitude,
            Double longitude,
            Double radiusM,
            String imei,
            String unitCode,
            List<String> devices) {
        // one statement, one round trip: the entry and its devices
        jdbc.sql("""
                        with a as (insert into position_access (actor, at, kind, latitude, longitude, radius_m, imei,
                                                                unit_code, result_count)
                                   values (?, now(), ?, ?, ?, ?, ?, ?, ?) returning id)
                        insert into position_access_device (access_id, imei)
                        select a.id, d.imei from a, unnest(?::char(15)[]) as d(imei) where true on conflict do nothing""")
                .params(
                        actor,
                        kind.name(),
                        latitude,
                        longitude,
                        radiusM,
                        imei,
                        unitCode,
                        devices.size(),
                        devices.stream().distinct().toArray(String[]::new))
                .update();
    }
}
