package fr.interieur.neogend.telemetry.ingestion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * Day partitions of the readings (UTC days): created from the retention's start to a week ahead, and
 * the retention (DOMAIN rule 20): partitions wholly older than the period are dropped, a day at a time,
 * and the default partition is trimmed the same way. Runs at start and then hourly.
 */
@Component
public class ReadingPartitions implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReadingPartitions.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'reading_p'yyyyMMdd");

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration retention;
    private volatile Thread worker;
    private volatile boolean running;

    ReadingPartitions(JdbcClient jdbc, Optional<Clock> clock,
                      @Value("${neogend.telemetry.retention:30d}") Duration retention) {
        this.jdbc = jdbc;
        this.clock = clock.orElse(Clock.systemUTC());
        this.retention = retention;
    }

    /** Creates the missing day partitions and applies the retention; returns the partitions dropped. */
    public List<String> maintain() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate oldestKept = today.minusDays(retention.toDays());
        for (LocalDate day = oldestKept; !day.isAfter(today.plusDays(7)); day = day.plusDays(1)) {
            String name = day.format(NAME);
            try {
                jdbc.sql("create table if not exists " + name + " partition of reading for values from ('" + day
                        + " 00:00:00+00') to ('" + day.plusDays(1) + " 00:00:00+00')").update();
            } catch (RuntimeException e) {
                log.warn("cannot create reading partition {}: {}", name, e.getMessage());
            }
        }
        List<String> old = jdbc.sql("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        join pg_class p on p.oid = i.inhparent
                        where p.relname = 'reading' and c.relname like 'reading_p%' and c.relname < ?
                        order by c.relname""")
                .param(oldestKept.format(NAME)).query(String.class).list();
        for (String name : old) {
            jdbc.sql("drop table " + name).update();
            log.info("retention: dropped readings partition {} (older than {} days)", name, retention.toDays());
        }
        // the partition astride the limit (and the default one): to the second
        java.sql.Timestamp limit = java.sql.Timestamp.from(clock.instant().minus(retention));
        jdbc.sql("delete from reading where recorded_at < ?").param(limit).update();
        // the latest states too: a position older than the period disappears everywhere (rule 20)
        int cleared = jdbc.sql("""
                        update device_state set latitude = null, longitude = null, accuracy_m = null,
                                                position_recorded_at = null, position_sequence = null
                        where position_recorded_at < ?""").param(limit).update();
        if (cleared > 0) {
            log.info("retention: cleared {} latest positions older than {} days", cleared, retention.toDays());
        }
        return old;
    }

    @Override
    public void start() {
        maintain();
        running = true;
        worker = Thread.ofVirtual().name("reading-partitions").start(() -> {
            while (running) {
                try {
                    Thread.sleep(Duration.ofHours(1));
                    maintain();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("reading partition maintenance failed: {}", e.toString());
                }
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
