package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.unit.Unit;
import fr.interieur.neogend.inventory.unit.UnitLevel;
import fr.interieur.neogend.inventory.unit.UnitRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The organisation tree in PostgreSQL (table {@code unit}, materialised paths). */
@Repository
class JdbcUnitRepository implements UnitRepository {

    private static final String COLUMNS = "code, name, level, parent_code, path, created_at, updated_at, version";
    private static final RowMapper<Unit> ROW = (rs, n) -> new Unit(
            rs.getString("code"),
            rs.getString("name"),
            UnitLevel.valueOf(rs.getString("level")),
            Optional.ofNullable(rs.getString("parent_code")),
            rs.getString("path"),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    private final JdbcClient jdbc;

    JdbcUnitRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean insert(Unit u, String actor) {
        return jdbc.sql("""
                        insert into unit (code, name, level, parent_code, path, created_at, updated_at, version,
                                          created_by)
                        values (:code, :name, :level, :parent, :path, :createdAt, :updatedAt, :version, :actor)
                        on conflict (code) do nothing""")
                        .param("code", u.code())
                        .param("name", u.name())
                        .param("level", u.level().name())
                        .param("parent", u.parentCode().orElse(null))
                        .param("path", u.path())
                        .param("createdAt", Timestamp.from(u.createdAt()))
                        .param("updatedAt", Timestamp.from(u.updatedAt()))
                        .param("version", u.version())
                        .param("actor", actor)
                        .update()
                == 1;
    }

    @Override
    public Optional<Unit> find(String code) {
        return jdbc.sql("select " + COLUMNS + " from unit where code = ?")
                .param(code)
                .query(ROW)
                .optional();
    }

    @Override
    public Optional<String> pathHeld(String code) {
        return jdbc.sql("select path from unit where code = ? for share")
                .param(code)
                .query(String.class)
                .optional();
    }

    @Override
    public Map<String, String> pathsOf(Collection<String> codes) {
        return paths(codes, "select code, path from unit where code = any(?::varchar[])");
    }

    @Override
    public Map<String, String> pathsHeld(Collection<String> codes) {
        // in code order, so that two callers holding overlapping sets never wait for each other in a circle
        return paths(codes, "select code, path from unit where code = any(?::varchar[]) order by code for share");
    }

    private Map<String, String> paths(Collection<String> codes, String sql) {
        Map<String, String> paths = new HashMap<>();
        if (!codes.isEmpty()) {
            jdbc.sql(sql)
                    .param(codes.toArray(String[]::new))
                    .query((rs, n) -> paths.put(rs.getString(1), rs.getString(2)))
                    .list();
        }
        return paths;
    }

    @Override
    public List<Unit> children(Optional<String> parentCode, Optional<String> afterCode, int limit) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from unit where ");
        List<Object> args = new ArrayList<>();
        if (parentCode.isPresent()) {
            sql.append("parent_code = ?");
            args.add(parentCode.get());
        } else {
            sql.append("parent_code is null");
        }
        afterCode.ifPresent(a -> {
            sql.append(" and code > ?");
            args.add(a);
        });
        sql.append(" order by code limit ?");
        args.add(limit);
        return jdbc.sql(sql.toString()).params(args).query(ROW).list();
    }

    @Override
    public void lockTree() {
        // SHARE ROW EXCLUSIVE conflicts with itself and with every write of the table, not with reads
        jdbc.sql("lock table unit in share row exclusive mode").update();
    }

    @Override
    public boolean move(Unit unit, String newParentCode, String newPath, long expectedVersion) {
        int moved = jdbc.sql("""
                        update unit set parent_code = ?, version = version + 1, updated_at = now()
                        where code = ? and version = ?""")
                .params(newParentCode, unit.code(), expectedVersion)
                .update();
        if (moved != 1) {
            return false;
        }
        // The whole subtree's paths in one statement; paths hold no LIKE wildcards (see UnitService.CODE).
        jdbc.sql("update unit set path = ? || substr(path, ?) where path like ?")
                .params(newPath, unit.path().length() + 1, unit.path() + "%")
                .update();
        return true;
    }
}
