package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.outbox.OutboxStore;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The outbox in PostgreSQL (table {@code outbox}: its only writer). */
@Repository
class JdbcOutboxStore implements OutboxStore {

    private static final String COLUMNS = "o.id, o.event_id::text, o.kind, o.subject_id, o.payload, o.attempts";
    private static final RowMapper<Event> EVENT = (rs, n) ->
            new Event(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5), rs.getInt(6));

    private final JdbcClient jdbc;

    JdbcOutboxStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void write(UUID eventId, String destination, String kind, String subject, byte[] payload, Instant at) {
        jdbc.sql("""
                        insert into outbox (event_id, destination, kind, subject_id, payload, created_at, next_attempt_at)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .params(eventId, destination, kind, subject, payload, Timestamp.from(at), Timestamp.from(at))
                .update();
    }

    @Override
    public List<Event> lockDueHeads(int limit) {
        return jdbc.sql("select " + COLUMNS + """
                         from outbox o
                        where o.delivered_at is null and o.parked_at is null and o.next_attempt_at <= now()
                          and not exists (select 1 from outbox e
                                           where e.subject_id = o.subject_id and e.id < o.id
                                             and e.delivered_at is null and e.parked_at is null)
                        order by o.id limit ? for update of o skip locked""").param(limit).query(EVENT).list();
    }

    @Override
    public Optional<Event> lockNext(Event after) {
        return jdbc.sql("select " + COLUMNS + """
                         from outbox o
                        where o.subject_id = ? and o.id > ? and o.delivered_at is null and o.parked_at is null
                        order by o.id limit 1 for update of o""")
                .params(after.subject(), after.id())
                .query(EVENT)
                .optional();
    }

    @Override
    public void delivered(long id) {
        jdbc.sql("update outbox set delivered_at = now(), attempts = attempts + 1, last_error = null where id = ?")
                .param(id)
                .update();
    }

    @Override
    public void park(long id, String reason) {
        // next_attempt_at 'infinity': not due for any relay, even one of an older version
        jdbc.sql("""
                        update outbox set parked_at = now(), parked_reason = ?, last_error = ?,
                                          attempts = attempts + 1, next_attempt_at = 'infinity'
                        where id = ?""").params(reason, reason, id).update();
    }

    @Override
    public void retryLater(long id, String reason, Duration wait) {
        jdbc.sql("""
                        update outbox set attempts = attempts + 1, last_error = ?,
                                          next_attempt_at = now() + ? * interval '1 millisecond'
                        where id = ?""").params(reason, wait.toMillis(), id).update();
    }

    @Override
    public int deleteDeliveredBefore(Duration keep) {
        return jdbc.sql("delete from outbox where delivered_at < now() - ? * interval '1 second'")
                .param(keep.toSeconds())
                .update();
    }

    @Override
    public Backlog backlog() {
        return jdbc.sql("""
                        select count(*) filter (where parked_at is null),
                               min(created_at) filter (where parked_at is null),
                               count(*) filter (where parked_at is not null)
                          from outbox where delivered_at is null""")
                .query((rs, n) -> new Backlog(
                        rs.getLong(1),
                        Optional.ofNullable(rs.getTimestamp(2)).map(Timestamp::toInstant),
                        rs.getLong(3)))
                .single();
    }
}
