package fr.interieur.neogend.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Load shapes: closed loop (N callers back to back) and open loop (a fixed request rate). */
final class Load {

    /** One blocking request; {@code i} varies the target. Throws on failure. */
    interface Call {
        void run(long i) throws Exception;
    }

    private Load() {}

    /** {@code concurrency} threads calling back to back for {@code duration} (after {@code warmup}). */
    static LatencyRecorder.Summary closedLoop(Call call, int concurrency, Duration warmup, Duration duration)
            throws InterruptedException {
        return closedLoop(call, concurrency, warmup, duration, () -> {}, () -> {});
    }

    /** The same, running {@code atStart} and {@code atEnd} right at the start and end of the measured time. */
    static LatencyRecorder.Summary closedLoop(
            Call call, int concurrency, Duration warmup, Duration duration, Runnable atStart, Runnable atEnd)
            throws InterruptedException {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        List<LatencyRecorder> recorders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            LatencyRecorder recorder = new LatencyRecorder();
            recorders.add(recorder);
            long seed = t * 1_000_003L;
            Thread thread = Thread.ofPlatform().name("load-" + t).start(() -> {
                long i = seed;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        call.run(i++);
                        if (measuring.get()) {
                            recorder.record((System.nanoTime() - start) / 1000);
                        }
                    } catch (Exception e) {
                        if (measuring.get()) {
                            recorder.error();
                        }
                    }
                }
            });
            threads.add(thread);
        }
        Thread.sleep(warmup.toMillis());
        atStart.run();
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(duration.toMillis());
        measuring.set(false);
        atEnd.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        return LatencyRecorder.summarize(recorders, seconds);
    }

    /**
     * Requests at a fixed rate: request {@code i} is due at {@code start + i / rate}; {@code workers}
     * threads take the next due request, wait for its time, send it, and count its latency from the
     * time it was due (so a slow server cannot hide its queue: no coordinated omission).
     */
    static LatencyRecorder.Summary openLoop(
            Call call, double ratePerSecond, int workers, Duration warmup, Duration duration)
            throws InterruptedException {
        long intervalNanos = Math.max(1, (long) (1e9 / ratePerSecond));
        long total = (warmup.toNanos() + duration.toNanos()) / intervalNanos;
        long warmupCount = warmup.toNanos() / intervalNanos;
        AtomicLong next = new AtomicLong();
        List<LatencyRecorder> recorders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long base = System.nanoTime() + 50_000_000L;
        for (int w = 0; w < workers; w++) {
            LatencyRecorder recorder = new LatencyRecorder();
            recorders.add(recorder);
            threads.add(Thread.ofPlatform().name("rate-" + w).start(() -> {
                for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = base + i * intervalNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    try {
                        call.run(i);
                        if (i >= warmupCount) {
                            recorder.record((System.nanoTime() - due) / 1000);
                        }
                    } catch (Exception e) {
                        if (i >= warmupCount) {
                            recorder.error();
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return LatencyRecorder.summarize(recorders, duration.toNanos() / 1e9);
    }
}
