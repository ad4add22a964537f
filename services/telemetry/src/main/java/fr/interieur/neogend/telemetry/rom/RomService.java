package fr.interieur.neogend.telemetry.rom;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Date;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ROM releases (the supplier publishes them with the hash of the kernel sources it handed over and
 * the kernel config; a fleet manager approves one per model) and patch compliance (DOMAIN rule 19):
 * a device whose security patch level is below the approved release of its model is non-compliant.
 * A device's model is that of the release whose build fingerprint it reports.
 */
@Service
public class RomService {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final int MAX_CONFIG = 256 * 1024;

    private final JdbcClient jdbc;

    public RomService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A release as stored. */
    public record Release(String id, String supplierId, String model, String buildFingerprint, LocalDate patchLevel,
                          String kernelSourceSha256, String kernelConfig, LocalDate bulletinDate, Instant publishedAt,
                          boolean approved) {
    }

    /** Compliance of one model. */
    public record ModelCompliance(String model, LocalDate approvedPatchLevel, long devices, long nonCompliant,
                                  int maxGapDays, int averageGapDays, int supplierDelayDays) {
    }

    private static final RowMapper<Release> ROW = (rs, n) -> new Release(rs.getString("id"), rs.getString("supplier_id"),
            rs.getString("model"), rs.getString("build_fingerprint"), rs.getDate("patch_level").toLocalDate(),
            rs.getString("kernel_source_sha256"), rs.getString("kernel_config"),
            rs.getDate("bulletin_date").toLocalDate(), rs.getTimestamp("published_at").toInstant(),
            rs.getTimestamp("approved_at") != null);

