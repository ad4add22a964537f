package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.HistoryEntry;
import fr.interieur.neogend.inventory.device.HistoryRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The history in PostgreSQL (table {@code history}, before/after as jsonb). */
@Repository
class JdbcHistoryRepository implements HistoryRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcHistoryRepository(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public void append(List<Change> changes, String actor, Instant at) {
        if (changes.isEmpty()) {
            return;
        }
        Timestamp when = Timestamp.from(at);
        jdbcTemplate.batchUpdate("""
                insert into history (subject_type, subject_id, device_imei, action, actor, at, before, after)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""", changes, 1000, (ps, c) -> {
            ps.setString(1, c.subjectType());
            ps.setString(2, c.subjectId());
            ps.setString(3, c.deviceImei());
            ps.setString(4, c.action());
            ps.setString(5, actor);
            ps.setTimestamp(6, when);
            if (c.before().isEmpty()) {
                ps.setNull(7, Types.VARCHAR);
            } else {
                ps.setString(7, JSON.writeValueAsString(c.before()));
            }
            ps.setString(8, JSON.writeValueAsString(c.after()));
        });
    }

    @Override
    public List<HistoryEntry> forDevice(String imei, Optional<Long> afterId, int limit) {
        List<Object> args = new ArrayList<>(List.of(imei));
        String after = "";
        if (afterId.isPresent()) {
            after = " and id > ?";
            args.add(afterId.get());
        }
        args.add(limit);
        return jdbc.sql("select id, subject_type, subject_id, action, actor, at, before::text, after::text "
                        + "from history where device_imei = ?" + after + " order by id limit ?")
                .params(args)
                .query((rs, n) -> new HistoryEntry(
                        rs.getLong("id"),
                        rs.getString("subject_type"),
                        rs.getString("subject_id"),
                        rs.getString("action"),
                        rs.getString("actor"),
                        rs.getTimestamp("at").toInstant(),
                        parse(rs.getString("before")),
                        parse(rs.getString("after"))))
                .list();
    }

    private static Map<String, Object> parse(String json) {
        return json == null ? Map.of() : JSON.readValue(json, MAP);
    }
}
