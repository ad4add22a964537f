package fr.interieur.neogend.inventory;

import fr.interieur.neogend.testkit.PostgresTestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Migration V5 (issue 15) on a database of an earlier version holding packs: they are attached to the
 * initial agreement from the day their lease started; without one the upgrade stops with the reason
 * and changes nothing (PostgreSQL rolls the whole migration back), so no pack is left billed by no
 * statement. Real PostgreSQL, the service's own migration files.
 */
class PackAgreementMigrationTest {

    static Flyway flyway(String url, String target, String initialAgreement) {
        var config = Flyway.configure()
                .dataSource(url, PostgresTestDatabase.user(), PostgresTestDatabase.password())
                .locations("classpath:db/migration")
                .placeholders(Map.of("initialAgreement", initialAgreement));
        return (target == null ? config : config.target(target)).load();
    }

    /** A database at version 1 holding two packs' devices, a spare and a returned device. */
    static String versionOneWithDevices() throws SQLException {
        String url = PostgresTestDatabase.newDatabase("migration");
        flyway(url, "1", "").migrate();
        try (Connection c =
                        DriverManager.getConnection(url, PostgresTestDatabase.user(), PostgresTestDatabase.password());
                var st = c.createStatement()) {
            st.execute("""
                    insert into device (imei, serial_number, model, kind, state, pack_type, created_at, updated_at, created_by)
                    values ('352990110000011', 'M-1', 'Rugged X5', 'PHONE', 'ASSIGNED', 'SMARTPHONE_INDIVIDUAL',
                            '2026-02-10 09:00:00+01', '2026-02-10 09:00:00+01', 'old'),
                           ('352990110000029', 'M-2', 'Field Tab 10', 'TABLET', 'IN_STOCK', 'TABLET_COLLECTIVE',
                            '2026-03-01 09:00:00+01', '2026-03-01 09:00:00+01', 'old'),
                           ('352990110000037', 'M-3', 'Rugged X5', 'PHONE', 'IN_STOCK', null,
                            '2026-03-01 09:00:00+01', '2026-03-01 09:00:00+01', 'old'),
                           ('352990110000045', 'M-4', 'Rugged X5', 'PHONE', 'RETURNED', 'SMARTPHONE_INDIVIDUAL',
                            '2026-01-20 09:00:00+01', '2026-01-20 09:00:00+01', 'old')""");
        }
        return url;
    }

    static List<String> rows(String url, String sql) throws SQLException {
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

    @Test
    void packsOfAnEarlierVersionAreLeasedUnderTheInitialAgreementFromTheirFirstDay() throws SQLException {
        String url = versionOneWithDevices();
        flyway(url, null, "AC-2026-NEOGEND").migrate();
        assertThat(rows(url, "select device_imei, agreement_id from pack order by device_imei"))
                .containsExactly("352990110000011|AC-2026-NEOGEND", "352990110000029|AC-2026-NEOGEND");
        assertThat(rows(url, """
                select p.device_imei, a.agreement_id, a.valid_from, a.valid_until from pack_agreement a
                join pack p on p.id = a.pack_id order by p.device_imei"""))
                .containsExactly(
                        "352990110000011|AC-2026-NEOGEND|2026-02-10|null",
                        "352990110000029|AC-2026-NEOGEND|2026-03-01|null");
    }

    @Test
    void withoutAnInitialAgreementAnInstallationHoldingPacksStopsWithTheReasonAndChangesNothing() throws SQLException {
        String url = versionOneWithDevices();
        flyway(url, "4", "").migrate();
        assertThatThrownBy(() -> flyway(url, null, "").migrate())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("NEOGEND_INITIAL_AGREEMENT");
        assertThat(rows(url, "select to_regclass('pack_agreement') is null")).containsExactly("t");
        assertThat(rows(
                        url,
                        "select count(*) from information_schema.columns where table_name = 'pack' "
                                + "and column_name = 'agreement_id'"))
                .containsExactly("0");
        // named, the same upgrade goes through
        flyway(url, null, "AC-2026-NEOGEND").migrate();
        assertThat(rows(url, "select count(*) from pack_agreement")).containsExactly("2");
    }

    @Test
    void aFreshInstallationNeedsNoInitialAgreement() {
        String url = PostgresTestDatabase.newDatabase("migration");
        assertThat(flyway(url, null, "").migrate().success).isTrue();
    }
}
