package fr.interieur.neogend.inventory.telemetryclient;

import fr.interieur.neogend.testkit.ServiceIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Delivered events are kept a week, then deleted; undelivered ones are never deleted, however old. */
@ServiceIT
class OutboxRetentionIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    OutboxRelay relay;

    @Test
    void onlyOldDeliveredEventsGo() {
        jdbc.sql("delete from outbox").update();
        insert("now() - interval '8 days'", "now() - interval '8 days'");
        insert("now() - interval '6 days'", "now() - interval '6 days'");
        insert("now() - interval '30 days'", null);
        assertThat(relay.deleteOldDelivered()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from outbox").query(Long.class).single())
                .isEqualTo(2);
        assertThat(relay.backlog().pending()).isEqualTo(1);
    }

    private void insert(String createdAt, String deliveredAt) {
        jdbc.sql("insert into outbox (event_id, destination, kind, subject_id, payload, created_at, next_attempt_at, "
                        + "delivered_at) values (?, 'telemetry', 'INVENTORY_EVENT_KIND_DEVICE_LOST', '352990110000019', "
                        + "'\\x00'::bytea, " + createdAt + ", now() + interval '1 hour', " + deliveredAt + ")")
                .param(UUID.randomUUID())
                .update();
    }
}
