package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.DeviceKind;
import fr.interieur.neogend.inventory.device.DeviceQuery;
import fr.interieur.neogend.inventory.device.DeviceRepository;
import fr.interieur.neogend.inventory.device.DeviceState;
import fr.interieur.neogend.inventory.device.PackType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
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

    private static final String COLUMNS = "imei, serial_number, model, kind, state, pack_type, unit_code, rom_build, "
            + "created_at, updated_at, version";
    private static final RowMapper<Device> ROW = (rs, n) -> new Device(
            rs.getString("imei"),
            rs.getString("serial_number"),
            rs.getString("model"),
            DeviceKind.valueOf(rs.getString("kind")),
            DeviceState.valueOf(rs.getString("state")),
            Optional.ofNullable(rs.getString("pack_type")).map(PackType::valueOf),
            Optional.ofNullable(rs.getString("unit_code")),
            Optional.ofNullable(rs.getString("rom_build")),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcDeviceRepository(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public boolean insert(Device d, String actor) {
        int rows = jdbc.sql("""
                        insert into device (imei, serial_number, model, kind, state, pack_type, unit_code, rom_build,
                                            created_at, updated_at, version, created_by)
                        values (:imei, :serial, :model, :kind, :state, :packType, :unitCode, :romBuild,
                                :createdAt, :updatedAt, :version, :actor)
                        on conflict (imei) do nothing""")
                .param("imei", d.imei())
                .param("serial", d.serialNumber())
                .param("model", d.model())
                .param("kind", d.kind().name())
                .param("state", d.state().name())
                .param("packType", d.packType().map(Enum::name).orElse(null))
                .param("unitCode", d.unitCode().orElse(null))
                .param("romBuild", d.romBuild().orElse(null))
                .param("createdAt", Timestamp.from(d.createdAt()))
                .param("updatedAt", Timestamp.from(d.updatedAt()))
                .param("version", d.version())
                .param("actor", actor)
                .update();
        return rows == 1;
    }

    @Override
    public Map<String, Device> findByImeis(Collection<String> imeis) {
        Map<String, Device> found = new HashMap<>();
        if (imeis.isEmpty()) {
            return found;
        }
        jdbc.sql("select " + COLUMNS + " from device where imei = any(?::char(15)[])")
                .param(imeis.toArray(String[]::new))
                .query(ROW).list().forEach(d -> found.put(d.imei(), d));
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
                        select d.model, d.serial_number, d.imei
                        from device d
                        join unnest(?::varchar[], ?::varchar[]) as wanted(model, serial_number)
                          on d.model = wanted.model and d.serial_number = wanted.serial_number""")
                .params(models, numbers)
                .query((rs, n) -> {
                    found.put(new ModelSerial(rs.getString(1), rs.getString(2)), rs.getString(3));
                    return null;
                }).list();
        return found;
    }

    @Override
    public void insertAll(List<Device> devices, String actor) {
        if (devices.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate("""
                        insert into device (imei, serial_number, model, kind, state, pack_type, unit_code, rom_build,
                                            created_at, updated_at, version, created_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", devices, 1000, (ps, d) -> {
                    ps.setString(1, d.imei());
                    ps.setString(2, d.serialNumber());
                    ps.setString(3, d.model());
                    ps.setString(4, d.kind().name());
                    ps.setString(5, d.state().name());
                    ps.setString(6, d.packType().map(Enum::name).orElse(null));
                    ps.setString(7, d.unitCode().orElse(null));
                    ps.setString(8, d.romBuild().orElse(null));
                    ps.setTimestamp(9, Timestamp.from(d.createdAt()));
                    ps.setTimestamp(10, Timestamp.from(d.updatedAt()));
                    ps.setLong(11, d.version());
                    ps.setString(12, actor);
                });
    }

    @Override
    public boolean serialTaken(String model, String serialNumber) {
        return jdbc.sql("select exists(select 1 from device where model = :model and serial_number = :serial)")
                .param("model", model).param("serial", serialNumber)
                .query(Boolean.class).single();
    }

    @Override
    public Optional<Device> findByImei(String imei) {
        return jdbc.sql("select " + COLUMNS + " from device where imei = :imei")
                .param("imei", imei).query(ROW).optional();
    }

    @Override
    public Map<DeviceState, Long> countByState(Optional<String> unitSubtree) {
        Map<DeviceState, Long> counts = new EnumMap<>(DeviceState.class);
        grouped("state", unitSubtree).forEach((state, n) -> counts.put(DeviceState.valueOf(state), n));
        return counts;
    }

    @Override
    public Map<String, Long> countByUnit(Optional<String> unitSubtree) {
        return grouped("coalesce(unit_code, '')", unitSubtree);
    }

    private Map<String, Long> grouped(String key, Optional<String> unitSubtree) {
        Map<String, Long> counts = new TreeMap<>();
        List<Object> args = new ArrayList<>();
        String where = "";
        if (unitSubtree.isPresent()) { // unit codes are validated: no LIKE wildcards in them
            where = " where unit_code = ? or unit_code like ?";
            args.add(unitSubtree.get());
            args.add(unitSubtree.get() + "-%");
        }
        jdbc.sql("select " + key + " as k, count(*) as n from device" + where + " group by 1")
                .params(args)
                .query((rs, i) -> counts.put(rs.getString("k"), rs.getLong("n"))).list();
        return counts;
    }

    @Override
    public List<Device> find(DeviceQuery q) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from device where true");
        List<Object> args = new ArrayList<>();
        q.state().ifPresent(s -> {
            sql.append(" and state = ?");
            args.add(s.name());
        });
        q.packType().ifPresent(p -> {
            sql.append(" and pack_type = ?");
            args.add(p.name());
        });
        q.unitSubtree().ifPresent(u -> { // unit codes are validated: no LIKE wildcards in them
            sql.append(" and (unit_code = ? or unit_code like ?)");
            args.add(u);
            args.add(u + "-%");
        });
        q.afterImei().ifPresent(a -> {
            sql.append(" and imei > ?");
            args.add(a);
        });
        sql.append(" order by imei limit ?");
        args.add(q.limit());
        return jdbc.sql(sql.toString()).params(args).query(ROW).list();
    }
}
