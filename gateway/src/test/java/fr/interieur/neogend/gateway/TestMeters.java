package fr.interieur.neogend.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What a test reads of a meter registry. */
public final class TestMeters {

    private TestMeters() {}

    /** Each timer of that name by its tags ({@code {key=value, …}}, sorted), with its count. */
    public static Map<String, Long> timerCounts(MeterRegistry registry, String name) {
        return registry.getMeters().stream()
                .filter(m -> m instanceof Timer && m.getId().getName().equals(name))
                .collect(Collectors.toMap(
                        m -> new TreeMap<>(m.getId().getTags().stream()
                                        .collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue())))
                                .toString(),
                        m -> ((Timer) m).count(),
                        Long::sum,
                        TreeMap::new));
    }
}
