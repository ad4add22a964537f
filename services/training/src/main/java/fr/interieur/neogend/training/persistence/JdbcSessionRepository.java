package fr.interieur.neogend.training.persistence;

import fr.interieur.neogend.training.session.EnrolmentStatus;
import fr.interieur.neogend.training.session.SessionRepository;
import fr.interieur.neogend.training.session.SessionService.DeliveredDays;
import fr.interieur.neogend.training.session.SessionService.Enrolment;
import fr.interieur.neogend.training.session.SessionService.Session;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sessions and enrolments in PostgreSQL (tables {@code training_session}, {@code enrolment}: their only writer). */
@Repository
class JdbcSessionRepository implements SessionRepository {

    private final JdbcClient jdbc;

    JdbcSessionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String nextId() {
        return String.format(
                "TS-%06d",
                jdbc.sql("select nextval('training_session_number')")
                        .query(Long.class)
                        .single());
    }

    @Override
    public void insert(
            String id,
            String courseCode,
            LocalDate startDate,
            LocalDate endDate,
            String place,
            int capacity,
            String trainer) {
        jdbc.sql("""
                        insert into training_session (id, course_code, start_date, end_date, place, capacity, trainer,
                                                      created_at)
                        values (?, ?, ?, ?, ?, ?, ?, now())""")
                .params(id, courseCode, Date.valueOf(startDate), Date.valueOf(endDate), place, capacity, trainer)
                .update();
    }

    @Override
    public Optional<Session> find(String id) {
        List<Enrolment> enrolments = jdbc.sql(
                        "select technician, status from enrolment where session_id = ? order by arrival")
                .param(id)
                .query((rs, n) -> new Enrolment(rs.getString(1), EnrolmentStatus.valueOf(rs.getString(2))))
                .list();
        return jdbc.sql("select * from training_session where id = ?")
                .param(id)
                .query((rs, n) -> session(rs, enrolments))
                .optional();
    }

    @Override
    public Optional<Session> lock(String id) {
        return jdbc.sql("select id from training_session where id = ? for update")
                .param(id)
                .query(String.class)
                .optional()
                .flatMap(this::find);
    }

    @Override
    public List<Session> page(
            LocalDate endsOnOrAfter,
            String courseCode,
            Optional<LocalDate> afterStart,
            Optional<String> afterId,
            int limit) {
        List<Object> args = new ArrayList<>(List.of(Date.valueOf(endsOnOrAfter)));
        StringBuilder where = new StringBuilder(" where end_date >= ?");
        if (!courseCode.isEmpty()) {
            where.append(" and course_code = ?");
            args.add(courseCode);
        }
        if (afterStart.isPresent() && afterId.isPresent()) {
            where.append(" and (start_date, id) > (?, ?)");
            args.add(Date.valueOf(afterStart.get()));
            args.add(afterId.get());
        }
        args.add(limit);
        List<Session> rows = jdbc.sql("select * from training_session" + where + " order by start_date, id limit ?")
                .params(args)
                .query((rs, n) -> session(rs, List.of()))
                .list();
        if (rows.isEmpty()) {
            return rows;
        }
        Map<String, List<Enrolment>> enrolments = new HashMap<>();
        jdbc.sql("select session_id, technician, status from enrolment where session_id = any(?) order by arrival")
                .param(rows.stream().map(Session::id).toArray(String[]::new))
                .query((rs, n) -> enrolments
                        .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Enrolment(rs.getString(2), EnrolmentStatus.valueOf(rs.getString(3)))))
                .list();
        return rows.stream()
                .map(r -> new Session(
                        r.id(),
                        r.courseCode(),
                        r.startDate(),
                        r.endDate(),
                        r.place(),
                        r.capacity(),
                        r.trainer(),
                        enrolments.getOrDefault(r.id(), List.of())))
                .toList();
    }

    @Override
    public boolean enrol(String sessionId, String technician, EnrolmentStatus status) {
        // a re-enrolment after a withdrawal goes to the back: it takes a new arrival number
        return jdbc.sql("""
                        insert into enrolment (session_id, technician, status, updated_at) values (?, ?, ?, now())
                        on conflict (session_id, technician) do update set status = excluded.status, updated_at = now(),
                            arrival = nextval('enrolment_arrival')
                        where enrolment.status = 'WITHDRAWN'""").params(sessionId, technician, status.name()).update() == 1;
    }

    @Override
    public void setStatus(String sessionId, String technician, EnrolmentStatus status) {
        jdbc.sql("update enrolment set status = ?, updated_at = now() where session_id = ? and technician = ?")
                .params(status.name(), sessionId, technician)
                .update();
    }

    @Override
    public void putResult(String sessionId, String technician, EnrolmentStatus status) {
        jdbc.sql("""
                        insert into enrolment (session_id, technician, status, updated_at) values (?, ?, ?, now())
                        on conflict (session_id, technician) do update set status = excluded.status, updated_at = now()""").params(sessionId, technician, status.name()).update();
    }

    @Override
    public List<DeliveredDays> deliveredDays(LocalDate first, LocalDate last, String agreementId, LocalDate heldBy) {
        return jdbc.sql("""
                        select s.id, s.course_code, c.title, c.agreement_item_code,
                               (least(s.end_date, ?) - greatest(s.start_date, ?) + 1) as days, c.agreement_id
                        from training_session s join course c on c.code = s.course_code
                        where c.agreement_id = ? and s.start_date <= ? and s.end_date >= ?
                          and s.end_date <= ?
                          and exists (select 1 from enrolment e where e.session_id = s.id
                                      and e.status in ('PASSED', 'FAILED', 'ABSENT'))
                        order by s.id""")
                .params(
                        Date.valueOf(last),
                        Date.valueOf(first),
                        agreementId,
                        Date.valueOf(last),
                        Date.valueOf(first),
                        Date.valueOf(heldBy))
                .query((rs, n) -> new DeliveredDays(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getString(6)))
                .list();
    }

    private static Session session(ResultSet rs, List<Enrolment> enrolments) throws SQLException {
        return new Session(
                rs.getString("id"),
                rs.getString("course_code"),
                rs.getDate("start_date").toLocalDate(),
                rs.getDate("end_date").toLocalDate(),
                rs.getString("place"),
                rs.getInt("capacity"),
                rs.getString("trainer"),
                enrolments);
    }
}
