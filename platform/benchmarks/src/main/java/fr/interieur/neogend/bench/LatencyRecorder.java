package fr.interieur.neogend.bench;

import java.util.Arrays;

/** Latencies of one run, in microseconds; thread-confined (one per worker), merged at the end. */
final class LatencyRecorder {

    private long[] values = new long[1 << 16];
    private int size;
    private long errors;

    void record(long micros) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = micros;
    }

    void error() {
        errors++;
    }

    static Summary summarize(Iterable<LatencyRecorder> recorders, double seconds) {
        int total = 0;
        long errors = 0;
        for (LatencyRecorder r : recorders) {
            total += r.size;
            errors += r.errors;
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencyRecorder r : recorders) {
            System.arraycopy(r.values, 0, all, at, r.size);
            at += r.size;
        }
        Arrays.sort(all);
        return new Summary(total / seconds, percentile(all, 0.50), percentile(all, 0.99), total, errors);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }

    /** Throughput (requests/s), p50 and p99 (ms), count and errors. */
    record Summary(double throughput, double p50Millis, double p99Millis, long count, long errors) {}
}
