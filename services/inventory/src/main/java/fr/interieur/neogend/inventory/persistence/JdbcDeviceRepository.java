package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.DeviceCounts;
import fr.interieur.neogend.inventory.device.DeviceKind;
import fr.interieur.neogend.inventory.device.DeviceOrder;
import fr.interieur.neogend.inventory.device.DeviceQuery;
import fr.interieur.neogend.inventory.device.DeviceRepository;
import fr.interieur.neogend.inventory.device.DeviceState;
import fr.interieur.neogend.inventory.device.EndOfTermReport;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Devices in PostgreSQL (table {@code device}, see db/migration). */
@Repository
class JdbcDeviceRepository implements DeviceRepository {

    private static final String COLUMNS = "d.imei, d.serial_number, d.model, d.kind, d.state, d.pack_type, "
            + "d.unit_code, d.rom_build, d.received_on, d.police_report_reference, d.created_at, d.updated_at, "
            + "d.version, p.id as pack_id, p.holder_agent_id, p.agreement_id, d.repair_id, d.ended_repair_id, "
            + "d.ended_repair_outcome";
    /** The pack a device is in now (a running pack: an ended one is history), joined as {@code p}. */
    private static final String RUNNING_PACK = "pack p on p.device_imei = d.imei and p.lease_end is null";
    /** Devices with the pack they are in now. */
    private static final String FROM = " from device d left join " + RUNNING_PACK;

