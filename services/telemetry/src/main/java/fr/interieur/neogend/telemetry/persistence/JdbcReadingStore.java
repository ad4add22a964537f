package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Readings in PostgreSQL: a batch is one multi-row insert from arrays ({@code unnest}), each key
 * stored once ({@code on conflict do nothing}), with the latest state's upsert in the same statement.
 */
@Repository
class JdbcReadingStore implements ReadingStore {

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcReadingStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public boolean revoked(String imei) {
        return jdbc.sql("select exists(select 1 from device_revocation where imei = ?)").param(imei)
                .query(Boolean.class).single();
    }

    @Override
    public int store(String imei, List<ReadingIn> readings, ReadingIn newest, Optional<ReadingIn> newestPosition,
                     Optional<ReadingIn> newestSoftware) {
        int n = readings.size();
        Timestamp[] at = new Timestamp[n];
        Long[] seq = new Long[n];
        Short[] battery = new Short[n];
        Boolean[] charging = new Boolean[n];
        Double[] lat = new Double[n];
        Double[] lon = new Double[n];
        Float[] acc = new Float[n];
        String[] network = new String[n];
        Date[] patch = new Date[n];
        String[] rom = new String[n];
        String[] kernel = new String[n];
        Long[] storage = new Long[n];
        String[] agent = new String[n];
        for (int i = 0; i < n; i++) {
            ReadingIn r = readings.get(i);
            at[i] = Timestamp.from(r.recordedAt());
            seq[i] = r.sequence();
            battery[i] = (short) r.batteryPercent();
            charging[i] = r.charging();
            lat[i] = r.latitude().orElse(null);
            lon[i] = r.longitude().orElse(null);
            acc[i] = r.accuracyM().orElse(null);
            network[i] = r.network();
            patch[i] = r.patchLevel().isEmpty() ? null : Date.valueOf(LocalDate.parse(r.patchLevel()));
            rom[i] = emptyToNull(r.romBuild());
            kernel[i] = emptyToNull(r.kernelVersion());
            storage[i] = r.freeStorageMb();
            agent[i] = emptyToNull(r.agentVersion());
        }
        Timestamp now = Timestamp.from(Instant.now());
        // one statement, one round trip: the arrays zipped by unnest, the received time added, duplicates
        // skipped; and, in the same statement, the latest state moved forward
        return jdbcTemplate.execute((Connection c) -> {
            try (var ps = c.prepareStatement("with ins as (" + """
                    insert into reading (imei, recorded_at, sequence, received_at, battery_percent, charging, latitude,
                                         longitude, accuracy_m, network, patch_level, rom_build, kernel_version,
                                         free_storage_mb, agent_version)
                    select ?, r.* from (select u.recorded_at, u.sequence, ?::timestamptz, u.battery, u.charging, u.lat,
                                               u.lon, u.acc, u.network, u.patch, u.rom, u.kernel, u.storage, u.agent
                                        from unnest(?::timestamptz[], ?::bigint[], ?::smallint[], ?::boolean[],
                                                    ?::float8[], ?::float8[], ?::float4[], ?::varchar[], ?::date[],
                                                    ?::varchar[], ?::varchar[], ?::bigint[], ?::varchar[])
                                             as u(recorded_at, sequence, battery, charging, lat, lon, acc, network,
                                                  patch, rom, kernel, storage, agent)) r
                    on conflict do nothing returning 1""" + "), latest as (" + UPSERT_LATEST + ") select count(*) from ins")) {
                ps.setString(1, imei);
                ps.setTimestamp(2, now);
                ps.setArray(3, array(c, "timestamptz", at));
                ps.setArray(4, array(c, "bigint", seq));
                ps.setArray(5, array(c, "smallint", battery));
                ps.setArray(6, array(c, "boolean", charging));
                ps.setArray(7, array(c, "float8", lat));
                ps.setArray(8, array(c, "float8", lon));
                ps.setArray(9, array(c, "float4", acc));
                ps.setArray(10, array(c, "varchar", network));
                ps.setArray(11, array(c, "date", patch));
                ps.setArray(12, array(c, "varchar", rom));
                ps.setArray(13, array(c, "varchar", kernel));
                ps.setArray(14, array(c, "bigint", storage));
                ps.setArray(15, array(c, "varchar", agent));
                Object[] latest = latestParameters(imei, newest, newestPosition.orElse(null),
                        newestSoftware.orElse(null));
                for (int i = 0; i < latest.length; i++) {
                    ps.setObject(16 + i, latest[i]);
                }
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** The columns of each part of the latest state, each part moved forward by its own newest reading. */
    private static final List<String> MAIN = List.of("recorded_at", "sequence", "battery_percent", "charging", "network",
            "free_storage_mb");
    private static final List<String> POSITION = List.of("latitude", "longitude", "accuracy_m", "position_recorded_at",
            "position_sequence");
    private static final List<String> SOFTWARE = List.of("patch_level", "rom_build", "kernel_version", "agent_version",
            "software_recorded_at", "software_sequence");
    private static final String NEWER_MAIN =
            "(excluded.recorded_at, excluded.sequence) > (device_state.recorded_at, device_state.sequence)";
    private static final String NEWER_POSITION = newer("position");
    private static final String NEWER_SOFTWARE = newer("software");
    private static final String UPSERT_LATEST = """
            insert into device_state (imei, received_at, %s, %s, %s)
            values (?, now(), ?::timestamptz, ?::bigint, ?::smallint, ?::boolean, ?, ?::bigint, ?::float8, ?::float8,
                    ?::float4, ?::timestamptz, ?::bigint, ?::date, ?, ?, ?, ?::timestamptz, ?::bigint)
            on conflict (imei) do update set received_at = greatest(excluded.received_at, device_state.received_at),
                %s, %s, %s""".formatted(String.join(", ", MAIN), String.join(", ", POSITION),
            String.join(", ", SOFTWARE), assign(MAIN, NEWER_MAIN), assign(POSITION, NEWER_POSITION),
            assign(SOFTWARE, NEWER_SOFTWARE));

    private static String newer(String part) {
        return ("excluded.%1$s_recorded_at is not null and (device_state.%1$s_recorded_at is null or "
                + "(excluded.%1$s_recorded_at, excluded.%1$s_sequence) > "
                + "(device_state.%1$s_recorded_at, device_state.%1$s_sequence))").formatted(part);
    }

    private static String assign(List<String> columns, String condition) {
        return String.join(",\n    ", columns.stream().map(c -> "%1$s = case when %2$s then excluded.%1$s else device_state.%1$s end"
                .formatted(c, condition)).toList());
    }

    /** The parameters of {@link #UPSERT_LATEST}, in order. */
    private static Object[] latestParameters(String imei, ReadingIn newest, ReadingIn p, ReadingIn w) {
        return new Object[] {imei, Timestamp.from(newest.recordedAt()), newest.sequence(),
                (short) newest.batteryPercent(), newest.charging(), newest.network(), newest.freeStorageMb(),
                p == null ? null : p.latitude().orElseThrow(), p == null ? null : p.longitude().orElseThrow(),
                p == null ? null : p.accuracyM().orElse(null),
                p == null ? null : Timestamp.from(p.recordedAt()), p == null ? null : p.sequence(),
                w == null || w.patchLevel().isEmpty() ? null : Date.valueOf(LocalDate.parse(w.patchLevel())),
                w == null ? null : emptyToNull(w.romBuild()), w == null ? null : emptyToNull(w.kernelVersion()),
                w == null ? null : emptyToNull(w.agentVersion()),
                w == null ? null : Timestamp.from(w.recordedAt()), w == null ? null : w.sequence()};
    }

    @Override
    public void acknowledge(String imei, Collection<Long> ids) {
        jdbc.sql("update device_command set status = 'ACKNOWLEDGED', acknowledged_at = now() "
                        + "where imei = ? and id = any(?::bigint[]) and status <> 'ACKNOWLEDGED'")
                .params(imei, ids.toArray(Long[]::new)).update();
    }

    @Override
    public List<Upload.Command> deliverPending(String imei) {
        // a revoked device (only a lost or stolen one gets this far) is handed its LOCK and WIPE, nothing else
        String only = " and (command in ('LOCK', 'WIPE') or not exists (select 1 from device_revocation r "
                + "where r.imei = device_command.imei))";
        // one round trip: the queued ones marked delivered, and with them those delivered before
        // (the select sees the table as it was before the update: the two parts never overlap)
        return jdbc.sql("with marked as (update device_command set status = 'DELIVERED', delivered_at = now() "
                        + "where imei = ? and status = 'QUEUED'" + only + " returning id, command, status, queued_at) "
                        + "select id, command, status, queued_at from device_command "
                        + "where imei = ? and status = 'DELIVERED'" + only
                        + " union all select * from marked order by id")
                .params(imei, imei)
                .query((rs, n) -> new Upload.Command(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .list();
    }
}