    @Transactional
    public Release publish(String model, String fingerprint, String patchLevel, String sha256, String config,
                           String bulletinDate, Caller caller) {
        String supplier = caller.supplierId().orElseThrow(() ->
                new AccessDeniedException("only a supplier client with a supplier_id publishes releases"));
        Validation v = new Validation();
        v.check(model != null && TEXT.matcher(model).matches() && model.length() <= 100, "release.model",
                "is required: 1 to 100 characters");
        v.check(fingerprint != null && TEXT.matcher(fingerprint).matches(), "release.build_fingerprint",
                "is required: 1 to 200 characters");
        LocalDate patch = date(patchLevel, "release.security_patch_level", v);
        LocalDate bulletin = date(bulletinDate, "release.bulletin_date", v);
        v.check(sha256 != null && SHA256.matcher(sha256).matches(), "release.kernel_source_sha256",
                "must be 64 lower-case hex digits");
        v.check(config != null && !config.isBlank() && config.length() <= MAX_CONFIG, "release.kernel_config",
                "is required: the kernel .config, at most 256 KiB");
        v.throwIfInvalid();
        String id = String.format("ROM-%06d", jdbc.sql("select nextval('rom_release_number')").query(Long.class).single());
        int rows = jdbc.sql("""
                        insert into rom_release (id, supplier_id, model, build_fingerprint, patch_level,
                                                 kernel_source_sha256, kernel_config, bulletin_date, published_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, now())
                        on conflict (supplier_id, build_fingerprint) do nothing""")
                .params(id, supplier, model.trim(), fingerprint.trim(), Date.valueOf(patch), sha256, config,
                        Date.valueOf(bulletin))
                .update();
        if (rows == 0) { // only ever the caller's own release: another supplier's fingerprint is no conflict
            throw new AlreadyExistsException("you published a release with this build fingerprint already");
        }
        return find(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<Release> list(Optional<String> model, Caller caller) {
        StringBuilder sql = new StringBuilder("select * from rom_release where true");
        List<Object> args = new ArrayList<>();
        model.ifPresent(m -> {
            sql.append(" and model = ?");
            args.add(m);
        });
        if (caller.hasRole(Caller.SUPPLIER)) {
            sql.append(" and supplier_id = ?");
            args.add(caller.supplierId().orElse("\u0000"));
        }
        sql.append(" order by published_at desc, id desc limit 500");
        return jdbc.sql(sql.toString()).params(args).query(ROW).list();
    }

    /** Approves a release for its model; the model's previous approval ends in the same transaction. */
    @Transactional
    public Release approve(String id, Caller caller) {
        Release r = find(id == null ? "" : id).orElseThrow(() -> new NotFoundException("no ROM release " + id));
        jdbc.sql("update rom_release set approved_at = null, approved_by = null where model = ? and approved_at is not null")
                .param(r.model()).update();
        jdbc.sql("update rom_release set approved_at = now(), approved_by = ? where id = ?")
                .params(caller.username(), id).update();
        return find(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<ModelCompliance> compliance() {
        return jdbc.sql("""
                        with approved as (select model, patch_level, bulletin_date, published_at from rom_release
                                          where approved_at is not null),
                             dev as (select s.imei, s.patch_level, r.model from device_state s
                                     join (select distinct on (build_fingerprint) build_fingerprint, model
                                           from rom_release order by build_fingerprint, published_at) r
                                       on r.build_fingerprint = s.rom_build)
                        select a.model, a.patch_level, count(d.imei) as devices,
                               count(d.imei) filter (where d.patch_level is null or d.patch_level < a.patch_level)
                                   as non_compliant,
                               coalesce(max(a.patch_level - d.patch_level)
                                        filter (where d.patch_level < a.patch_level), 0) as max_gap,
                               coalesce(round(avg(a.patch_level - d.patch_level)
                                        filter (where d.patch_level < a.patch_level)), 0) as avg_gap,
                               (a.published_at at time zone 'UTC')::date - a.bulletin_date as delay
                        from approved a left join dev d on d.model = a.model
                        group by a.model, a.patch_level, a.bulletin_date, a.published_at order by a.model""")
                .query((rs, n) -> new ModelCompliance(rs.getString("model"), rs.getDate("patch_level").toLocalDate(),
                        rs.getLong("devices"), rs.getLong("non_compliant"), rs.getInt("max_gap"),
                        rs.getInt("avg_gap"), rs.getInt("delay")))
                .list();
    }

    /** Compliance of one model in one holding unit. */
    public record UnitModelCompliance(String unitCode, String model, long devices, long reporting, long nonCompliant,
                                      int maxGapDays, Optional<LocalDate> approvedPatchLevel,
                                      List<String> nonCompliantImeis) {
    }

    /**
     * Compliance of a unit subtree per holding unit and model: the devices and their models come from
     * inventory (on the caller's behalf), their patch levels from their latest states.
     */
    @Transactional(readOnly = true)
    public List<UnitModelCompliance> unitCompliance(List<InventoryDevices.Placed> devices) {
        java.util.Map<String, LocalDate> approved = new java.util.HashMap<>();
        jdbc.sql("select model, patch_level from rom_release where approved_at is not null")
                .query((rs, n) -> approved.put(rs.getString(1), rs.getDate(2).toLocalDate())).list();
        java.util.Map<String, LocalDate> patch = new java.util.HashMap<>();
        java.util.Set<String> reporting = new java.util.HashSet<>();
        jdbc.sql("select imei, patch_level from device_state where imei = any(?::char(15)[])")
                .param(devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new))
                .query((rs, n) -> {
                    reporting.add(rs.getString(1));
                    java.sql.Date d = rs.getDate(2);
                    if (d != null) {
                        patch.put(rs.getString(1), d.toLocalDate());
                    }
                    return null;
                }).list();
        java.util.Map<String, long[]> lines = new java.util.TreeMap<>(); // unit, model -> devices, reporting, non, gap
        java.util.Map<String, List<java.util.Map.Entry<String, Long>>> late = new java.util.HashMap<>(); // -> imei, gap
        for (InventoryDevices.Placed d : devices) {
            // unit code, then model: '\0' sorts before any character of a code
            long[] l = lines.computeIfAbsent(d.unitCode() + '\0' + d.model(), k -> new long[4]);
            l[0]++;
            if (!reporting.contains(d.imei())) {
                continue;
            }
            l[1]++;
            LocalDate target = approved.get(d.model());
            LocalDate level = patch.get(d.imei());
            if (target != null && (level == null || level.isBefore(target))) {
                l[2]++;
                long gap = level == null ? Long.MAX_VALUE : java.time.temporal.ChronoUnit.DAYS.between(level, target);
                if (level != null) {
                    l[3] = Math.max(l[3], gap);
                }
                late.computeIfAbsent(d.unitCode() + '\0' + d.model(), k -> new ArrayList<>())
                        .add(java.util.Map.entry(d.imei(), gap));
            }
        }
        List<UnitModelCompliance> out = new ArrayList<>();
        lines.forEach((key, l) -> {
            String unit = key.substring(0, key.indexOf('\0'));
            String model = key.substring(key.indexOf('\0') + 1);
            List<String> imeis = late.getOrDefault(key, List.of()).stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()
                            .thenComparing(java.util.Map.Entry.comparingByKey()))
                    .limit(200).map(java.util.Map.Entry::getKey).toList();
            out.add(new UnitModelCompliance(unit, model, l[0], l[1], l[2], (int) l[3],
                    Optional.ofNullable(approved.get(model)), imeis));
        });
        return out;
    }

    @Transactional(readOnly = true)
    public long unknownBuildDevices() {
        return jdbc.sql("select count(*) from device_state s where not exists "
                + "(select 1 from rom_release r where r.build_fingerprint = s.rom_build)").query(Long.class).single();
    }

    private Optional<Release> find(String id) {
        return jdbc.sql("select * from rom_release where id = ?").param(id).query(ROW).optional();
    }

    private static LocalDate date(String text, String field, Validation v) {
        try {
            return LocalDate.parse(text == null ? "" : text);
        } catch (DateTimeException e) {
            v.check(false, field, "must be a date YYYY-MM-DD");
            return LocalDate.EPOCH;
        }
    }
}
