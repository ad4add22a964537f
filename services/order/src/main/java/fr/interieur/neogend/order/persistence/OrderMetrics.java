package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.kit.metrics.SqlGauges;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/** Orders per state, and the supplier outbox's backlog and age, for dashboards and alerts. */
@Component
class OrderMetrics {

    OrderMetrics(MeterRegistry registry, JdbcClient jdbc) {
        SqlGauges gauges = new SqlGauges(registry, jdbc, Duration.ofSeconds(10), Clock.systemUTC());
        gauges.perKey(
                "neogend.orders",
                "Purchase orders per state",
                "state",
                Arrays.stream(OrderState.values()).map(Enum::name).toList(),
                "select state, count(*) from purchase_order group by state");
        Tags supplier = Tags.of("outbox", "supplier");
        String waiting = "from supplier_outbox where delivered_at is null and refused_at is null";
        gauges.single(
                "neogend.outbox.backlog",
                "Orders and exchange requests waiting to reach the supplier",
                supplier,
                "select count(*) " + waiting);
        gauges.single(
                "neogend.outbox.oldest.age.seconds",
                "Seconds the oldest unsent message has waited",
                supplier,
                "select extract(epoch from now() - min(created_at)) " + waiting);
        gauges.single(
                "neogend.outbox.refused",
                "Messages the supplier refused, waiting for a person",
                supplier,
                "select count(*) from supplier_outbox where refused_at is not null and delivered_at is null");
    }
}
