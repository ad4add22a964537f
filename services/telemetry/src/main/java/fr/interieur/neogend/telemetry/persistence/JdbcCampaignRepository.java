package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.campaign.Campaign;
import fr.interieur.neogend.telemetry.campaign.CampaignRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** ROM campaigns in PostgreSQL (tables {@code update_campaign}, {@code campaign_device}: their only writer). */
@Repository
class JdbcCampaignRepository implements CampaignRepository {

    /** Its windows are read by {@link #withWindows}. */
    private static final RowMapper<Campaign> CAMPAIGN = (rs, n) -> {
        Array waves = rs.getArray("wave_percents");
        return new Campaign(
                rs.getString("id"),
                rs.getString("release_id"),
                rs.getString("model"),
                Optional.ofNullable(rs.getString("unit_code")),
                Arrays.stream((Integer[]) waves.getArray()).toList(),
                rs.getInt("halt_failure_percent"),
                Campaign.State.valueOf(rs.getString("state")),
                rs.getInt("current_wave"),
                rs.getInt("halt_accepted_wave"),
                rs.getString("halt_reason") == null ? "" : rs.getString("halt_reason"),
                rs.getLong("targeted"),
                rs.getLong("left_out"),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                List.of(),
                rs.getArray("wave_units") == null
                        ? List.of()
                        : Arrays.stream((String[]) rs.getArray("wave_units").getArray())
                                .map(w -> List.of(w.split(",")))
                                .toList());
    };

    private static final RowMapper<Campaign.Target> TARGET = (rs, n) -> new Campaign.Target(
            rs.getString("imei"),
            rs.getString("unit_code"),
            rs.getInt("wave"),
            Optional.ofNullable(rs.getString("window_unit")));

    private Campaign withWindows(Campaign c) {
        List<Campaign.Window> windows = jdbc.sql("select unit_code, start_minute, end_minute from campaign_window "
                        + "where campaign_id = ? order by unit_code")
                .param(c.id())
                .query((rs, n) -> new Campaign.Window(
                        rs.getString(1),
                        java.time.LocalTime.ofSecondOfDay(rs.getInt(2) * 60L),
                        java.time.LocalTime.ofSecondOfDay(rs.getInt(3) * 60L)))
                .list();
        return windows.isEmpty()
                ? c
                : c.with(c.state(), c.currentWave(), c.haltAcceptedWave(), c.haltReason(), windows);
    }

    private final JdbcClient jdbc;

    JdbcCampaignRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String nextId() {
        return String.format(
                "UC-%06d",
                jdbc.sql("select nextval('update_campaign_number')")
                        .query(Long.class)
                        .single());
    }

