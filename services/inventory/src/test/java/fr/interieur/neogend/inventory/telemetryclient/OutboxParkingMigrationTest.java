package fr.interieur.neogend.inventory.telemetryclient;

import fr.interieur.neogend.testkit.PostgresTestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration V6 (issue 16) on a database whose outbox holds events of the previous relay: a delivered
 * one, one stuck behind refusals: nothing is parked by the upgrade (the relay parks an event when
 * telemetry refuses it again), every waiting event is still due. Real PostgreSQL, the service's files.
 */
class OutboxParkingMigrationTest {

    @Test
    void eventsOfThePreviousRelayStayWaitingAndNoneIsParked() throws SQLException {
        String url = PostgresTestDatabase.newDatabase("migration");
        flyway(url, "5").migrate();
        execute(url, """
                insert into outbox (event_id, destination, kind, subject_id, payload, created_at, attempts,
                                    next_attempt_at, last_error, delivered_at)
                values ('00000000-0000-0000-0000-000000000001', 'telemetry', 'INVENTORY_EVENT_KIND_DEVICE_STOLEN',
                        '352990110000011', '\\x00'::bytea, now() - interval '2 days', 40, now() + interval '5 minutes',
                        'INVALID_ARGUMENT: invalid request', null),
                       ('00000000-0000-0000-0000-000000000002', 'telemetry', 'INVENTORY_EVENT_KIND_DEVICE_LOST',
                        '352990110000029', '\\x00'::bytea, now() - interval '1 day', 1, now() - interval '1 day',
                        null, now() - interval '1 day')""");
        flyway(url, null).migrate();
        assertThat(rows(
                        url,
                        "select event_id, parked_at, parked_reason, delivered_at is not null from outbox order by id"))
                .containsExactly(
                        "00000000-0000-0000-0000-000000000001|null|null|f",
                        "00000000-0000-0000-0000-000000000002|null|null|t");
        assertThat(rows(url, "select indexname from pg_indexes where tablename = 'outbox' order by indexname"))
                .contains("outbox_due", "outbox_parked", "outbox_waiting_per_subject");
    }

    private static Flyway flyway(String url, String target) {
        var config = Flyway.configure()
                .dataSource(url, PostgresTestDatabase.user(), PostgresTestDatabase.password())
                .locations("classpath:db/migration")
                .placeholders(Map.of("initialAgreement", ""));
        return (target == null ? config : config.target(target)).load();
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection(url, PostgresTestDatabase.user(), PostgresTestDatabase.password());
                var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> rows(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c =
                        DriverManager.getConnection(url, PostgresTestDatabase.user(), PostgresTestDatabase.password());
                var rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
