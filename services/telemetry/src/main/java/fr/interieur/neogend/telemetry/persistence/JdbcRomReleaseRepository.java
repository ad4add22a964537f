package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.rom.RomReleaseRepository;
import fr.interieur.neogend.telemetry.rom.RomService.PatchTimeline;
import fr.interieur.neogend.telemetry.rom.RomService.Release;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ROM releases in PostgreSQL (table {@code rom_release}: its only writer); compliance's reads of latest states. */
@Repository
class JdbcRomReleaseRepository implements RomReleaseRepository {

    private static final RowMapper<Release> ROW = (rs, n) -> new Release(
            rs.getString("id"),
            rs.getString("supplier_id"),
            rs.getString("model"),
            rs.getString("build_fingerprint"),
            rs.getDate("patch_level").toLocalDate(),
            rs.getString("kernel_source_sha256"),
            rs.getString("kernel_config"),
            rs.getDate("bulletin_date").toLocalDate(),
            rs.getTimestamp("published_at").toInstant(),
            rs.getTimestamp("approved_at") != null,
            Optional.ofNullable(rs.getString("ota_url")),
            Optional.ofNullable(rs.getString("ota_sha256")));

    private final JdbcClient jdbc;

    JdbcRomReleaseRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String nextId() {
        return String.format(
                "ROM-%06d",
                jdbc.sql("select nextval('rom_release_number')")
                        .query(Long.class)
                        .single());
    }

    @Override
    public boolean insert(
            String id,
            String supplierId,
            String model,
            String buildFingerprint,
            LocalDate patchLevel,
            String kernelSourceSha256,
            String kernelConfig,
            LocalDate bulletinDate,
            Optional<String> otaUrl,
            Optional<String> otaSha256) {
        return jdbc.sql("""
                        insert into rom_release (id, supplier_id, model, build_fingerprint, patch_level,
                                                 kernel_source_sha256, kernel_config, bulletin_date, published_at,
                                                 ota_url, ota_sha256)
                        values (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)
                        on conflict (supplier_id, build_fingerprint) do nothing""")
                        .params(
                                id,
                                supplierId,
                                model,
                                buildFingerprint,
                                Date.valueOf(patchLevel),
                                kernelSourceSha256,
                                kernelConfig,
                                Date.valueOf(bulletinDate),
                                otaUrl.orElse(null),
                                otaSha256.orElse(null))
                        .update()
                == 1;
    }

    @Override
    public Optional<String> otherCaseOf(String model) {
        // folded here, accented letters included: the database's upper() folds ASCII only under the C locale
        String folded = model.toUpperCase(java.util.Locale.ROOT).toLowerCase(java.util.Locale.ROOT);
        jdbc.sql("select pg_advisory_xact_lock(hashtext('rom_release model ' || ?))")
                .param(folded)
                .query((rs, n) -> 1)
                .list();
        return jdbc.sql("select distinct model from rom_release order by model").query(String.class).list().stream()
                .filter(m -> !m.equals(model)
                        && m.toUpperCase(java.util.Locale.ROOT)
                                .toLowerCase(java.util.Locale.ROOT)
                                .equals(folded))
                .findFirst();
    }

    @Override
    public Optional<String> reportedBuild(String imei) {
        return jdbc.sql("select rom_build from device_state where imei = ? and rom_build is not null")
                .param(imei)
                .query(String.class)
                .optional();
    }

    @Override
    public Optional<Release> find(String id) {
        return jdbc.sql("select * from rom_release where id = ?")
                .param(id)
                .query(ROW)
                .optional();
    }

    @Override
    public Optional<Release> findToSend(String id) {
        // for share: an approval's update of this row (ending its approval) waits for us, or we for it
        return jdbc.sql("select * from rom_release where id = ? for share")
                .param(id)
                .query(ROW)
                .optional();
    }

    @Override
    public List<Release> list(Optional<String> model, Optional<String> supplierId) {
        StringBuilder sql = new StringBuilder("select * from rom_release where true");
        List<Object> args = new ArrayList<>();
        model.ifPresent(m -> {
            sql.append(" and model = ?");
            args.add(m);
        });
        supplierId.ifPresent(s -> {
            sql.append(" and supplier_id = ?");
            args.add(s);
        });
        sql.append(" order by published_at desc, id desc limit 500");
        return jdbc.sql(sql.toString()).params(args).query(ROW).list();
    }

