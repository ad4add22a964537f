package fr.interieur.neogend.telemetry.queries;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads of device states and positions (DOMAIN rules 19–20). Every read that returns a position is
 * written to the access audit in the same transaction as the read: who, when, which area or device,
 * how many positions.
 */
@Service
public class PositionQueries {

    private static final double METRES_PER_DEGREE = 111_320.0;
    private static final double EARTH_RADIUS_M = 6_371_000.0;

    private final JdbcClient jdbc;
    private final InventoryDevices inventory;

    private final Duration retention;

    public PositionQueries(JdbcClient jdbc, InventoryDevices inventory,
                           @org.springframework.beans.factory.annotation.Value("${neogend.telemetry.retention:30d}")
                           Duration retention) {
        this.jdbc = jdbc;
        this.inventory = inventory;
        this.retention = retention;
    }

    /** The state without a position taken before the retention period (the hourly clean-up may lag). */
    private static State withinRetention(State s, Instant oldestKept) {
        if (s.positionRecordedAt().filter(t -> t.isBefore(oldestKept)).isEmpty()) {
            return s;
        }
        return new State(s.imei(), s.recordedAt(), s.sequence(), s.receivedAt(), s.batteryPercent(), s.charging(),
                Optional.empty(), Optional.empty(), Optional.empty(), s.network(), s.patchLevel(), s.romBuild(),
                s.kernelVersion(), s.freeStorageMb(), s.agentVersion(), Optional.empty(), s.softwareRecordedAt());
    }

    /** A latest state as stored. */
    public record State(String imei, Instant recordedAt, long sequence, Instant receivedAt, int batteryPercent,
                        boolean charging, Optional<Double> latitude, Optional<Double> longitude,
                        Optional<Float> accuracyM, String network, Optional<String> patchLevel,
                        Optional<String> romBuild, Optional<String> kernelVersion, long freeStorageMb,
                        Optional<String> agentVersion, Optional<Instant> positionRecordedAt,
                        Optional<Instant> softwareRecordedAt) {
    }

    /** An entry of the access audit. */
    public record Access(long id, String actor, Instant at, String kind, Optional<Double> latitude,
                         Optional<Double> longitude, Optional<Double> radiusM, Optional<String> imei,
                         int resultCount, Optional<String> unitCode, List<String> deviceImeis) {
    }

    static final RowMapper<State> STATE = (rs, n) -> new State(rs.getString("imei"),
            rs.getTimestamp("recorded_at").toInstant(), rs.getLong("sequence"),
            rs.getTimestamp("received_at").toInstant(), rs.getInt("battery_percent"), rs.getBoolean("charging"),
            Optional.ofNullable((Double) rs.getObject("latitude")), Optional.ofNullable((Double) rs.getObject("longitude")),
            Optional.ofNullable(rs.getObject("accuracy_m")).map(o -> ((Number) o).floatValue()), rs.getString("network"),
            Optional.ofNullable(rs.getDate("patch_level")).map(Object::toString),
            Optional.ofNullable(rs.getString("rom_build")), Optional.ofNullable(rs.getString("kernel_version")),
            rs.getLong("free_storage_mb"), Optional.ofNullable(rs.getString("agent_version")),
            Optional.ofNullable(rs.getTimestamp("position_recorded_at")).map(Timestamp::toInstant),
            Optional.ofNullable(rs.getTimestamp("software_recorded_at")).map(Timestamp::toInstant));

    /** A stored reading is a state of its own time: its position and software were measured then. */
    private static final String READING_COLUMNS = "*, case when latitude is not null then recorded_at end "
            + "as position_recorded_at, case when patch_level is not null or rom_build is not null then recorded_at end "
            + "as software_recorded_at";

    /**
     * The latest state of a device the caller may see, audited. A caller limited to a unit subtree
     * is checked with inventory (which knows the units); a fleet manager sees every device.
     */
    @Transactional
    public State state(String imei, Caller caller) {
        requireVisible(imei, caller);
        Instant oldestKept = Instant.now().minus(retention);
        // one statement: the state read and its audit entry written, naming the device when its position
        // is returned (within the retention); nothing written when the device has no state
        State state = jdbc.sql("""
                        with s as (select * from device_state where imei = ?),
                        a as (insert into position_access (actor, at, kind, imei, result_count)
                              select ?, now(), 'DEVICE_STATE', s.imei,
                                     case when s.latitude is not null and s.position_recorded_at >= ? then 1 else 0 end
                              from s returning id, imei, result_count),
                        d as (insert into position_access_device (access_id, imei)
                              select a.id, a.imei from a where a.result_count > 0)
                        select * from s""")
                .params(imei, caller.username(), Timestamp.from(oldestKept)).query(STATE).optional()
                .map(s -> withinRetention(s, oldestKept))
                .orElseThrow(() -> new NotFoundException("device " + imei + " has sent no reading yet"));
        return state;
    }

