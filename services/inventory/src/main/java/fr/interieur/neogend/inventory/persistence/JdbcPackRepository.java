package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.Pack;
import fr.interieur.neogend.inventory.device.PackRepository;
import fr.interieur.neogend.inventory.device.PackType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Packs in PostgreSQL (table {@code pack}). */
@Repository
class JdbcPackRepository implements PackRepository {

    static final String COLUMNS = "id, type, device_imei, unit_code, holder_agent_id, accessories, held, lease_start, "
            + "lease_end, created_at, updated_at, version";
    static final RowMapper<Pack> ROW = (rs, n) -> new Pack(
            rs.getString("id"),
            PackType.valueOf(rs.getString("type")),
            Optional.ofNullable(rs.getString("device_imei")),
            Optional.ofNullable(rs.getString("unit_code")),
            Optional.ofNullable(rs.getString("holder_agent_id")),
            strings(rs.getArray("accessories")),
            rs.getBoolean("held"),
            rs.getDate("lease_start").toLocalDate(),
            Optional.ofNullable(rs.getDate("lease_end")).map(Date::toLocalDate),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcPackRepository(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    @Override
    public List<Pack> createAll(List<NewPack> newPacks) {
        if (newPacks.isEmpty()) {
            return List.of();
        }
        List<Long> numbers = jdbc.sql("select nextval('pack_number') from generate_series(1, ?)")
                .param(newPacks.size()).query(Long.class).list();
        List<Pack> created = new ArrayList<>(newPacks.size());
        for (int i = 0; i < newPacks.size(); i++) {
            NewPack p = newPacks.get(i);
            created.add(new Pack(String.format("PK-%07d", numbers.get(i)), p.type(), Optional.of(p.deviceImei()),
                    p.unitCode(), Optional.empty(), List.of(), false, p.leaseStart(), Optional.empty(), p.at(),
                    p.at(), 0));
        }
        jdbcTemplate.batchUpdate("""
                insert into pack (id, type, device_imei, unit_code, lease_start, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?)""", created, 1000, (ps, p) -> {
            ps.setString(1, p.id());
            ps.setString(2, p.type().name());
            ps.setString(3, p.deviceImei().orElseThrow());
            ps.setString(4, p.unitCode().orElse(null));
            ps.setDate(5, Date.valueOf(p.leaseStart()));
            ps.setTimestamp(6, Timestamp.from(p.createdAt()));
            ps.setTimestamp(7, Timestamp.from(p.updatedAt()));
        });
        return created;
    }

    @Override
    public Optional<Pack> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from pack where id = ?").param(id).query(ROW).optional();
    }

    @Override
    public Optional<Pack> findByDevice(String imei) {
        return jdbc.sql("select " + COLUMNS + " from pack where device_imei = ?").param(imei).query(ROW).optional();
    }

    @Override
    public boolean update(Pack p) {
        return jdbc.sql("""
                        update pack set device_imei = ?, unit_code = ?, holder_agent_id = ?, accessories = ?,
                                        held = ?, lease_end = ?, updated_at = ?, version = ?
                        where id = ? and version = ?""")
                .params(p.deviceImei().orElse(null), p.unitCode().orElse(null), p.holderAgentId().orElse(null),
                        p.accessories().toArray(String[]::new), p.held(),
                        p.leaseEnd().map(Date::valueOf).orElse(null), Timestamp.from(p.updatedAt()), p.version(),
                        p.id(), p.version() - 1)
                .update() == 1;
    }
}
