package fr.interieur.neogend.telemetry;

import fr.interieur.neogend.testkit.ServiceIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Telemetry's schema, as every migration leaves it on plain PostgreSQL, keeps the rules Citus sets for
 * the placement ADR 0023 chose (issue 21): each table is distributed by device, a reference table
 * (copied to every node) or local to the coordinator; a distributed table's every primary and unique key
 * holds the device column, and its foreign keys point at reference tables or, through the device column,
 * at another distributed table; a reference table points at reference tables only; a local table at
 * local or reference tables. A new table must be placed here, or this test fails.
 */
@ServiceIT
class CitusReadySchemaIT {

    /** The device column every distributed table is distributed by (co-located: same shard per device). */
    static final String DEVICE = "imei";

    static final Set<String> DISTRIBUTED = Set.of(
            "reading", "device_state", "device_revocation", "device_command", "inventory_event", "campaign_device");
    static final Set<String> REFERENCE =
            Set.of("rom_release", "update_campaign", "campaign_window", "device_credential");
    /** On the coordinator: the position audit, and the service kit's audit and idempotency tables. */
    static final Set<String> LOCAL = Set.of(
            "position_access",
            "position_access_device",
            "ingest_offset",
            "audit_event",
            "idempotency_record",
            "flyway_schema_history");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Test
    void everyTableIsPlacedAndKeepsCitusRules() {
        assertThat(problems()).isEmpty();
    }

    /** The rules catch what breaks them: keys planted in a transaction rolled back (DDL is transactional). */
    @Test
    void aKeyWithoutTheDeviceAndATableNotPlacedAreCaught() {
        var tx = new org.springframework.transaction.support.TransactionTemplate(transactions);
        List<String> found = tx.execute(status -> {
            status.setRollbackOnly();
            jdbc.sql("alter table device_command add constraint planted_id unique (id)")
                    .update();
            jdbc.sql("alter table campaign_device add constraint planted_command "
                            + "foreign key (command_id) references device_command (id)")
                    .update();
            jdbc.sql("alter table rom_release add column planted_imei char(15)").update();
            jdbc.sql("alter table rom_release add constraint planted_state "
                            + "foreign key (planted_imei) references device_state (imei)")
                    .update();
            jdbc.sql("create table planted_table (id bigint primary key)").update();
            return problems();
        });
        assertThat(found)
                .containsExactlyInAnyOrder(
                        "device_command: unique key planted_id [id] does not hold imei",
                        "campaign_device: foreign key planted_command to device_command [command_id] → [id] does not"
                                + " go through imei (a foreign key between distributed tables stays inside one device's"
                                + " shard)",
                        "rom_release: foreign key planted_state points from a reference table at device_state"
                                + " (reference tables point at reference tables only)",
                        "planted_table: placed 0 times (distributed, reference or local: once)");
        assertThat(problems()).as("rolled back").isEmpty();
    }

    /** The rules, checked on the live catalog; each broken rule is one line naming the table and the key. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        Set<String> tables = new TreeSet<>(jdbc.sql("""
                        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition""").query(String.class).list());
        for (String t : tables) {
            int placed =
                    (DISTRIBUTED.contains(t) ? 1 : 0) + (REFERENCE.contains(t) ? 1 : 0) + (LOCAL.contains(t) ? 1 : 0);
            if (placed != 1) {
                problems.add(t + ": placed " + placed + " times (distributed, reference or local: once)");
            }
        }
        Set<String> placed = new HashSet<>(DISTRIBUTED);
        placed.addAll(REFERENCE);
        placed.addAll(LOCAL);
        placed.removeAll(tables);
        placed.forEach(t -> problems.add(t + ": placed but no such table"));

        for (String t : DISTRIBUTED) {
            Boolean notNull = jdbc.sql("""
                            select a.attnotnull from pg_attribute a
                            where a.attrelid = ?::regclass and a.attname = ? and not a.attisdropped""")
                    .params(t, DEVICE)
                    .query(Boolean.class)
                    .optional()
                    .orElse(null);
            if (!Boolean.TRUE.equals(notNull)) {
                problems.add(t + ": distributed by " + DEVICE + ", which it lacks or allows null");
            }
            // every unique index, the primary key's and partial ones included
            jdbc.sql("""
                            select i.relname,
                                   array(select a.attname from unnest(x.indkey) k
                                         join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k)::text[]
                            from pg_index x join pg_class i on i.oid = x.indexrelid
                            where x.indrelid = ?::regclass and x.indisunique""")
                    .param(t)
                    .query((rs, n) -> Map.entry(
                            rs.getString(1), List.of((String[]) rs.getArray(2).getArray())))
                    .list()
                    .forEach(index -> {
                        if (!index.getValue().contains(DEVICE)) {
                            problems.add(t + ": unique key " + index.getKey() + " " + index.getValue()
                                    + " does not hold " + DEVICE);
                        }
                    });
            // identity columns of distributed tables must be bigint
            jdbc.sql("""
                            select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a
                            where a.attrelid = ?::regclass and a.attidentity <> '' and a.atttypid <> 'bigint'::regtype""")
                    .param(t)
                    .query((rs, n) -> rs.getString(1) + " " + rs.getString(2))
                    .list()
                    .forEach(c -> problems.add(t + ": identity column " + c + " (bigint only)"));
        }

        jdbc.sql("""
                        select c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
                               array(select a.attname from unnest(c.conkey) with ordinality k(n, o)
                                     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n
                                     order by k.o)::text[],
                               array(select a.attname from unnest(c.confkey) with ordinality k(n, o)
                                     join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n
                                     order by k.o)::text[]
                        from pg_constraint c join pg_class r on r.oid = c.conrelid
                        where c.contype = 'f' and not r.relispartition
                          and c.connamespace = current_schema()::regnamespace and c.conparentid = 0""")
                .query((rs, n) -> new ForeignKey(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()),
                        List.of((String[]) rs.getArray(5).getArray())))
                .list()
                .forEach(fk -> {
                    String problem = fk.problem();
                    if (problem != null) {
                        problems.add(fk.from() + ": foreign key " + fk.name() + " " + problem);
                    }
                });
        return problems;
    }

    record ForeignKey(String name, String from, String to, List<String> columns, List<String> referenced) {

        String problem() {
            if (REFERENCE.contains(to)) {
                return null; // any table may point at a reference table (copied to every node)
            }
            if (REFERENCE.contains(from)) {
                return "points from a reference table at " + to + " (reference tables point at reference tables only)";
            }
            if (DISTRIBUTED.contains(from) != DISTRIBUTED.contains(to)) {
                return "joins distributed and local tables (" + from + " → " + to + ")";
            }
            if (DISTRIBUTED.contains(from)) {
                int at = columns.indexOf(DEVICE);
                if (at < 0 || !DEVICE.equals(referenced.get(at))) {
                    return "to " + to + " " + columns + " → " + referenced + " does not go through " + DEVICE
                            + " (a foreign key between distributed tables stays inside one device's shard)";
                }
            }
            return null;
        }
    }
}