    @Override
    public void lockCreation() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('update_campaign creation'))")
                .query()
                .singleRow();
    }

    @Override
    public Set<String> sendable(Collection<String> imeis, String releaseId, Optional<String> campaignId) {
        // on the release's build or a newer one: its build, a build of a release of the model published
        // after it, or a patch level above its (sending it would be a downgrade)
        return new HashSet<>(jdbc.sql("""
                        select u.imei from unnest(?::char(15)[]) as u(imei)
                        join rom_release r on r.id = ?
                        where exists (select 1 from device_credential k where k.imei = u.imei and k.revoked_at is null)
                          and not exists (select 1 from device_revocation v where v.imei = u.imei)
                          and not exists (select 1 from device_state s where s.imei = u.imei
                                          and (s.rom_build = r.build_fingerprint
                                               or s.patch_level > r.patch_level
                                               or exists (select 1 from rom_release n
                                                          where n.build_fingerprint = s.rom_build
                                                            and n.model = r.model
                                                            and n.published_at > r.published_at)))
                          and not exists (select 1 from device_command c where c.imei = u.imei and c.command = 'UPDATE'
                                          and c.status in (%s))
                          and not exists (select 1 from campaign_device d where d.imei = u.imei and d.active
                                          and d.campaign_id <> ?)""".formatted(JdbcCommandRepository.OPEN))
                .params(imeis.toArray(String[]::new), releaseId, campaignId.orElse(""))
                .query(String.class)
                .list());
    }

    @Override
    public void insert(Campaign c, List<Campaign.Target> targets) {
        jdbc.sql("""
                        insert into update_campaign (id, release_id, model, unit_code, wave_percents, halt_failure_percent,
                                                     state, current_wave, halt_accepted_wave, halt_reason, targeted,
                                                     left_out, created_by, created_at, wave_units)
                        values (?, ?, ?, ?, ?::integer[], ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[])""")
                .params(
                        c.id(),
                        c.releaseId(),
                        c.model(),
                        c.unitCode().orElse(null),
                        c.wavePercents().toArray(Integer[]::new),
                        c.haltFailurePercent(),
                        c.state().name(),
                        c.currentWave(),
                        c.haltAcceptedWave(),
                        c.haltReason().isEmpty() ? null : c.haltReason(),
                        c.targeted(),
                        c.leftOut(),
                        c.createdBy(),
                        Timestamp.from(c.createdAt()),
                        c.unitWaves().isEmpty()
                                ? null
                                : c.unitWaves().stream()
                                        .map(w -> String.join(",", w))
                                        .toArray(String[]::new))
                .update();
        for (Campaign.Window w : c.windows()) {
            jdbc.sql(
                            "insert into campaign_window (campaign_id, unit_code, start_minute, end_minute) values (?, ?, ?, ?)")
                    .params(
                            c.id(),
                            w.unitCode(),
                            w.start().toSecondOfDay() / 60,
                            w.end().toSecondOfDay() / 60)
                    .update();
        }
        // one statement for the whole fleet (140,000 rows): the devices as four arrays
        jdbc.sql("""
                        insert into campaign_device (campaign_id, imei, unit_code, wave, window_unit)
                        select ?, u.imei, u.unit, u.wave, u.window_unit
                        from unnest(?::char(15)[], ?::varchar[], ?::integer[], ?::varchar[])
                             as u(imei, unit, wave, window_unit)""")
                .params(
                        c.id(),
                        targets.stream().map(Campaign.Target::imei).toArray(String[]::new),
                        targets.stream().map(Campaign.Target::unitCode).toArray(String[]::new),
                        targets.stream().map(Campaign.Target::wave).toArray(Integer[]::new),
                        targets.stream().map(t -> t.windowUnit().orElse(null)).toArray(String[]::new))
                .update();
    }

    @Override
    public Optional<Campaign> find(String id) {
        return jdbc.sql("select * from update_campaign where id = ?")
                .param(id)
                .query(CAMPAIGN)
                .optional()
                .map(this::withWindows);
    }

    @Override
    public Optional<Campaign> lock(String id) {
        return jdbc.sql("select * from update_campaign where id = ? for update")
                .param(id)
                .query(CAMPAIGN)
                .optional()
                .map(this::withWindows);
    }

    @Override
    public List<Campaign> list(int limit) {
        return jdbc.sql("select * from update_campaign order by created_at desc, id desc limit ?")
                .param(limit)
                .query(CAMPAIGN)
                .list();
    }

    @Override
    public List<Campaign> active(String model) {
        return jdbc
                .sql("select * from update_campaign where state in ('RUNNING', 'PAUSED', 'HALTED') and model = ? "
                        + "order by created_at desc, id desc")
                .param(model)
                .query(CAMPAIGN)
                .list()
                .stream()
                .map(this::withWindows)
                .toList();
    }

    @Override
    public void add(String id, Campaign.Target target) {
        jdbc.sql("insert into campaign_device (campaign_id, imei, unit_code, wave, window_unit) values (?, ?, ?, ?, ?)")
                .params(
                        id,
                        target.imei(),
                        target.unitCode(),
                        target.wave(),
                        target.windowUnit().orElse(null))
                .update();
        jdbc.sql("update update_campaign set targeted = targeted + 1 where id = ?")
                .param(id)
                .update();
    }

    @Override
    public List<String> running() {
        return jdbc.sql("select id from update_campaign where state = 'RUNNING' order by id")
                .query(String.class)
                .list();
    }

    @Override
    public List<Campaign.Target> wave(String id, int wave) {
        return jdbc.sql("select imei, unit_code, wave, window_unit from campaign_device where campaign_id = ? "
                        + "and wave = ? order by imei")
                .params(id, wave)
                .query(TARGET)
                .list();
    }

    @Override
    public List<Campaign.Target> unsent(String id, int wave) {
        return jdbc.sql("select imei, unit_code, wave, window_unit from campaign_device where campaign_id = ? "
                        + "and wave = ? and active and command_id is null order by imei")
                .params(id, wave)
                .query(TARGET)
                .list();
    }

    @Override
    public void attachCommands(String id, Map<String, Long> commandIds) {
        jdbc.sql("""
                        update campaign_device d set command_id = u.command_id
                        from unnest(?::char(15)[], ?::bigint[]) as u(imei, command_id)
                        where d.campaign_id = ? and d.imei = u.imei""")
                .params(
                        commandIds.keySet().toArray(String[]::new),
                        commandIds.values().toArray(Long[]::new),
                        id)
                .update();
    }

    @Override
    public List<Long> commandIds(String id) {
        return jdbc.sql("select command_id from campaign_device where campaign_id = ? and command_id is not null")
                .param(id)
                .query(Long.class)
                .list();
    }

    @Override
    public void update(Campaign c) {
        jdbc.sql("""
                        update update_campaign set state = ?, current_wave = ?, halt_accepted_wave = ?, halt_reason = ?
                        where id = ?""")
                .params(
                        c.state().name(),
                        c.currentWave(),
                        c.haltAcceptedWave(),
                        c.haltReason().isEmpty() ? null : c.haltReason(),
                        c.id())
                .update();
        if (!c.state().active()) { // its devices may join another campaign
            jdbc.sql("update campaign_device set active = false where campaign_id = ? and active")
                    .param(c.id())
                    .update();
        }
    }

    @Override
    public List<Campaign.Progress> progress(
            String id, Grouping by, Optional<? extends Collection<String>> imeis, Instant silentSince) {
        String key = switch (by) {
            case WAVE -> "d.wave";
            case UNIT -> "d.unit_code";
            case WAVE_AND_UNIT -> "d.wave, d.unit_code";
        };
        return jdbc.sql("""
                        select %3$s, %4$s,
                               count(*),
                               count(c.id),
                               count(*) filter (where c.delivered_at is not null),
                               count(*) filter (where c.status = 'INSTALLED'),
                               count(*) filter (where c.status = 'CONFIRMED'),
                               count(*) filter (where c.status = 'FAILED'),
                               count(*) filter (where c.status in (%2$s)
                                                and coalesce(s.received_at, c.queued_at) < ?),
                               count(*) filter (where c.status = 'WITHDRAWN'
                                                or (c.id is null and d.wave <= u.current_wave and v.imei is not null)),
                               count(*) filter (where c.id is null and d.wave <= u.current_wave and v.imei is null)
                        from campaign_device d
                        join update_campaign u on u.id = d.campaign_id
                        left join device_command c on c.id = d.command_id
                        left join device_state s on s.imei = d.imei
                        left join device_revocation v on v.imei = d.imei
                        where d.campaign_id = ?
                          and (? or d.imei = any (?::char(15)[]))
                        group by %1$s order by %1$s""".formatted(
                                key,
                                JdbcCommandRepository.OPEN,
                                by == Grouping.UNIT ? "0" : "d.wave",
                                by == Grouping.WAVE ? "''" : "d.unit_code"))
                .params(
                        Timestamp.from(silentSince),
                        id,
                        imeis.isEmpty(),
                        imeis.map(i -> i.toArray(String[]::new)).orElse(new String[0]))
                .query((rs, n) -> new Campaign.Progress(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getLong(9),
                        rs.getLong(10),
                        rs.getLong(11)))
                .list();
    }
}
