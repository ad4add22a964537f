package fr.interieur.neogend.training.persistence;

import fr.interieur.neogend.training.session.CertificationRepository;
import fr.interieur.neogend.training.session.SessionService.Certification;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Certifications in PostgreSQL (table {@code certification}: its only writer). */
@Repository
class JdbcCertificationRepository implements CertificationRepository {

    private static final String COLUMNS =
            "id, technician, course_code, model_families, issued_on, valid_until, session_id";
    private static final RowMapper<Certification> ROW = (rs, n) -> new Certification(
            rs.getLong(1),
            rs.getString(2),
            rs.getString(3),
            Arrays.asList((String[]) rs.getArray(4).getArray()),
            rs.getDate(5).toLocalDate(),
            rs.getDate(6).toLocalDate(),
            rs.getString(7));

    private final JdbcClient jdbc;

    JdbcCertificationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void insert(Certification c) {
        jdbc.sql("""
                        insert into certification (technician, course_code, model_families, issued_on, valid_until,
                                                   session_id)
                        values (?, ?, ?, ?, ?, ?)""")
                .params(
                        c.technician(),
                        c.courseCode(),
                        c.modelFamilies().toArray(String[]::new),
                        Date.valueOf(c.issuedOn()),
                        Date.valueOf(c.validUntil()),
                        c.sessionId())
                .update();
    }

    @Override
    public List<Certification> ofTechnician(String technician) {
        return jdbc.sql("select " + COLUMNS + " from certification where technician = ? order by valid_until, id")
                .param(technician)
                .query(ROW)
                .list();
    }

    @Override
    public List<Certification> endingBetween(LocalDate from, LocalDate to) {
        return jdbc.sql("select " + COLUMNS + " from certification where valid_until between ? and ? "
                        + "order by valid_until, technician, id")
                .params(Date.valueOf(from), Date.valueOf(to))
                .query(ROW)
                .list();
    }

    @Override
    public List<Certification> expired(
            LocalDate before,
            Optional<LocalDate> since,
            String technician,
            Optional<LocalDate> afterValidUntil,
            Optional<Long> afterId,
            int limit) {
        StringBuilder where = new StringBuilder("where valid_until < ?");
        List<Object> args = new ArrayList<>(List.of(Date.valueOf(before)));
        since.ifPresent(s -> {
            where.append(" and valid_until >= ?");
            args.add(Date.valueOf(s));
        });
        if (!technician.isEmpty()) {
            where.append(" and technician = ?");
            args.add(technician);
        }
        if (afterValidUntil.isPresent() && afterId.isPresent()) {
            where.append(" and (valid_until, id) < (?, ?)");
            args.add(Date.valueOf(afterValidUntil.get()));
            args.add(afterId.get());
        }
        args.add(limit);
        return jdbc.sql("select " + COLUMNS + " from certification " + where
                        + " order by valid_until desc, id desc limit ?")
                .params(args)
                .query(ROW)
                .list();
    }
}
