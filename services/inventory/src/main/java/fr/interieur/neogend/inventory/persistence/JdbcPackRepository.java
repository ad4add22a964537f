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
            + "lease_end, created_at, updated_at, version, agreement_id";
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
            rs.getLong("version"),
            Optional.ofNullable(rs.getString("agreement_id")));

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
    public java.util.Map<String, java.util.Set<String>> agreementsOf(java.util.Collection<String> packIds) {
        java.util.Map<String, java.util.Set<String>> out = new java.util.HashMap<>();
        if (!packIds.isEmpty()) {
            jdbc.sql("select pack_id, agreement_id from pack_agreement where pack_id = any(?::varchar[])")
                    .param(packIds.toArray(String[]::new))
                    .query((rs, n) -> out.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>())
                            .add(rs.getString(2)))
                    .list();
        }
        return out;
    }

    @Override
    public List<Pack> createAll(List<NewPack> newPacks) {
        if (newPacks.isEmpty()) {
            return List.of();
        }
        List<Long> numbers = jdbc.sql("select nextval('pack_number') from generate_series(1, ?)")
                .param(newPacks.size())
                .query(Long.class)
                .list();
        List<Pack> created = new ArrayList<>(newPacks.size());
        for (int i = 0; i < newPacks.size(); i++) {
            NewPack p = newPacks.get(i);
            created.add(new Pack(
                    String.format("PK-%07d", numbers.get(i)),
                    p.type(),
                    Optional.of(p.deviceImei()),
                    p.unitCode(),
                    Optional.empty(),
                    List.of(),
                    false,
                    p.leaseStart(),
                    Optional.empty(),
                    p.at(),
                    p.at(),
                    0,
                    Optional.of(p.agreementId())));
        }
        jdbcTemplate.batchUpdate("""
                insert into pack (id, type, device_imei, unit_code, lease_start, created_at, updated_at, agreement_id)
                values (?, ?, ?, ?, ?, ?, ?, ?)""", created, 1000, (ps, p) -> {
            ps.setString(1, p.id());
            ps.setString(2, p.type().name());
            ps.setString(3, p.deviceImei().orElseThrow());
            ps.setString(4, p.unitCode().orElse(null));
            ps.setDate(5, Date.valueOf(p.leaseStart()));
            ps.setTimestamp(6, Timestamp.from(p.createdAt()));
            ps.setTimestamp(7, Timestamp.from(p.updatedAt()));
            ps.setString(8, p.agreementId().orElseThrow());
        });
        String actor = newPacks.get(0).actor();
        jdbcTemplate.batchUpdate("""
                insert into pack_agreement (pack_id, agreement_id, valid_from, recorded_at, recorded_by)
                values (?, ?, ?, ?, ?)""", created, 1000, (ps, p) -> {
            ps.setString(1, p.id());
            ps.setString(2, p.agreementId().orElseThrow());
            ps.setDate(3, Date.valueOf(p.leaseStart()));
            ps.setTimestamp(4, Timestamp.from(p.createdAt()));
            ps.setString(5, actor);
        });
        return created;
    }

    @Override
    public List<Pack> transfer(TransferScope scope, String toAgreementId, String actor, java.time.Instant at) {
        // the packs in scope: every period of the agreement still running on the date or starting after
        // it (a pack received under the ending agreement after the date bills to the successor too)
        StringBuilder where =
                new StringBuilder(" where a.agreement_id = ? and (a.valid_until is null or a.valid_until > ?)"
                        + " and (p.lease_end is null or p.lease_end > ?)");
        Date day = Date.valueOf(scope.date());
        List<Object> args = new ArrayList<>(List.of(scope.fromAgreementId(), day, day));
        scope.type().ifPresent(t -> {
            where.append(" and p.type = ?");
            args.add(t.name());
        });
        scope.unitPathPrefix().ifPresent(prefix -> {
            where.append(" and p.unit_code in (select code from unit where path like ?)");
            args.add(prefix + "%");
        });
        // lock the packs (in id order: concurrent transfers wait for each other, never deadlock); the
        // statements below then see exactly these periods
        List<String> locked = jdbc.sql("select x.id from pack x where x.id in (select p.id from pack p "
                        + "join pack_agreement a on a.pack_id = p.id" + where + ") order by x.id for update")
                .params(args)
                .query(String.class)
                .list();
        if (locked.isEmpty()) {
            return List.of();
        }
        // a transfer of the same packs that held their locks has committed by now, and the statement above
        // rechecked only the pack rows, not their periods: read again which of them are still in scope (a new
        // statement sees what it committed), so packs it moved are neither moved nor counted nor recorded twice
        List<Object> lockedArgs = new ArrayList<>(args);
        lockedArgs.add(locked.toArray(String[]::new));
        List<String> ids = jdbc.sql("select distinct p.id from pack p join pack_agreement a on a.pack_id = p.id" + where
                        + " and p.id = any(?) order by p.id")
                .params(lockedArgs)
                .query(String.class)
                .list();
        if (ids.isEmpty()) {
            return List.of();
        }
        Timestamp when = Timestamp.from(at);
        String[] idArray = ids.toArray(String[]::new);
        // set-based, whatever the number of packs (the whole fleet is one call)
        String scoped = " a.agreement_id = ? and (a.valid_until is null or a.valid_until > ?)"
                + " and a.pack_id in (select p.id from pack p where p.id = any(?) and (p.lease_end is null or p.lease_end > ?))";
        // periods starting on the date or later change hands whole
        jdbc.sql(
                        "update pack_agreement a set agreement_id = ?, recorded_at = ?, recorded_by = ? where a.valid_from >= ? and"
                                + scoped)
                .params(toAgreementId, when, actor, day, scope.fromAgreementId(), day, idArray, day)
                .update();
        // periods running on the date: the successor's starts that day, the old one ends the day before
        jdbc.sql("""
                        insert into pack_agreement (pack_id, agreement_id, valid_from, valid_until, recorded_at, recorded_by)
                        select a.pack_id, ?, ?, a.valid_until, ?, ? from pack_agreement a where a.valid_from < ? and""" + scoped)
                .params(toAgreementId, day, when, actor, day, scope.fromAgreementId(), day, idArray, day)
                .update();
        jdbc.sql("update pack_agreement a set valid_until = ? where a.valid_from < ? and" + scoped)
                .params(day, day, scope.fromAgreementId(), day, idArray, day)
                .update();
        // the agreement a pack is leased under now (that of its open period): the moved packs whose open
        // period was the ending agreement's (pack.agreement_id mirrors it; no per-row look-up of the
        // periods, which PostgreSQL planned as a nested loop over 70,000 packs)
        jdbc.sql("update pack set agreement_id = ?, updated_at = ?, version = version + 1 "
                        + "where id = any(?) and agreement_id = ?")
                .params(toAgreementId, when, idArray, scope.fromAgreementId())
                .update();
        return jdbc.sql("select " + COLUMNS + " from pack where id = any(?) order by id")
                .param(idArray)
                .query(ROW)
                .list();
    }

    @Override
    public AgreementPackCounts countForAgreement(String agreementId) {
        java.util.Map<PackType, Long> running = new java.util.EnumMap<>(PackType.class);
        jdbc.sql("select type, count(*) from pack where agreement_id = ? and lease_end is null group by type")
                .param(agreementId)
                .query((rs, n) -> running.put(PackType.valueOf(rs.getString(1)), rs.getLong(2)))
                .list();
        java.util.Map<PackType, Long> transferred = new java.util.EnumMap<>(PackType.class);
        jdbc.sql("""
                        select p.type, count(distinct p.id) from pack_agreement a join pack p on p.id = a.pack_id
                        where a.agreement_id = ?
                          and exists (select 1 from pack_agreement b where b.pack_id = a.pack_id
                                      and b.valid_until = a.valid_from and b.agreement_id <> a.agreement_id)
                        group by p.type""")
                .param(agreementId)
                .query((rs, n) -> transferred.put(PackType.valueOf(rs.getString(1)), rs.getLong(2)))
                .list();
        return new AgreementPackCounts(running, transferred);
    }

    @Override
    public Optional<Pack> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from pack where id = ?")
                .param(id)
                .query(ROW)
                .optional();
    }

    @Override
    public Optional<Pack> findByDevice(String imei) {
        return jdbc.sql("select " + COLUMNS + " from pack where device_imei = ?")
                .param(imei)
                .query(ROW)
                .optional();
    }

    @Override
    public boolean update(Pack p) {
        return jdbc.sql("""
                        update pack set device_imei = ?, unit_code = ?, holder_agent_id = ?, accessories = ?,
                                        held = ?, lease_end = ?, updated_at = ?, version = ?
                        where id = ? and version = ?""")
                        .params(
                                p.deviceImei().orElse(null),
                                p.unitCode().orElse(null),
                                p.holderAgentId().orElse(null),
                                p.accessories().toArray(String[]::new),
                                p.held(),
                                p.leaseEnd().map(Date::valueOf).orElse(null),
                                Timestamp.from(p.updatedAt()),
                                p.version(),
                                p.id(),
                                p.version() - 1)
                        .update()
                == 1;
    }
}
