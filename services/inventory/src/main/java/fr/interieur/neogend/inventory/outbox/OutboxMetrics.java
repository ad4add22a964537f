package fr.interieur.neogend.inventory.outbox;

import fr.interieur.neogend.kit.metrics.SqlGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;

/** The outbox's backlog and the age of its oldest undelivered event, for dashboards and alerts. */
@Component
class OutboxMetrics {

    OutboxMetrics(MeterRegistry registry, JdbcClient jdbc) {
        SqlGauges gauges = new SqlGauges(registry, jdbc, Duration.ofSeconds(10), Clock.systemUTC());
        Tags tags = Tags.of("outbox", "inventory-events");
        gauges.single("neogend.outbox.backlog", "Events waiting to be delivered", tags,
                "select count(*) from outbox where delivered_at is null");
        gauges.single("neogend.outbox.oldest.age.seconds", "Seconds the oldest undelivered event has waited", tags,
                "select extract(epoch from now() - min(created_at)) from outbox where delivered_at is null");
    }
}
