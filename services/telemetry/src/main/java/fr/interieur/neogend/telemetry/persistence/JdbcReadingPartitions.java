package fr.interieur.neogend.telemetry.persistence;

import fr.interieur.neogend.telemetry.ingestion.ReadingPartitionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The readings' day partitions ({@code reading_pYYYYMMDD}, partitions of {@code reading}) in PostgreSQL. */
@Repository
class JdbcReadingPartitions implements ReadingPartitionStore {

    private static final Logger log = LoggerFactory.getLogger(JdbcReadingPartitions.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'reading_p'yyyyMMdd");

    private final JdbcClient jdbc;

    JdbcReadingPartitions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void createDay(LocalDate day) {
        String name = day.format(NAME);
        try {
            jdbc.sql("create table if not exists " + name + " partition of reading for values from ('" + day
                            + " 00:00:00+00') to ('" + day.plusDays(1) + " 00:00:00+00')")
                    .update();
        } catch (RuntimeException e) {
            log.warn("cannot create reading partition {}: {}", name, e.getMessage());
        }
    }

    @Override
    public List<String> dropDaysBefore(LocalDate oldestKept) {
        List<String> old =
                jdbc.sql("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        join pg_class p on p.oid = i.inhparent
                        where p.relname = 'reading' and c.relname like 'reading_p%' and c.relname < ?
                        order by c.relname""").param(oldestKept.format(NAME)).query(String.class).list();
        for (String name : old) {
            jdbc.sql("drop table " + name).update();
        }
        return old;
    }
}