    @Override
    public void approve(String id, String model, String approvedBy) {
        jdbc.sql(
                        "update rom_release set approved_at = null, approved_by = null where model = ? and approved_at is not null")
                .param(model)
                .update();
        // first_approved_at is kept when a newer release ends this approval: the patch SLA reads it
        jdbc.sql("update rom_release set approved_at = now(), approved_by = ?, "
                        + "first_approved_at = coalesce(first_approved_at, now()) where id = ?")
                .params(approvedBy, id)
                .update();
    }

    @Override
    public Map<String, LocalDate> approvedLevels() {
        Map<String, LocalDate> approved = new HashMap<>();
        jdbc.sql("select model, patch_level from rom_release where approved_at is not null")
                .query((rs, n) -> approved.put(rs.getString(1), rs.getDate(2).toLocalDate()))
                .list();
        return approved;
    }

    @Override
    public Map<String, Integer> approvedSupplierDelays() {
        Map<String, Integer> delays = new HashMap<>();
        jdbc.sql("select model, (published_at at time zone 'Europe/Paris')::date - bulletin_date from rom_release "
                        + "where approved_at is not null")
                .query((rs, n) -> delays.put(rs.getString(1), rs.getInt(2)))
                .list();
        return delays;
    }

    @Override
    public Map<String, Optional<LocalDate>> reportedPatchLevels(String[] imeis) {
        Map<String, Optional<LocalDate>> levels = new HashMap<>();
        jdbc.sql("select imei, patch_level from device_state where imei = any(?::char(15)[])")
                .param(imeis)
                .query((rs, n) -> levels.put(
                        rs.getString(1), Optional.ofNullable(rs.getDate(2)).map(Date::toLocalDate)))
                .list();
        return levels;
    }

    @Override
    public long unknownBuildDevices(String[] imeis) {
        return jdbc.sql("select count(*) from device_state s where s.imei = any(?::char(15)[]) and not exists "
                        + "(select 1 from rom_release r where r.build_fingerprint = s.rom_build)")
                .param(imeis)
                .query(Long.class)
                .single();
    }

    @Override
    public List<PatchTimeline> timelines(Optional<String> supplierId, Instant from, Instant before, int percent) {
        // per release: the distinct devices its campaigns targeted, each one's first confirmation of it;
        // the fleet is confirmed when the ceil(percent × targeted / 100)-th confirmation came
        String sql = "with r as (select * from rom_release where published_at >= ? and published_at < ?"
                + (supplierId.isPresent() ? " and supplier_id = ?" : "")
                + " order by published_at, id limit 5000),"
                + " t as (select distinct c.release_id, d.imei from campaign_device d"
                + "       join update_campaign c on c.id = d.campaign_id join r on r.id = c.release_id),"
                + " f as (select t.release_id, (select min(k.confirmed_at) from device_command k where k.imei = t.imei"
                + "       and k.release_id = t.release_id and k.status = 'CONFIRMED') as at from t),"
                + " n as (select release_id, count(*) as targeted, count(at) as confirmed from f group by release_id),"
                + " o as (select release_id, at, row_number() over (partition by release_id order by at) as rank"
                + "       from f where at is not null)"
                + " select r.*, coalesce(n.targeted, 0) as targeted, coalesce(n.confirmed, 0) as confirmed,"
                + " (select o.at from o where o.release_id = r.id and o.rank = (n.targeted * ? + 99) / 100) as fleet_at"
                + " from r left join n on n.release_id = r.id order by r.published_at, r.id";
        List<Object> args = new ArrayList<>(List.of(java.sql.Timestamp.from(from), java.sql.Timestamp.from(before)));
        supplierId.ifPresent(args::add);
        args.add(percent);
        return jdbc.sql(sql)
                .params(args)
                .query((rs, n) -> new PatchTimeline(
                        rs.getString("id"),
                        rs.getString("supplier_id"),
                        rs.getString("model"),
                        rs.getString("build_fingerprint"),
                        rs.getDate("patch_level").toLocalDate(),
                        rs.getDate("bulletin_date").toLocalDate(),
                        rs.getTimestamp("published_at").toInstant(),
                        Optional.ofNullable(rs.getTimestamp("first_approved_at"))
                                .map(java.sql.Timestamp::toInstant),
                        rs.getLong("targeted"),
                        rs.getLong("confirmed"),
                        Optional.ofNullable(rs.getTimestamp("fleet_at")).map(java.sql.Timestamp::toInstant)))
                .list();
    }
}
