package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.commands.CommandRepository;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Remote commands in PostgreSQL (table {@code device_command}: its only writer). */
@Repository
class JdbcCommandRepository implements CommandRepository {

    private static final RowMapper<Upload.Command> COMMAND = (rs, n) -> new Upload.Command(
            rs.getLong(1),
            Upload.CommandKind.valueOf(rs.getString(2)),
            Upload.CommandStatus.valueOf(rs.getString(3)),
            rs.getTimestamp(4).toInstant());

    private final JdbcClient jdbc;

    JdbcCommandRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Upload.Command queue(String imei, Upload.CommandKind command) {
        return jdbc.sql("insert into device_command (imei, command, status, queued_at) values (?, ?, 'QUEUED', now()) "
                        + "returning id, command, status, queued_at")
                .params(imei, command.name())
                .query(COMMAND)
                .single();
    }

    @Override
    public void queueForEvent(String imei, List<Upload.CommandKind> commands, Instant at, UUID eventId) {
        for (Upload.CommandKind command : commands) {
            jdbc.sql("""
                            insert into device_command (imei, command, queued_at, event_id) values (?, ?, ?, ?)
                            on conflict (event_id, command) do nothing""")
                    .params(imei, command.name(), Timestamp.from(at), eventId)
                    .update();
        }
    }

    @Override
    public List<Upload.Command> list(String imei) {
        return jdbc.sql("select id, command, status, queued_at from device_command where imei = ? order by id desc")
                .param(imei)
                .query(COMMAND)
                .list();
    }

    @Override
    public void acknowledge(String imei, Collection<Long> ids) {
        jdbc.sql("update device_command set status = 'ACKNOWLEDGED', acknowledged_at = now() "
                        + "where imei = ? and id = any(?::bigint[]) and status <> 'ACKNOWLEDGED'")
                .params(imei, ids.toArray(Long[]::new))
                .update();
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
                .query(COMMAND)
                .list();
    }
}
