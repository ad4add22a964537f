package fr.interieur.neogend.kit.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Gauges whose values are read from the service's own database (orders per state, outbox backlog
 * and age…). A scrape reads the query's result at most once per {@code maxAge}, so a busy scraper
 * costs one small query per period; a failing query shows as NaN rather than failing the scrape.
 * The gauges hold their state strongly: Micrometer's default weak reference let the garbage collector
 * take it (nothing else refers to it), after which the gauge read NaN for good and no alert fired.
 */
public final class SqlGauges {

    private final MeterRegistry registry;
    private final JdbcClient jdbc;
    private final Duration maxAge;
    private final Clock clock;

    public SqlGauges(MeterRegistry registry, JdbcClient jdbc, Duration maxAge, Clock clock) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** One gauge read from a query returning a single number (null: 0). */
    public void single(String name, String description, Tags tags, String sql) {
        Cached cached = new Cached(() -> {
            Number n = jdbc.sql(sql)
                    .query((rs, i) -> (Number) rs.getObject(1))
                    .optional()
                    .orElse(null);
            return Map.of("", n == null ? 0.0 : n.doubleValue());
        });
        Gauge.builder(name, cached, c -> c.value(""))
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    /**
     * One gauge per key, tagged {@code tagKey=key}, read from a query returning (key, number) rows; a
     * key without a row reads 0.
     */
    public void perKey(String name, String description, String tagKey, Collection<String> keys, String sql) {
        Cached cached = new Cached(() -> {
            Map<String, Double> values = new HashMap<>();
            jdbc.sql(sql).query(rs -> {
                values.put(rs.getString(1), rs.getDouble(2));
            });
            return values;
        });
        for (String key : keys) {
            Gauge.builder(name, cached, c -> c.value(key))
                    .description(description)
                    .tags(tagKey, key)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private interface Query {
        Map<String, Double> run();
    }

    /** The query's last result, refreshed when older than maxAge. */
    private final class Cached {
        private final Query query;
        private Map<String, Double> values = Map.of();
        private Instant readAt = Instant.MIN;

        Cached(Query query) {
            this.query = query;
        }

        synchronized double value(String key) {
            Instant now = clock.instant();
            if (readAt.plus(maxAge).isBefore(now)) {
                readAt = now;
                try {
                    values = query.run();
                } catch (RuntimeException e) {
                    values = null; // unknown until the next read succeeds
                }
            }
            return values == null ? Double.NaN : values.getOrDefault(key, 0.0);
        }
    }
}
