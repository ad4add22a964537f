package fr.interieur.neogend.telemetry.ingestion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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

    private final ReadingPartitionStore partitions;
    private final ReadingStore readings;
    private final Clock clock;
    private final Duration retention;
    private volatile Thread worker;
    private volatile boolean running;

    ReadingPartitions(
            ReadingPartitionStore partitions,
            ReadingStore readings,
            Optional<Clock> clock,
            @Value("${neogend.telemetry.retention:30d}") Duration retention) {
        this.partitions = partitions;
        this.readings = readings;
        this.clock = clock.orElse(Clock.systemUTC());
        this.retention = retention;
    }

    /** Creates the missing day partitions and applies the retention; returns the partitions dropped. */
    public List<String> maintain() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        // the UTC day of the limit itself, not today less the whole days of the period: a retention of 36
        // hours keeps the younger part of the day two days back (its partition astride the limit)
        LocalDate oldestKept = LocalDate.ofInstant(now.minus(retention), ZoneOffset.UTC);
        for (LocalDate day = oldestKept; !day.isAfter(today.plusDays(7)); day = day.plusDays(1)) {
            partitions.createDay(day);
        }
        List<String> old = partitions.dropDaysBefore(oldestKept);
        old.forEach(name -> log.info("retention: dropped readings partition {} (older than {})", name, retention));
        int cleared = readings.forgetBefore(now.minus(retention));
        if (cleared > 0) {
            log.info("retention: cleared {} latest positions older than {}", cleared, retention);
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
