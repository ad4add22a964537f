package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.revocation.InventoryEvent;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Inventory events and revocations in PostgreSQL (tables {@code inventory_event}, {@code device_revocation}: their only writer). */
@Repository
class JdbcRevocationRepository implements RevocationRepository {

    private final JdbcClient jdbc;
    /** The owner of {@code device_command}: an event's commands are queued through it. */
    private final JdbcCommandRepository commands;

    JdbcRevocationRepository(JdbcClient jdbc, JdbcCommandRepository commands) {
        this.jdbc = jdbc;
        this.commands = commands;
    }

    @Override
    public boolean insertEvent(InventoryEvent e, Instant receivedAt) {
        return jdbc.sql("""
                        insert into inventory_event (event_id, kind, imei, occurred_at, replacement_imei, pack_id,
                                                     received_at)
                        values (?, ?, ?, ?, ?, ?, ?) on conflict (imei, event_id) do nothing""")
                        .params(
                                e.eventId(),
                                e.kind().name(),
                                e.imei(),
                                Timestamp.from(e.occurredAt()),
                                e.replacementImei().orElse(null),
                                e.packId().orElse(null),
                                Timestamp.from(receivedAt))
                        .update()
                == 1;
    }

    /**
     * A device's reason only rises: exchanged < returned < lost < stolen. A lost or stolen device stays so
     * when it is exchanged or returned — inventory's return of a lost or stolen device is its write-off, and
     * the phone is still out there: its LOCK and WIPE still reach it until acknowledged (rules 11, 21).
     */
    @Override
    public void revoke(String imei, InventoryEvent.Kind reason, Instant at, UUID eventId) {
        jdbc.sql("""
                        insert into device_revocation (imei, reason, revoked_at, event_id) values (?, ?, ?, ?)
                        on conflict (imei) do update set reason = excluded.reason, event_id = excluded.event_id
                        where array_position(array['DEVICE_EXCHANGED', 'DEVICE_RETURNED', 'DEVICE_LOST', 'DEVICE_STOLEN'], excluded.reason)
                            > array_position(array['DEVICE_EXCHANGED', 'DEVICE_RETURNED', 'DEVICE_LOST', 'DEVICE_STOLEN'], device_revocation.reason)""").params(imei, reason.name(), Timestamp.from(at), eventId).update();
    }

    @Override
    public void queueCommands(String imei, List<Upload.CommandKind> commands, Instant at, UUID eventId) {
        this.commands.queueForEvent(imei, commands, at, eventId);
    }

    @Override
    public void withdrawUpdates(String imei) {
        commands.withdrawOpenUpdates(imei);
    }

    @Override
    public Optional<String> reasonOf(String imei) {
        return jdbc.sql("select reason from device_revocation where imei = ?")
                .param(imei)
                .query(String.class)
                .optional();
    }

    @Override
    public Set<String> revokedImeis() {
        return new HashSet<>(jdbc.sql("select imei from device_revocation")
                .query(String.class)
                .list());
    }
}
