package fr.interieur.neogend.training;

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
 * Migration V4 (issue 15) over courses of an earlier version: a billed course gets the initial
 * agreement; without one the upgrade stops with the reason and changes nothing, so no course's days
 * are left billed by no statement. Real PostgreSQL, the service's own migration files.
 */
class CourseAgreementMigrationTest {

    static Flyway flyway(String url, String target, String initialAgreement) {
        var config = Flyway.configure()
                .dataSource(url, PostgresTestDatabase.user(), PostgresTestDatabase.password())
                .locations("classpath:db/migration")
                .placeholders(Map.of("initialAgreement", initialAgreement));
        return (target == null ? config : config.target(target)).load();
    }

    static String versionThreeWithCourses() throws SQLException {
        String url = PostgresTestDatabase.newDatabase("migration");
        flyway(url, "3", "").migrate();
        try (Connection c =
                        DriverManager.getConnection(url, PostgresTestDatabase.user(), PostgresTestDatabase.password());
                var st = c.createStatement()) {
            st.execute("""
                    insert into course (code, title, duration_days, agreement_item_code)
                    values ('MAINT-N1', 'Maintenance', 1, 'TRAINING-DAY-L1'), ('ACCUEIL', 'Accueil', 1, null)""");
        }
        return url;
    }

    static List<String> rows(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c =
                        DriverManager.getConnection(url, PostgresTestDatabase.user(), PostgresTestDatabase.password());
                var rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        }
        return out;
    }

    @Test
    void billedCoursesBillToTheInitialAgreementAndOthersToNone() throws SQLException {
        String url = versionThreeWithCourses();
        flyway(url, null, "AC-2026-NEOGEND").migrate();
        assertThat(rows(url, "select code, agreement_id, agreement_item_code from course order by code"))
                .containsExactly("ACCUEIL|null|null", "MAINT-N1|AC-2026-NEOGEND|TRAINING-DAY-L1");
    }

    @Test
    void withoutAnInitialAgreementTheUpgradeStopsAndChangesNothing() throws SQLException {
        String url = versionThreeWithCourses();
        assertThatThrownBy(() -> flyway(url, null, "").migrate())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("NEOGEND_INITIAL_AGREEMENT");
        assertThat(rows(url, "select code, agreement_item_code, 'x' from course order by code"))
                .containsExactly("ACCUEIL|null|x", "MAINT-N1|TRAINING-DAY-L1|x");
        flyway(url, null, "AC-2026-NEOGEND").migrate();
        assertThat(rows(url, "select count(*), min(agreement_id), 'x' from course where agreement_id is not null"))
                .containsExactly("1|AC-2026-NEOGEND|x");
    }
}
