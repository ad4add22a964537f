package fr.interieur.neogend.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The platform's own metrics (named {@code neogend.*}), read from where the components register them
 * in their source, by the name Prometheus scrapes (Micrometer's naming: dots become underscores,
 * counters end in {@code _total}, timers in {@code _seconds_count} and the like), with the components
 * that export each. Alerts and dashboard queries are checked against it, so neither can name a metric
 * nobody exports. (The framework's metrics — JVM, pool, gRPC, HTTP — are checked against a real scrape
 * by the end-to-end test.)
 */
final class ExportedMetrics {

    private static final Pattern REGISTRATION =
            Pattern.compile("(gauges\\.single|gauges\\.perKey|Gauge\\.builder|Counter\\.builder|Timer\\.builder"
                    + "|DistributionSummary\\.builder)\\(\\s*\"(neogend\\.[a-z0-9_.]+)\"");
    /** A metric name in a PromQL expression (followed by its selector). */
    private static final Pattern QUERIED = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    private ExportedMetrics() {}

    /** Prometheus name → components exporting it. */
    static Map<String, Set<String>> byComponent() {
        Path root = Chart.dir().getParent().getParent();
        Map<String, Set<String>> exported = new HashMap<>();
        for (String component : List.of("inventory", "order", "accessories", "training", "telemetry", "gateway")) {
            Path sources = component.equals("gateway")
                    ? root.resolve("gateway/src/main/java")
                    : root.resolve("services/" + component + "/src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = REGISTRATION.matcher(Files.readString(file));
                    while (m.find()) {
                        for (String name : prometheusNames(m.group(1), m.group(2))) {
                            exported.computeIfAbsent(name, n -> new HashSet<>()).add(component);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return exported;
    }

    private static List<String> prometheusNames(String how, String micrometerName) {
        String base = micrometerName.replace('.', '_');
        return switch (how) {
            case "Counter.builder" -> List.of(base + "_total");
            case "Timer.builder" ->
                List.of(
                        base + "_seconds_count",
                        base + "_seconds_sum",
                        base + "_seconds_max",
                        base + "_seconds_bucket");
            case "DistributionSummary.builder" ->
                List.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
            default -> List.of(base);
        };
    }

    /** The {@code neogend_*} metrics these PromQL expressions query. */
    static Set<String> queried(Collection<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = QUERIED.matcher(expr);
            while (m.find()) {
                if (m.group(1).startsWith("neogend_")) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The {@code neogend_*} metrics these expressions query that no component exports. */
    static Set<String> unknown(Collection<String> expressions) {
        Set<String> unknown = new TreeSet<>(queried(expressions));
        unknown.removeAll(byComponent().keySet());
        return unknown;
    }
}