    private static final RowMapper<Device> ROW = (rs, n) -> new Device(
            rs.getString("imei"),
            rs.getString("serial_number"),
            rs.getString("model"),
            DeviceKind.valueOf(rs.getString("kind")),
            DeviceState.valueOf(rs.getString("state")),
            Optional.ofNullable(rs.getString("pack_type")).map(PackType::valueOf),
            Optional.ofNullable(rs.getString("unit_code")),
            Optional.ofNullable(rs.getString("rom_build")),
            rs.getDate("received_on").toLocalDate(),
            Optional.ofNullable(rs.getString("police_report_reference")),
            Optional.ofNullable(rs.getString("pack_id")),
            Optional.ofNullable(rs.getString("holder_agent_id")),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"),
            Optional.ofNullable(rs.getString("agreement_id")),
            new Device.Repair(
                    Optional.ofNullable(rs.getString("repair_id")),
                    Optional.ofNullable(rs.getString("ended_repair_id")),
                    Optional.ofNullable(rs.getString("ended_repair_outcome"))));
    private static final String INSERT = """
            insert into device (imei, serial_number, model, kind, state, pack_type, unit_code, rom_build, received_on,
                                created_at, updated_at, version, created_by, updated_by)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcDeviceRepository(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public boolean insert(Device d, String actor) {
        return jdbcTemplate.update(INSERT + " on conflict (imei) do nothing", ps -> bind(ps, d, actor)) == 1;
    }

    private static void bind(java.sql.PreparedStatement ps, Device d, String actor) throws java.sql.SQLException {
        ps.setString(1, d.imei());
        ps.setString(2, d.serialNumber());
        ps.setString(3, d.model());
        ps.setString(4, d.kind().name());
        ps.setString(5, d.state().name());
        ps.setString(6, d.packType().map(Enum::name).orElse(null));
        ps.setString(7, d.unitCode().orElse(null));
        ps.setString(8, d.romBuild().orElse(null));
        ps.setDate(9, java.sql.Date.valueOf(d.receivedOn()));
        ps.setTimestamp(10, Timestamp.from(d.createdAt()));
        ps.setTimestamp(11, Timestamp.from(d.updatedAt()));
        ps.setLong(12, d.version());
        ps.setString(13, actor);
        ps.setString(14, actor);
    }

    @Override
    public boolean update(Device d, String actor) {
        return jdbc.sql("""
                        update device set state = ?, unit_code = ?, police_report_reference = ?, updated_at = ?,
                                          updated_by = ?, version = ?, repair_id = ?, ended_repair_id = ?,
                                          ended_repair_outcome = ?
                        where imei = ? and version = ?""")
                        .params(
                                d.state().name(),
                                d.unitCode().orElse(null),
                                d.policeReport().orElse(null),
                                Timestamp.from(d.updatedAt()),
                                actor,
                                d.version(),
                                d.repair().open().orElse(null),
                                d.repair().ended().orElse(null),
                                d.repair().endedOutcome().orElse(null),
                                d.imei(),
                                d.version() - 1)
                        .update()
                == 1;
    }

    @Override
    public Map<String, Device> findByImeis(Collection<String> imeis) {
        Map<String, Device> found = new HashMap<>();
        if (imeis.isEmpty()) {
            return found;
        }
        jdbc.sql("select " + COLUMNS + FROM + " where d.imei = any(?::char(15)[])")
                .param(imeis.toArray(String[]::new))
                .query(ROW)
                .list()
                .forEach(d -> found.put(d.imei(), d));
        return found;
    }

    @Override
    public Map<ModelSerial, String> imeisBySerial(Collection<ModelSerial> serials) {
        Map<ModelSerial, String> found = new HashMap<>();
        if (serials.isEmpty()) {
            return found;
        }
        String[] models = serials.stream().map(ModelSerial::model).toArray(String[]::new);
        String[] numbers = serials.stream().map(ModelSerial::serialNumber).toArray(String[]::new);
        jdbc.sql("""
                        select wanted.model, wanted.serial_number, d.imei
                        from device d
                        join unnest(?::varchar[], ?::varchar[]) as wanted(model, serial_number)
                          on upper(d.model) = upper(wanted.model) and upper(d.serial_number) = wanted.serial_number""")
                .params(models, numbers)
                .query((rs, n) -> {
                    found.put(new ModelSerial(rs.getString(1), rs.getString(2)), rs.getString(3));
                    return null;
                })
                .list();
        return found;
    }

    @Override
    public void insertAll(List<Device> devices, String actor) {
        if (!devices.isEmpty()) {
            jdbcTemplate.batchUpdate(INSERT, devices, 1000, (ps, d) -> bind(ps, d, actor));
        }
    }

    @Override
    public boolean serialTaken(String model, String serialNumber) {
        return jdbc.sql("select exists(select 1 from device where upper(model) = upper(:model)"
                        + " and upper(serial_number) = upper(:serial))")
                .param("model", model)
                .param("serial", serialNumber)
                .query(Boolean.class)
                .single();
    }

    @Override
    public Map<String, java.util.Set<String>> spellingsOf(Collection<String> models) {
        Map<String, java.util.Set<String>> found = new HashMap<>();
        if (models.isEmpty()) {
            return found;
        }
        Map<String, List<String>> asked = new HashMap<>();
        models.forEach(m -> asked.computeIfAbsent(DeviceRepository.caseFolded(m), k -> new ArrayList<>())
                .add(m));
        // the fleet's models, one probe of the (model, serial_number) index per model (a fleet has a few dozen),
        // compared whatever their case in Java
        jdbc.sql("""
                        with recursive m(model) as (
                            (select model from device order by model limit 1)
                            union all
                            select (select d.model from device d where d.model > m.model order by d.model limit 1)
                            from m where m.model is not null)
                        select model from m where model is not null""")
                .query(String.class)
                .list()
                .forEach(model -> asked.getOrDefault(DeviceRepository.caseFolded(model), List.of())
                        .forEach(m -> found.computeIfAbsent(m, k -> new java.util.TreeSet<>())
                                .add(model)));
        return found;
    }

    @Override
    public Optional<Device> findByImei(String imei) {
        return jdbc.sql("select " + COLUMNS + FROM + " where d.imei = ?")
                .param(imei)
                .query(ROW)
                .optional();
    }

    @Override
    public DeviceCounts count(Scope scope) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where true");
        scoped(scope, "", where, args);
        Map<DeviceState, Long> byState = new EnumMap<>(DeviceState.class);
        Map<String, Long> byUnit = new TreeMap<>();
        Map<String, Long> byPackType = new TreeMap<>();
        // one scan, three groupings (PostgreSQL hashes the three sets side by side): the three views
        // are of one snapshot and cost one reading of the fleet, not three
        jdbc.sql("select grouping(state) as not_state, grouping(coalesce(unit_code, '')) as not_unit, state, "
                        + "coalesce(unit_code, '') as unit, coalesce(pack_type, '') as pack_type, count(*) as n "
                        + "from device" + where
                        + " group by grouping sets ((state), (coalesce(unit_code, '')), (coalesce(pack_type, '')))")
                .params(args)
                .query((rs, i) -> {
                    long n = rs.getLong("n");
                    if (rs.getInt("not_state") == 0) {
                        byState.put(DeviceState.valueOf(rs.getString("state")), n);
                    } else if (rs.getInt("not_unit") == 0) {
                        byUnit.put(rs.getString("unit"), n);
                    } else {
                        byPackType.put(rs.getString("pack_type"), n);
                    }
                    return n;
                })
                .list();
        long total = byState.values().stream().mapToLong(Long::longValue).sum();
        return new DeviceCounts(total, byState, byUnit, byPackType);
    }

    @Override
    public List<EndOfTermReport.Row> notReturnedByUnitAndState(Scope scope) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where d.state <> 'RETURNED'");
        scoped(scope, "d.", where, args);
        return jdbc.sql("select coalesce(d.unit_code, '') as unit, coalesce(max(u.name), '') as name, d.state, "
                        + "count(*) as n from device d left join unit u on u.code = d.unit_code" + where
                        + " group by 1, 3 order by 1, 3")
                .params(args)
                .query((rs, i) -> new EndOfTermReport.Row(
                        rs.getString("unit"),
                        rs.getString("name"),
                        DeviceState.valueOf(rs.getString("state")),
                        rs.getLong("n")))
                .list();
    }

    @Override
    public void forEachPlacement(
            Scope scope, boolean includeReturned, int batchSize, java.util.function.Consumer<List<Placement>> batches) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(includeReturned ? " where true" : " where d.state <> 'RETURNED'");
        scoped(scope, "d.", where, args);
        List<Placement> batch = new ArrayList<>(batchSize);
        // read from a cursor inside the caller's read-only transaction: 140,000 devices never sit in memory
        jdbcTemplate.query(
                con -> {
                    var ps = con.prepareStatement(
                            "select d.imei, d.model, d.unit_code, d.state from device d" + where + " order by d.imei");
                    for (int i = 0; i < args.size(); i++) {
                        Object arg = args.get(i);
                        if (arg instanceof String[] codes) {
                            ps.setArray(i + 1, con.createArrayOf("varchar", codes));
                        } else {
                            ps.setObject(i + 1, arg);
                        }
                    }
                    ps.setFetchSize(batchSize);
                    return ps;
                },
                rs -> {
                    batch.add(new Placement(
                            rs.getString(1),
                            rs.getString(2),
                            Optional.ofNullable(rs.getString(3)),
                            DeviceState.valueOf(rs.getString(4))));
                    if (batch.size() == batchSize) {
                        batches.accept(List.copyOf(batch));
                        batch.clear();
                    }
                });
        if (!batch.isEmpty()) {
            batches.accept(List.copyOf(batch));
        }
    }

    /**
     * Devices held by the units of a subtree. The subtree's codes are read first and sent as an
     * array: PostgreSQL then estimates the filter from the codes' own statistics and picks the unit
     * index for a small subtree and a scan in sort order for a large one (a sub-select left it guessing).
     */
    private static final String IN_SUBTREE = "unit_code = any(?::varchar[])";
    /**
     * Devices of an agreement: those whose running pack is leased under it, and those exchanged out of
     * one of its packs while the pack was leased under it (they go back to the supplier under that
     * agreement: rule 12 counts them until they are RETURNED, even once the pack moved to a successor).
     * The exchange's day is its Paris day, as the pack's periods are.
     */
    private static final String UNDER_AGREEMENT = "imei in (select device_imei from pack where agreement_id = ? "
            + "and lease_end is null and device_imei is not null "
            + "union all select h.before ->> 'device_imei' from history h join pack_agreement xp "
            + "on xp.pack_id = h.subject_id and xp.valid_from <= (h.at at time zone 'Europe/Paris')::date "
            + "and (xp.valid_until is null or (h.at at time zone 'Europe/Paris')::date < xp.valid_until) "
            + "where h.subject_type = 'PACK' and h.action = 'EXCHANGE_IN' and xp.agreement_id = ?)";

    private String[] codesUnder(String pathPrefix) { // paths hold no LIKE wildcards (see UnitService.CODE)
        return jdbc.sql("select code from unit where path like ?")
                .param(pathPrefix + "%")
                .query(String.class)
                .list()
                .toArray(String[]::new);
    }

    /** Appends the scope's conditions (on device columns with the given alias prefix). */
    private void scoped(Scope scope, String alias, StringBuilder where, List<Object> args) {
        scope.unitPath().ifPresent(path -> {
            where.append(" and ").append(alias).append(IN_SUBTREE);
            args.add(codesUnder(path));
        });
        scope.agreementId().ifPresent(agreement -> {
            where.append(" and ").append(alias).append(UNDER_AGREEMENT);
            args.add(agreement);
            args.add(agreement);
        });
    }

    @Override
    public List<Device> find(DeviceQuery q) {
        // the page's IMEIs first, from the device columns alone (an index-only scan where an index holds
        // the filter and the order: "assigned in a groupement" reads the ~900 entries of its units in the
        // (unit_code, state, imei) index instead of walking the fleet in IMEI order through 6,300 rows),
        // then the page's rows and their packs
        StringBuilder sql = new StringBuilder("select d.imei"
                + switch (q.order()) {
                    case IMEI -> "";
                    case MODEL -> ", d.model";
                    case UNIT_CODE -> ", coalesce(d.unit_code, '') as unit_key";
                    case UPDATE_TIME_DESC -> ", d.updated_at";
                }
                + (q.holderAgentId().isPresent() ? " from device d join " + RUNNING_PACK : " from device d")
                + " where true");
        List<Object> args = new ArrayList<>();
        q.state().ifPresent(s -> {
            sql.append(" and d.state = ?");
            args.add(s.name());
        });
        q.packType().ifPresent(p -> {
            sql.append(" and d.pack_type = ?");
            args.add(p.name());
        });
        q.unitPath().ifPresent(u -> {
            sql.append(" and d.").append(IN_SUBTREE);
            args.add(codesUnder(u));
        });
        q.model().ifPresent(m -> {
            sql.append(" and d.model = ?");
            args.add(m);
        });
        q.holderAgentId().ifPresent(h -> {
            sql.append(" and p.holder_agent_id = ?");
            args.add(h);
        });
        q.romBuild().ifPresent(r -> {
            sql.append(" and d.rom_build = ?");
            args.add(r);
        });
        if (q.notReturned()) {
            sql.append(" and d.state <> 'RETURNED'");
        }
        q.agreementId()
                .ifPresent(
                        a -> { // the same devices as the end-of-term report counts
                            sql.append(" and d.").append(UNDER_AGREEMENT);
                            args.add(a);
                            args.add(a);
                        });
        q.afterKey().ifPresent(key -> after(q.order(), key, sql, args));
        String orderBy = switch (q.order()) {
            case IMEI -> " order by d.imei";
            case MODEL -> " order by d.model, d.imei";
            case UNIT_CODE -> " order by coalesce(d.unit_code, ''), d.imei";
            case UPDATE_TIME_DESC -> " order by d.updated_at desc, d.imei desc";
        };
        sql.append(orderBy).append(" limit ?");
        args.add(q.limit());
        String page = "select " + COLUMNS + " from (" + sql + ") page join device d on d.imei = page.imei"
                + " left join " + RUNNING_PACK + orderBy;
        return jdbc.sql(page).params(args).query(ROW).list();
    }

    /** The keyset condition "after this cursor" of an order (cursors come from DeviceOrder.keyOf). */
    private static void after(DeviceOrder order, String key, StringBuilder sql, List<Object> args) {
        if (order == DeviceOrder.IMEI) {
            sql.append(" and d.imei > ?");
            args.add(key);
            return;
        }
        int cut = key.lastIndexOf(DeviceOrder.SEPARATOR);
        if (cut < 0) {
            throw InvalidArgumentException.of("page_token", "is not a token of this listing");
        }
        String value = key.substring(0, cut);
        String imei = key.substring(cut + 1);
        if (order == DeviceOrder.MODEL) {
            sql.append(" and (d.model, d.imei) > (?, ?)");
            args.add(value);
        } else if (order == DeviceOrder.UNIT_CODE) {
            sql.append(" and (coalesce(d.unit_code, ''), d.imei) > (?, ?)");
            args.add(value);
        } else {
            long micros;
            try {
                micros = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw InvalidArgumentException.of("page_token", "is not a token of this listing");
            }
            sql.append(" and (d.updated_at, d.imei) < (?, ?)");
            args.add(Timestamp.from(Instant.EPOCH.plus(micros, ChronoUnit.MICROS)));
        }
        args.add(imei);
    }
}
