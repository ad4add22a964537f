package fr.interieur.neogend.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Load shapes: closed loop (N callers back to back) and open loop (a fixed request rate). */
final class Load {

    /** One blocking request; {@code i} varies the target. Throws on failure. */
    interface Call {
        void run(long i) throws Exception;
    }

    /** One asynchronous request. */
    interface AsyncCall {
        CompletableFuture<?> start(long i);
    }

    private Load() {
    }

    /** {@code concurrency} threads calling back to back for {@code duration} (after {@code warmup}). */
    static LatencyRecorder.Summary closedLoop(Call call, int concurrency, Duration warmup, Duration duration)
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
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(duration.toMillis());
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        return LatencyRecorder.summarize(recorders, seconds);
    }

    /**
     * Requests started at a fixed rate whatever the answers (no coordinated omission: latency counts
     * from the intended start time).
     */
    static LatencyRecorder.Summary openLoop(AsyncCall call, double ratePerSecond, Duration warmup, Duration duration)
            throws InterruptedException {
        long intervalNanos = Math.max(1, (long) (1e9 / ratePerSecond));
        long total = (warmup.toNanos() + duration.toNanos()) / intervalNanos;
        long warmupCount = warmup.toNanos() / intervalNanos;
        LatencyRecorder recorder = new LatencyRecorder();
        CountDownLatch done = new CountDownLatch((int) total);
        AtomicLong issued = new AtomicLong();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long base = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            long index = issued.getAndIncrement();
            if (index >= total) {
                return;
            }
            long intended = base + index * intervalNanos;
            call.start(index).whenComplete((r, e) -> {
                long latency = (System.nanoTime() - intended) / 1000;
                if (index >= warmupCount) {
                    synchronized (recorder) {
                        if (e == null) {
                            recorder.record(latency);
                        } else {
                            recorder.error();
                        }
                    }
                }
                done.countDown();
            });
        }, 0, intervalNanos, TimeUnit.NANOSECONDS);
        done.await(duration.toSeconds() + warmup.toSeconds() + 60, TimeUnit.SECONDS);
        ticker.shutdownNow();
        synchronized (recorder) {
            return LatencyRecorder.summarize(List.of(recorder), duration.toNanos() / 1e9);
        }
    }
}
