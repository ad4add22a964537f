package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.kit.jdbc.CallBoundJdbcTemplate;
import fr.interieur.neogend.telemetry.ingestion.ReadingIn;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Readings in PostgreSQL: a batch is one multi-row insert from arrays sent in binary ({@code unnest}),
 * each key stored once ({@code on conflict do nothing}), with the device's revocation check, the
 * latest state's upsert and whether commands wait for the device in the same statement.
 */
@Repository
class JdbcReadingStore implements ReadingStore {

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    /** The owner of {@code device_command}: acknowledgements and deliveries of an upload go through it. */
    private final JdbcCommandRepository commands;

    /**
     * Whether a batch's arrays go binary (the default) or as text, the encoding before issue 16's
     * change, kept only so that the benchmark measures both side by side in one run.
     */
    private final boolean textArrays;

    private final TransactionTemplate transactions;

    JdbcReadingStore(
            JdbcClient jdbc,
            JdbcTemplate jdbcTemplate,
            JdbcCommandRepository commands,
            PlatformTransactionManager transactionManager,
            @Value("${neogend.telemetry.batch-arrays:binary}") String batchArrays) {
        this.transactions = new TransactionTemplate(transactionManager);
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.commands = commands;
        this.textArrays = switch (batchArrays) {
            case "binary" -> false;
            case "text" -> true;
            default ->
                throw new IllegalArgumentException(
                        "neogend.telemetry.batch-arrays: binary or text, not " + batchArrays);
        };
    }

    @Override
    public boolean revoked(String imei) {
        return jdbc.sql("select exists(select 1 from device_revocation where imei = ?)")
                .param(imei)
                .query(Boolean.class)
                .single();
    }

