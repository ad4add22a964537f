package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.telemetry.commands.CommandRepository;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Remote commands in PostgreSQL (table {@code device_command}: its only writer). */
@Repository
class JdbcCommandRepository implements CommandRepository {

    /** The statuses of a command still waiting for something from its device (SQL list). */
    static final String OPEN = "'QUEUED', 'DELIVERED', 'INSTALLED'";

    /** The columns {@link #COMMAND} reads, of {@code device_command c} left-joined to {@code rom_release r}. */
    private static final String COLUMNS = "c.id, c.command, c.status, c.queued_at, c.release_id, r.build_fingerprint, "
            + "r.patch_level, r.ota_url, r.ota_sha256, c.outcome_reason, c.postponements, c.confirmed_at";

    private static final String FROM = " from device_command c left join rom_release r on r.id = c.release_id ";

    private static final RowMapper<Upload.Command> COMMAND = (rs, n) -> new Upload.Command(
            rs.getLong(1),
            Upload.CommandKind.valueOf(rs.getString(2)),
            Upload.CommandStatus.valueOf(rs.getString(3)),
            rs.getTimestamp(4).toInstant(),
            rs.getString(5) == null
                    ? Optional.empty()
                    : Optional.of(new Upload.Update(
                            rs.getString(5),
                            rs.getString(6),
                            rs.getDate(7).toLocalDate(),
                            rs.getString(8),
                            rs.getString(9))),
            rs.getString(10) == null ? "" : rs.getString(10),
            rs.getInt(11),
            Optional.ofNullable(rs.getTimestamp(12)).map(Timestamp::toInstant));

    private final JdbcClient jdbc;

    JdbcCommandRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Upload.Command queue(String imei, Upload.CommandKind command) {
        long id = jdbc.sql(
                        "insert into device_command (imei, command, status, queued_at) values (?, ?, 'QUEUED', now()) "
                                + "returning id")
                .params(imei, command.name())
                .query(Long.class)
                .single();
        return find(id);
    }

    @Override
    public Upload.Command queueUpdate(String imei, String releaseId) {
        try {
            long id = jdbc.sql("insert into device_command (imei, command, status, queued_at, release_id) "
                            + "values (?, 'UPDATE', 'QUEUED', now(), ?) returning id")
                    .params(imei, releaseId)
                    .query(Long.class)
                    .single();
            return find(id);
        } catch (DuplicateKeyException e) { // device_command_one_open_update: a concurrent caller was first
            throw new PreconditionFailedException(
                    "device " + imei + " has an UPDATE not yet confirmed, failed or " + "replaced; one at a time");
        }
    }

    @Override
    public Map<String, Long> queueUpdates(Collection<String> imeis, String releaseId) {
        return queueUpdates(imeis, releaseId, Map.of());
    }

