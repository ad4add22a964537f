package fr.interieur.neogend.bench;

import java.time.Duration;
import java.util.List;

/** How long and how hard to measure. {@code --quick} for a smoke run of the harness itself. */
record BenchSettings(Duration warmup, Duration measure, List<Integer> concurrency) {

    static BenchSettings from(String[] args) {
        boolean quick = List.of(args).contains("--quick");
        return quick
                ? new BenchSettings(Duration.ofSeconds(2), Duration.ofSeconds(3), List.of(1, 8))
                : new BenchSettings(Duration.ofSeconds(8), Duration.ofSeconds(15), List.of(1, 4, 16, 64));
    }
}
