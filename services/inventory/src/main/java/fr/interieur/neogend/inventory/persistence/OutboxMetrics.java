package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.kit.metrics.SqlGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;

/**
 * The outbox's backlog (events waiting: neither delivered nor parked), the age of the oldest waiting
 * one, and the parked events a person has to look at ({@code neogend_outbox_parked}; the chart's
 * PrometheusRule alerts on it), for dashboards and alerts.
 */
@Component
class OutboxMetrics {

    OutboxMetrics(MeterRegistry registry, JdbcClient jdbc) {
        SqlGauges gauges = new SqlGauges(registry, jdbc, Duration.ofSeconds(10), Clock.systemUTC());
        Tags tags = Tags.of("outbox", "inventory-events");
        String waiting = "from outbox where delivered_at is null and parked_at is null";
        gauges.single("neogend.outbox.backlog", "Events waiting to be delivered", tags, "select count(*) " + waiting);
        gauges.single(
                "neogend.outbox.oldest.age.seconds",
                "Seconds the oldest waiting event has waited",
                tags,
                "select extract(epoch from now() - min(created_at)) " + waiting);
        gauges.single(
                "neogend.outbox.parked",
                "Events the receiver refused for good, waiting for a person",
                tags,
                "select count(*) from outbox where parked_at is not null and delivered_at is null");
    }
}