    @Override
    public Stored store(
            String imei,
            List<ReadingIn> readings,
            ReadingIn newest,
            Optional<ReadingIn> newestPosition,
            Optional<ReadingIn> newestSoftware) {
        int n = readings.size();
        ReadingColumns cols = new ReadingColumns(n);
        for (int i = 0; i < n; i++) {
            cols.set(i, readings.get(i), 1);
        }
        long[] seq = cols.seq;
        short[] battery = cols.battery;
        boolean[] charging = cols.charging;
        Double[] lat = cols.lat;
        Double[] lon = cols.lon;
        Float[] acc = cols.acc;
        String[] network = cols.network;
        Integer[] patch = cols.patch;
        String[] rom = cols.rom;
        String[] kernel = cols.kernel;
        long[] storage = cols.storage;
        String[] agent = cols.agent;
        Timestamp now = Timestamp.from(Instant.now());
        // one statement, one round trip: the device's revocation read, the arrays zipped by unnest, the
        // received time added, duplicates skipped; and, in the same statement, the latest state moved
        // forward — nothing of it when the device is revoked (lost or stolen ones get this far)
        return jdbcTemplate.execute((Connection c) -> {
            try (var ps = c.prepareStatement(textArrays ? STORE_TEXT : STORE)) {
                ps.setString(1, imei);
                ps.setString(2, imei);
                ps.setTimestamp(3, now);
                if (textArrays) {
                    ps.setArray(
                            4,
                            c.createArrayOf(
                                    "timestamptz",
                                    readings.stream()
                                            .map(r -> Timestamp.from(r.recordedAt()))
                                            .toArray()));
                    ps.setArray(
                            5,
                            c.createArrayOf(
                                    "bigint",
                                    java.util.Arrays.stream(seq).boxed().toArray()));
                    Short[] batteries = new Short[n];
                    Boolean[] charges = new Boolean[n];
                    for (int i = 0; i < n; i++) {
                        batteries[i] = battery[i];
                        charges[i] = charging[i];
                    }
                    ps.setArray(6, c.createArrayOf("smallint", batteries));
                    ps.setArray(7, c.createArrayOf("boolean", charges));
                    ps.setArray(8, c.createArrayOf("float8", lat));
                    ps.setArray(9, c.createArrayOf("float8", lon));
                    ps.setArray(10, c.createArrayOf("float4", acc));
                    ps.setArray(11, c.createArrayOf("varchar", network));
                    ps.setArray(
                            12,
                            c.createArrayOf(
                                    "date",
                                    java.util.Arrays.stream(patch)
                                            .map(d -> d == null ? null : Date.valueOf(LocalDate.ofEpochDay(d)))
                                            .toArray()));
                    ps.setArray(13, c.createArrayOf("varchar", rom));
                    ps.setArray(14, c.createArrayOf("varchar", kernel));
                    ps.setArray(
                            15,
                            c.createArrayOf(
                                    "bigint",
                                    java.util.Arrays.stream(storage).boxed().toArray()));
                    ps.setArray(16, c.createArrayOf("varchar", agent));
                } else {
                    ps.setObject(4, cols.at);
                    ps.setObject(5, seq);
                    ps.setObject(6, battery);
                    ps.setObject(7, charging);
                    ps.setObject(8, lat);
                    ps.setObject(9, lon);
                    ps.setObject(10, acc);
                    ps.setObject(11, network);
                    ps.setObject(12, patch);
                    ps.setObject(13, rom);
                    ps.setObject(14, kernel);
                    ps.setObject(15, storage);
                    ps.setObject(16, agent);
                }
                ps.setString(17, imei); // heard of, when every reading was stored before
                ps.setString(18, imei); // the commands waiting
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return new Stored(rs.getBoolean(1), rs.getInt(2), rs.getBoolean(3));
                }
            }
        });
    }

    @Override
    public Status status(String imei) {
        return jdbc.sql("select exists(select 1 from device_revocation where imei = ?), "
                        + "exists(select 1 from device_command where imei = ? and status in ("
                        + JdbcCommandRepository.OPEN + "))")
                .params(imei, imei)
                .query((rs, n) -> new Status(rs.getBoolean(1), rs.getBoolean(2)))
                .single();
    }

    @Override
    public long loggedOffset(String topic, int partition) {
        return jdbc.sql("select next_offset from ingest_offset where topic = ? and partition = ?")
                .params(topic, partition)
                .query(Long.class)
                .optional()
                .orElse(0L);
    }

    @Override
    public boolean storeLogged(String topic, int partition, long from, long to, List<List<Batch>> rounds) {
        Boolean written = transactions.execute(tx -> {
            // the partition's row, locked: a second writer of the partition waits here, then finds it moved
            jdbc.sql(
                            "insert into ingest_offset (topic, partition, next_offset) values (?, ?, 0) on conflict do nothing")
                    .params(topic, partition)
                    .update();
            long next = jdbc.sql("select next_offset from ingest_offset where topic = ? and partition = ? for update")
                    .params(topic, partition)
                    .query(Long.class)
                    .single();
            if (next != from) {
                return false;
            }
            for (List<Batch> round : rounds) {
                List<Stored> stored = storeAll(round);
                for (int i = 0; i < round.size(); i++) {
                    if (stored.get(i).commandsWaiting() && stored.get(i).count() > 0) {
                        commands.confirmUpdates(round.get(i).imei());
                    }
                }
            }
            jdbc.sql("update ingest_offset set next_offset = ? where topic = ? and partition = ?")
                    .params(to, topic, partition)
                    .update();
            return true;
        });
        return Boolean.TRUE.equals(written);
    }

    /**
     * The group's statement serves every device in it, so no one caller's deadline bounds it (the caller who
     * happened to write it may be about to give up while the others wait for their answer).
     */
    @Override
    public List<Stored> storeAll(List<Batch> batches) {
        return CallBoundJdbcTemplate.unbound(() -> storeGroup(batches));
    }

    private List<Stored> storeGroup(List<Batch> batches) {
        int devices = batches.size();
        int n = batches.stream().mapToInt(b -> b.readings().size()).sum();
        // per reading: its device (the index of its batch, from 1) and its fields, binary as in store()
        ReadingColumns r = new ReadingColumns(n);
        // per device: its IMEI (its latest state is moved by the readings the statement stores, not by the
        // batch: a reading sent again with other values is a duplicate and moves nothing)
        String[] imei = new String[devices];
        int i = 0;
        for (int d = 0; d < devices; d++) {
            Batch b = batches.get(d);
            for (ReadingIn reading : b.readings()) {
                r.set(i++, reading, d + 1);
            }
            imei[d] = b.imei();
        }
        Object[] parameters = {
            imei,
            Timestamp.from(Instant.now()),
            r.dev,
            r.at,
            r.seq,
            r.battery,
            r.charging,
            r.lat,
            r.lon,
            r.acc,
            r.network,
            r.patch,
            r.rom,
            r.kernel,
            r.storage,
            r.agent
        };
        return jdbcTemplate.execute((Connection c) -> {
            try (var ps = c.prepareStatement(STORE_ALL)) {
                for (int k = 0; k < parameters.length; k++) {
                    ps.setObject(k + 1, parameters[k]);
                }
                Stored[] stored = new Stored[devices];
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored[rs.getInt(1) - 1] = new Stored(rs.getBoolean(2), rs.getInt(3), rs.getBoolean(4));
                    }
                }
                return List.of(stored);
            }
        });
    }

    /**
     * A batch's readings as columns: primitive and boxed arrays, which the driver sends in PostgreSQL's binary
     * array format (no text to build here nor to parse there); times as microseconds since 1970, dates as
     * days since 1970; {@code dev} the device of each reading (its batch's index from 1, in a group).
     */
    private static final class ReadingColumns {
        final int[] dev;
        final long[] at;
        final long[] seq;
        final short[] battery;
        final boolean[] charging;
        final Double[] lat;
        final Double[] lon;
        final Float[] acc;
        final String[] network;
        final Integer[] patch;
        final String[] rom;
        final String[] kernel;
        final long[] storage;
        final String[] agent;

        ReadingColumns(int n) {
            dev = new int[n];
            at = new long[n];
            seq = new long[n];
            battery = new short[n];
            charging = new boolean[n];
            lat = new Double[n];
            lon = new Double[n];
            acc = new Float[n];
            network = new String[n];
            patch = new Integer[n];
            rom = new String[n];
            kernel = new String[n];
            storage = new long[n];
            agent = new String[n];
        }

        void set(int i, ReadingIn r, int device) {
            dev[i] = device;
            at[i] = micros(r.recordedAt());
            seq[i] = r.sequence();
            battery[i] = (short) r.batteryPercent();
            charging[i] = r.charging();
            lat[i] = r.latitude().orElse(null);
            lon[i] = r.longitude().orElse(null);
            acc[i] = r.accuracyM().orElse(null);
            network[i] = r.network();
            patch[i] = epochDay(r.patchLevel());
            rom[i] = emptyToNull(r.romBuild());
            kernel[i] = emptyToNull(r.kernelVersion());
            storage[i] = r.freeStorageMb();
            agent[i] = emptyToNull(r.agentVersion());
        }
    }

    private static Integer epochDay(String patchLevel) {
        return patchLevel == null || patchLevel.isEmpty()
                ? null
                : (int) LocalDate.parse(patchLevel).toEpochDay();
    }

    /**
     * Microseconds since 1970 as PostgreSQL keeps a time: the nanoseconds rounded half up, as the driver
     * rounds a {@code Timestamp} (so a batch stored before this encoding and sent again has the same key).
     */
    static long micros(Instant t) {
        return Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + (t.getNano() + 500) / 1000;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** The columns of each part of the latest state, each part moved forward by its own newest reading. */
    private static final List<String> MAIN =
            List.of("recorded_at", "sequence", "battery_percent", "charging", "network", "free_storage_mb");

    private static final List<String> POSITION =
            List.of("latitude", "longitude", "accuracy_m", "position_recorded_at", "position_sequence");
    private static final List<String> SOFTWARE = List.of(
            "patch_level", "rom_build", "kernel_version", "agent_version", "software_recorded_at", "software_sequence");
    private static final String NEWER_MAIN =
            "(excluded.recorded_at, excluded.sequence) > (device_state.recorded_at, device_state.sequence)";
    private static final String NEWER_POSITION = newer("position");
    private static final String NEWER_SOFTWARE = newer("software");

    /** The columns a statement's {@code ins} returns of each reading it stored. */
    private static final String RETURNED = "returning imei, recorded_at, sequence, battery_percent, charging, "
            + "latitude, longitude, accuracy_m, network, patch_level, rom_build, kernel_version, free_storage_mb, "
            + "agent_version";

    /**
     * The newest of each part among the readings the statement stored ({@code ins}), per device: {@code m} the
     * newest, {@code p} the newest with a fix, {@code w} the newest that told its software. Never the batch's
     * own readings: one refused as a duplicate (sent again, maybe with other values) moves nothing.
     */
    private static final String NEWEST_STORED = """
            m as (select distinct on (imei) * from ins order by imei, recorded_at desc, sequence desc),
            p as (select distinct on (imei) * from ins where latitude is not null
                  order by imei, recorded_at desc, sequence desc),
            w as (select distinct on (imei) * from ins where patch_level is not null or rom_build is not null
                  order by imei, recorded_at desc, sequence desc),""";

    /** The latest states moved forward by {@link #NEWEST_STORED}, each part by its own newest, in IMEI order. */
    private static final String UPSERT_LATEST = """
            latest as (
              insert into device_state (imei, received_at, %s, %s, %s)
              select m.imei, now(), m.recorded_at, m.sequence, m.battery_percent, m.charging, m.network,
                     m.free_storage_mb, p.latitude, p.longitude, p.accuracy_m, p.recorded_at, p.sequence,
                     w.patch_level, w.rom_build, w.kernel_version, w.agent_version, w.recorded_at, w.sequence
              from m left join p on p.imei = m.imei left join w on w.imei = m.imei
              order by m.imei
              on conflict (imei) do update set received_at = greatest(excluded.received_at, device_state.received_at),
                %s, %s, %s)""".formatted(
                    String.join(", ", MAIN),
                    String.join(", ", POSITION),
                    String.join(", ", SOFTWARE),
                    assign(MAIN, NEWER_MAIN),
                    assign(POSITION, NEWER_POSITION),
                    assign(SOFTWARE, NEWER_SOFTWARE));

    /**
     * The group's statement ({@link #storeAll}): the devices (one row each), their revocations, the readings of
     * all (each with its device's index), the latest states moved by the readings stored (in the order of the
     * devices: two statements at once lock their rows in the same order) or, for a device whose readings were
     * all stored before, only heard of; and per device whether it is revoked, how many readings were new and
     * whether commands wait for it.
     */
    private static final String STORE_ALL =
            """
            with d as (select * from unnest(?::varchar[]) with ordinality as d(imei, idx)),
            rev as (select d.idx, d.imei::char(15) as imei,
                           exists(select 1 from device_revocation r where r.imei = d.imei::char(15)) as revoked
                    from d),
            ins as (
              insert into reading (imei, recorded_at, sequence, received_at, battery_percent, charging, latitude,
                                   longitude, accuracy_m, network, patch_level, rom_build, kernel_version,
                                   free_storage_mb, agent_version)
              select rev.imei, timestamptz 'epoch' + u.at * interval '1 microsecond', u.sequence, ?::timestamptz,
                     u.battery, u.charging, u.lat, u.lon, u.acc, u.network, date '1970-01-01' + u.patch, u.rom,
                     u.kernel, u.storage, u.agent
              from unnest(?::int4[], ?::int8[], ?::int8[], ?::int2[], ?::bool[], ?::float8[], ?::float8[],
                          ?::float4[], ?::varchar[], ?::int4[], ?::varchar[], ?::varchar[], ?::int8[], ?::varchar[])
                   as u(dev, at, sequence, battery, charging, lat, lon, acc, network, patch, rom, kernel, storage,
                        agent)
              join rev on rev.idx = u.dev
              where not rev.revoked
              on conflict do nothing %s),
            counts as (select imei, count(*) as n from ins group by imei),
            %s
            %s,
            heard as (
              update device_state s set received_at = greatest(s.received_at, now())
              from rev where s.imei = rev.imei and not rev.revoked
                and not exists (select 1 from ins where ins.imei = rev.imei))
            select rev.idx, rev.revoked, coalesce(counts.n, 0),
                   exists(select 1 from device_command c where c.imei = rev.imei and c.status in (%s))
            from rev left join counts on counts.imei = rev.imei""".formatted(RETURNED, NEWEST_STORED, UPSERT_LATEST, JdbcCommandRepository.OPEN);

    /**
     * The batch's statement: the revocation, the readings (binary: times sent as microseconds since 1970,
     * dates as days since 1970, turned back into PostgreSQL's own types here) and the latest state; it
     * answers whether the device is revoked and how many readings were new.
     */
    private static final String STORE = store(
            "timestamptz 'epoch' + u.at * interval '1 microsecond'",
            "date '1970-01-01' + u.patch",
            "int8[], ?::int8[], ?::int2[], ?::bool[], ?::float8[], ?::float8[], "
                    + "?::float4[], ?::varchar[], ?::int4[], ?::varchar[], ?::varchar[], ?::int8[], ?::varchar[]");
    /** The same with the arrays as text (times and dates in their text form): the encoding before. */
    private static final String STORE_TEXT = store(
            "u.at",
            "u.patch",
            "timestamptz[], ?::bigint[], ?::smallint[], "
                    + "?::boolean[], ?::float8[], ?::float8[], ?::float4[], ?::varchar[], ?::date[], ?::varchar[], "
                    + "?::varchar[], ?::bigint[], ?::varchar[]");

    private static String store(String recordedAt, String patchLevel, String arrayTypes) {
        return "with revoked as (select exists(select 1 from device_revocation where imei = ?) as revoked), "
                + "ins as (" + """
                insert into reading (imei, recorded_at, sequence, received_at, battery_percent, charging, latitude,
                                     longitude, accuracy_m, network, patch_level, rom_build, kernel_version,
                                     free_storage_mb, agent_version)
                select ?::char(15), %s, u.sequence, ?::timestamptz, u.battery, u.charging, u.lat, u.lon, u.acc,
                       u.network, %s, u.rom, u.kernel, u.storage, u.agent
                from unnest(?::%s)
                     as u(at, sequence, battery, charging, lat, lon, acc, network, patch, rom, kernel, storage, agent)
                where not (select revoked from revoked)
                on conflict do nothing %s""".formatted(recordedAt, patchLevel, arrayTypes, RETURNED)
                + "), " + NEWEST_STORED + UPSERT_LATEST
                // the device's readings were all stored before (a batch sent again): heard of all the same
                + ", heard as (update device_state set received_at = greatest(received_at, now()) "
                + "where imei = ?::char(15) and not (select revoked from revoked) and not exists (select 1 from ins)) "
                + "select (select revoked from revoked), (select count(*) from ins), "
                + "exists(select 1 from device_command where imei = ? and status in ("
                + JdbcCommandRepository.OPEN + "))";
    }

    private static String newer(String part) {
        return ("excluded.%1$s_recorded_at is not null and (device_state.%1$s_recorded_at is null or "
                        + "(excluded.%1$s_recorded_at, excluded.%1$s_sequence) > "
                        + "(device_state.%1$s_recorded_at, device_state.%1$s_sequence))")
                .formatted(part);
    }

    private static String assign(List<String> columns, String condition) {
        return String.join(
                ",\n    ",
                columns.stream()
                        .map(c -> "%1$s = case when %2$s then excluded.%1$s else device_state.%1$s end"
                                .formatted(c, condition))
                        .toList());
    }

    @Override
    public int forgetBefore(Instant limit) {
        // the partition astride the limit (and the default one): to the second
        jdbc.sql("delete from reading where recorded_at < ?")
                .param(Timestamp.from(limit))
                .update();
        // the latest states too: a position older than the period disappears everywhere (rule 20)
        return jdbc.sql("""
                        update device_state set latitude = null, longitude = null, accuracy_m = null,
                                                position_recorded_at = null, position_sequence = null
                        where position_recorded_at < ?""").param(Timestamp.from(limit)).update();
    }

    @Override
    public void acknowledge(String imei, Collection<Long> ids) {
        commands.acknowledge(imei, ids);
    }

    @Override
    public void report(String imei, long commandId, Upload.Outcome outcome, String reason) {
        commands.report(imei, commandId, outcome, reason);
    }

    @Override
    public void confirmUpdates(String imei) {
        commands.confirmUpdates(imei);
    }

    @Override
    public List<Upload.Command> deliverPending(String imei, int parisMinute) {
        return commands.deliverPending(imei, parisMinute);
    }
}