    @Override
    public Map<String, Long> queueUpdates(Collection<String> imeis, String releaseId, Map<String, int[]> windows) {
        Map<String, Long> queued = new LinkedHashMap<>();
        String[] ids = imeis.toArray(String[]::new);
        Integer[] starts = new Integer[ids.length];
        Integer[] ends = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int[] w = windows.get(ids[i]);
            starts[i] = w == null ? null : w[0];
            ends[i] = w == null ? null : w[1];
        }
        jdbc.sql("insert into device_command (imei, command, status, queued_at, release_id, window_start, window_end) "
                        + "select u.imei, 'UPDATE', 'QUEUED', now(), ?, u.ws, u.we "
                        + "from unnest(?::char(15)[], ?::smallint[], ?::smallint[]) as u(imei, ws, we) "
                        + "on conflict (imei) where command = 'UPDATE' and status in (" + OPEN + ") do nothing "
                        + "returning imei, id")
                .params(releaseId, ids, starts, ends)
                .query((rs, n) -> queued.put(rs.getString(1), rs.getLong(2)))
                .list();
        return queued;
    }

    @Override
    public int withdraw(Collection<Long> ids) {
        return jdbc.sql("update device_command set status = 'WITHDRAWN' "
                        + "where id = any(?::bigint[]) and command = 'UPDATE' and status in ('QUEUED', 'DELIVERED')")
                .param(ids.toArray(Long[]::new))
                .update();
    }

    /** The device's UPDATE in progress (queued, delivered or installed), withdrawn. */
    void withdrawOpenUpdates(String imei) {
        jdbc.sql("update device_command set status = 'WITHDRAWN' where imei = ? and command = 'UPDATE' "
                        + "and status in (" + OPEN + ")")
                .param(imei)
                .update();
    }

    @Override
    public Optional<Upload.Command> openUpdate(String imei) {
        return jdbc.sql("select " + COLUMNS + FROM + "where c.imei = ? and c.command = 'UPDATE' and c.status in ("
                        + OPEN + ")")
                .param(imei)
                .query(COMMAND)
                .optional();
    }

    private Upload.Command find(long id) {
        return jdbc.sql("select " + COLUMNS + FROM + "where c.id = ?")
                .param(id)
                .query(COMMAND)
                .single();
    }

    @Override
    public void queueForEvent(String imei, List<Upload.CommandKind> commands, Instant at, UUID eventId) {
        for (Upload.CommandKind command : commands) {
            jdbc.sql("""
                            insert into device_command (imei, command, queued_at, event_id) values (?, ?, ?, ?)
                            on conflict (imei, event_id, command) do nothing""")
                    .params(imei, command.name(), Timestamp.from(at), eventId)
                    .update();
        }
    }

    @Override
    public List<Upload.Command> list(String imei) {
        return jdbc.sql("select " + COLUMNS + FROM + "where c.imei = ? order by c.id desc")
                .param(imei)
                .query(COMMAND)
                .list();
    }

    @Override
    public void acknowledge(String imei, Collection<Long> ids) {
        // an UPDATE acknowledged without a result counts as installed: its readings will confirm it
        jdbc.sql("update device_command set status = case when command = 'UPDATE' then 'INSTALLED' "
                        + "else 'ACKNOWLEDGED' end, acknowledged_at = now() "
                        + "where imei = ? and id = any(?::bigint[]) and status in ('QUEUED', 'DELIVERED')")
                .params(imei, ids.toArray(Long[]::new))
                .update();
    }

    /**
     * The device's word on one of its commands; an id of another device's command changes nothing. Whatever the
     * command: failed is FAILED with its reason (a LOCK or WIPE the device could not carry out is never shown
     * done), postponed is handed again on the next contact (counted). Installed is INSTALLED for an UPDATE (its
     * readings will confirm it), ACKNOWLEDGED for the others.
     */
    void report(String imei, long id, Upload.Outcome outcome, String reason) {
        switch (outcome) {
            case INSTALLED, FAILED ->
                jdbc.sql("update device_command set status = case when not ? then 'FAILED' "
                                + "when command = 'UPDATE' then 'INSTALLED' else 'ACKNOWLEDGED' end, "
                                + "outcome_reason = nullif(?, ''), acknowledged_at = now() "
                                + "where imei = ? and id = ? and status in ('QUEUED', 'DELIVERED')")
                        .params(outcome == Upload.Outcome.INSTALLED, reason, imei, id)
                        .update();
            // postponed: still delivered, so handed again on the next contact
            case POSTPONED ->
                jdbc.sql("update device_command set postponements = postponements + 1, "
                                + "outcome_reason = nullif(?, '') "
                                + "where imei = ? and id = ? and status in ('QUEUED', 'DELIVERED')")
                        .params(reason, imei, id)
                        .update();
        }
    }

    /**
     * The device's open UPDATEs whose release its latest state reports — that build, at least that patch
     * level, told by a reading taken since the command was queued — are confirmed; so is one whose
     * acknowledgement was lost, the readings being the proof.
     */
    void confirmUpdates(String imei) {
        jdbc.sql("update device_command c set status = 'CONFIRMED', confirmed_at = now() "
                        + "from rom_release r, device_state s "
                        + "where c.imei = ? and c.command = 'UPDATE' and c.status in (" + OPEN + ") "
                        + "and r.id = c.release_id and s.imei = c.imei and s.rom_build = r.build_fingerprint "
                        + "and s.patch_level >= r.patch_level and s.software_recorded_at >= c.queued_at")
                .param(imei)
                .update();
    }

    @Override
    public List<Upload.Command> deliverPending(String imei, int parisMinute) {
        // a revoked device (only a lost or stolen one gets this far) is handed its LOCK and WIPE, nothing else;
        // an UPDATE with a maintenance window only within it
        // (bound, not written into the text: one statement text, prepared once, whatever the minute)
        String within = " and (c.window_start is null or (c.window_start < c.window_end and ?::int >= c.window_start"
                + " and ?::int < c.window_end) or (c.window_start > c.window_end"
                + " and (?::int >= c.window_start or ?::int < c.window_end)))";
        String only = " and (c.command in ('LOCK', 'WIPE') or not exists (select 1 from device_revocation v "
                + "where v.imei = c.imei))" + within;
        // one round trip: the queued ones marked delivered, and with them those delivered before
        // (the select sees the table as it was before the update: the two parts never overlap)
        return jdbc.sql("with marked as (update device_command c set status = 'DELIVERED', delivered_at = now() "
                        + "where c.imei = ? and c.status = 'QUEUED'" + only + " returning c.*) "
                        + "select " + COLUMNS + " from (select * from device_command c "
                        + "where c.imei = ? and c.status = 'DELIVERED'" + only
                        + " union all select * from marked) c left join rom_release r on r.id = c.release_id "
                        + "order by c.id")
                .params(
                        imei,
                        parisMinute,
                        parisMinute,
                        parisMinute,
                        parisMinute,
                        imei,
                        parisMinute,
                        parisMinute,
                        parisMinute,
                        parisMinute)
                .query(COMMAND)
                .list();
    }
}