    /** A device's readings since a time, newest first, audited. */
    @Transactional
    public List<State> readings(String imei, Optional<Instant> since, int pageSize, Caller caller) {
        requireVisible(imei, caller);
        int limit = pageSize <= 0 ? 100 : Math.min(pageSize, 1000);
        Instant from = since.orElse(Instant.now().minus(Duration.ofHours(24)));
        Instant oldestKept = Instant.now().minus(retention);
        if (from.isBefore(oldestKept)) { // readings older than the period are deleted, whatever is asked
            from = oldestKept;
        }
        List<State> readings = jdbc.sql("""
                        select %s from reading where imei = ? and recorded_at >= ?
                        order by recorded_at desc, sequence desc limit ?""".formatted(READING_COLUMNS))
                .params(imei, Timestamp.from(from), limit).query(STATE).list();
        audit(caller, "DEVICE_READINGS", null, null, null, imei, null,
                readings.stream().anyMatch(r -> r.latitude().isPresent()) ? List.of(imei) : List.of());
        return readings;
    }

    /** Latest positions within a radius, nearest first (at most 500), audited. */
    @Transactional
    public List<State> near(double latitude, double longitude, double radiusM, int maxAgeMinutes, Caller caller) {
        if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
            throw InvalidArgumentException.of("latitude", "latitude must be -90 to 90 and longitude -180 to 180");
        }
        if (!(radiusM >= 1 && radiusM <= 50_000)) {
            throw InvalidArgumentException.of("radius_m", "must be 1 to 50,000 metres");
        }
        int age = maxAgeMinutes <= 0 ? 60 : Math.min(maxAgeMinutes, 7 * 24 * 60);
        double dLat = radiusM / METRES_PER_DEGREE;
        double dLon = radiusM / (METRES_PER_DEGREE * Math.max(0.01, Math.cos(Math.toRadians(latitude))));
        // a bounding box on the index, then the great-circle distance
        List<State> found = jdbc.sql("""
                        select * from (
                          select s.*, 2 * ? * asin(sqrt(power(sin(radians(s.latitude - ?) / 2), 2)
                                 + cos(radians(?)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ?) / 2), 2)))
                                 as distance_m
                          from device_state s
                          where s.latitude between ? and ? and s.longitude between ? and ?
                            and s.position_recorded_at > now() - ? * interval '1 minute') d
                        where d.distance_m <= ? order by d.distance_m limit 500""")
                .params(EARTH_RADIUS_M, latitude, latitude, longitude, latitude - dLat, latitude + dLat,
                        longitude - dLon, longitude + dLon, age, radiusM)
                .query(STATE).list();
        audit(caller, "RADIUS", latitude, longitude, radiusM, null, null, found.stream().map(State::imei).toList());
        return found;
    }

    /** Latest recent positions of a unit subtree's devices, for a map (audited). */
    public record UnitMap(List<State> states, int devicesInUnit) {
    }

    @Transactional
    public UnitMap unitPositions(String unitCode, int maxAgeMinutes, Caller caller) {
        List<InventoryDevices.Placed> devices = inventory.subtree(unitCode);
        int age = maxAgeMinutes <= 0 ? 60 : Math.min(maxAgeMinutes, 7 * 24 * 60);
        List<State> states = jdbc.sql("""
                        select * from device_state where imei = any(?::char(15)[]) and latitude is not null
                          and position_recorded_at > now() - ? * interval '1 minute' order by imei""")
                .params(devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new), age)
                .query(STATE).list();
        audit(caller, "UNIT_MAP", null, null, null, null, unitCode, states.stream().map(State::imei).toList());
        return new UnitMap(states, devices.size());
    }

    /** What an auditor filters the audit on; empty values match everything. */
    public record AccessFilter(Optional<String> actor, Optional<String> imei, Optional<String> unitCode,
                               Optional<Instant> from, Optional<Instant> to) {

        String key() {
            return actor.orElse("") + "|" + imei.orElse("") + "|" + unitCode.orElse("") + "|"
                    + from.map(Instant::toString).orElse("") + "|" + to.map(Instant::toString).orElse("");
        }
    }

    /** A page of the audit, newest first, filtered by who, which device, which unit and when. */
    @Transactional(readOnly = true)
    public fr.interieur.neogend.kit.paging.Page<Access> accesses(AccessFilter filter, int pageSize, String pageToken) {
        filter.imei().ifPresent(i -> {
            String problem = fr.interieur.neogend.kit.validation.Imei.problem(i);
            if (problem != null) {
                throw InvalidArgumentException.of("imei", problem);
            }
        });
        if (filter.from().isPresent() && filter.to().isPresent() && !filter.from().get().isBefore(filter.to().get())) {
            throw InvalidArgumentException.of("to_time", "must be after from_time");
        }
        var page = fr.interieur.neogend.kit.paging.PageRequest.of(pageSize <= 0 ? 100 : pageSize, pageToken,
                filter.key());
        StringBuilder sql = new StringBuilder("select a.* from position_access a where true");
        List<Object> args = new java.util.ArrayList<>();
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
        if (page.afterKey().isPresent()) {
            try {
                args.add(Long.parseLong(page.afterKey().get()));
            } catch (NumberFormatException e) {
                throw InvalidArgumentException.of("page_token", "is not a token of this listing");
            }
            sql.append(" and a.id < ?");
        }
        sql.append(" order by a.id desc limit ?");
        args.add(page.fetchSize());
        List<Access> rows = jdbc.sql(sql.toString()).params(args)
                .query((rs, n) -> new Access(rs.getLong("id"), rs.getString("actor"), rs.getTimestamp("at").toInstant(),
                        rs.getString("kind"), Optional.ofNullable((Double) rs.getObject("latitude")),
                        Optional.ofNullable((Double) rs.getObject("longitude")),
                        Optional.ofNullable((Double) rs.getObject("radius_m")), Optional.ofNullable(rs.getString("imei")),
                        rs.getInt("result_count"), Optional.ofNullable(rs.getString("unit_code")), List.of()))
                .list();
        // the devices of the page's entries, in one query
        java.util.Map<Long, List<String>> devices = new java.util.HashMap<>();
        jdbc.sql("""
                        select access_id, imei from (select access_id, imei,
                               row_number() over (partition by access_id order by imei) as n
                               from position_access_device where access_id = any(?::bigint[])) d
                        where n <= 1000 order by access_id, imei""")
                .param(rows.stream().map(Access::id).toArray(Long[]::new))
                .query((rs, n) -> devices.computeIfAbsent(rs.getLong(1), k -> new java.util.ArrayList<>())
                        .add(rs.getString(2))).list();
        List<Access> withDevices = rows.stream().map(a -> new Access(a.id(), a.actor(), a.at(), a.kind(), a.latitude(),
                a.longitude(), a.radiusM(), a.imei(), a.resultCount(), a.unitCode(),
                devices.getOrDefault(a.id(), List.of()))).toList();
        return page.toPage(withDevices, a -> Long.toString(a.id()), filter.key());
    }

    /** Writes the audit entry of a read, with the devices whose position it returned. */
    private void audit(Caller caller, String kind, Double lat, Double lon, Double radius, String imei, String unitCode,
                       List<String> devices) {
        // one statement, one round trip: the entry and its devices
        jdbc.sql("""
                        with a as (insert into position_access (actor, at, kind, latitude, longitude, radius_m, imei,
                                                                unit_code, result_count)
                                   values (?, now(), ?, ?, ?, ?, ?, ?, ?) returning id)
                        insert into position_access_device (access_id, imei)
                        select a.id, d.imei from a, unnest(?::char(15)[]) as d(imei) where true on conflict do nothing""")
                .params(caller.username(), kind, lat, lon, radius, imei, unitCode, devices.size(),
                        devices.stream().distinct().toArray(String[]::new))
                .update();
    }

    private void requireVisible(String imei, Caller caller) {
        if (caller.restrictedToUnit()) {
            inventory.requireVisible(imei);
            return;
        }
        String problem = fr.interieur.neogend.kit.validation.Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
    }
}
