package fr.interieur.neogend.training.persistence;

import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.course.CourseRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

/** Course rows in PostgreSQL (table {@code course}: this class is its only writer). */
@Repository
class JdbcCourseRepository implements CourseRepository {

    private static final RowMapper<Course> ROW = (rs, n) -> new Course(
            rs.getString("code"),
            rs.getString("title"),
            rs.getInt("duration_days"),
            java.util.Arrays.asList((String[]) rs.getArray("model_families").getArray()),
            rs.getInt("certification_validity_months"),
            java.util.Objects.requireNonNullElse(rs.getString("agreement_item_code"), ""),
            java.util.Objects.requireNonNullElse(rs.getString("agreement_id"), ""));

    private final JdbcClient jdbc;

    JdbcCourseRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Course> page(Optional<String> after, int limit) {
        return jdbc.sql("select * from course where (:after::text is null or code > :after) "
                        + "order by code limit :limit")
                .param("after", after.orElse(null))
                .param("limit", limit)
                .query(ROW)
                .list();
    }

    @Override
    public Optional<Course> find(String code) {
        return jdbc.sql("select * from course where code = ?")
                .param(code)
                .query(ROW)
                .optional();
    }

    @Override
    public boolean insert(Course c) {
        return jdbc.sql("""
                        insert into course (code, title, duration_days, model_families, certification_validity_months,
                                            agreement_item_code, agreement_id)
                        values (?, ?, ?, ?, ?, ?, ?) on conflict (code) do nothing""")
                        .params(
                                c.code(),
                                c.title(),
                                c.durationDays(),
                                c.modelFamilies().toArray(String[]::new),
                                c.certificationValidityMonths(),
                                c.agreementItemCode().isEmpty() ? null : c.agreementItemCode(),
                                c.agreementId().isEmpty() ? null : c.agreementId())
                        .update()
                == 1;
    }
}
