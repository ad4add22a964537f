package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.revocation.InventoryEvent;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Inventory events, revocations and queued commands in PostgreSQL. */
@Repository
class JdbcRevocationRepository implements RevocationRepository {

    private final JdbcClient jdbc;

    JdbcRevocationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean insertEvent(InventoryEvent e, Instant receivedAt) {
        return jdbc.sql("""
                        insert into inventory_event (event_id, kind, imei, occurred_at, replacement_imei, pack_id,
                                                     received_at)
                        values (?, ?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing""")
                .params(e.eventId(), e.kind().name(), e.imei(), Timestamp.from(e.occurredAt()),
                        e.replacementImei().orElse(null), e.packId().orElse(null), Timestamp.from(receivedAt))
                .update() == 1;
    }

    @Override
    public void revoke(String imei, InventoryEvent.Kind reason, Instant at, UUID eventId) {
        jdbc.sql("""
                        insert into device_revocation (imei, reason, revoked_at, event_id) values (?, ?, ?, ?)
                        on conflict (imei) do update set reason = excluded.reason, event_id = excluded.event_id
                        where array_position(array['DEVICE_EXCHANGED', 'DEVICE_LOST', 'DEVICE_STOLEN', 'DEVICE_RETURNED'], excluded.reason)
                            > array_position(array['DEVICE_EXCHANGED', 'DEVICE_LOST', 'DEVICE_STOLEN', 'DEVICE_RETURNED'], device_revocation.reason)""")
                .params(imei, reason.name(), Timestamp.from(at), eventId).update();
    }

    @Override
    public void queueCommands(String imei, List<String> commands, Instant at, UUID eventId) {
        for (String command : commands) {
            jdbc.sql("""
                            insert into device_command (imei, command, queued_at, event_id) values (?, ?, ?, ?)
                            on conflict (event_id, command) do nothing""")
                    .params(imei, command, Timestamp.from(at), eventId).update();
        }
    }
}
