package fr.interieur.neogend.telemetry.ingestion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The group commit's promises, tried with many callers at once (the store side is tested in IngestionIT). */
class GroupCommitTest {

    record Batch(String device, int id, int readings) {}

    @Test
    void everyCallerGetsItsOwnAnswerAndADeviceIsNeverInTwoStatementsAtOnce() throws Exception {
        Set<String> beingWritten = ConcurrentHashMap.newKeySet();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Batch, Integer> groups = new GroupCommit<>(
                batches -> {
                    Set<String> mine = new HashSet<>();
                    for (Batch b : batches) {
                        if (!mine.add(b.device())) {
                            problems.add("device " + b.device() + " twice in one statement");
                        }
                        if (!beingWritten.add(b.device())) {
                            problems.add("device " + b.device() + " in two statements at once");
                        }
                    }
                    sleep(2);
                    beingWritten.removeAll(mine);
                    return batches.stream().map(b -> b.id() * 10).toList();
                },
                Batch::device,
                Batch::readings,
                3,
                100,
                sizes::add);
        int callers = 48;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int id = c;
                // 8 devices for 48 callers: each device has six batches racing each other
                answers.add(pool.submit(() -> {
                    start.await();
                    return groups.submit(new Batch("d" + id % 8, id, 1 + id % 7));
                }));
            }
            start.countDown();
            for (int c = 0; c < callers; c++) {
                assertThat(answers.get(c).get(20, TimeUnit.SECONDS)).isEqualTo(c * 10);
            }
        }
        assertThat(problems).isEmpty();
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(callers);
    }

    @Test
    void batchesArrivingWhileAStatementRunsAreWrittenTogetherByTheNext() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<List<Integer>> statements = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Batch, Integer> groups = new GroupCommit<>(
                batches -> {
                    statements.add(batches.stream().map(Batch::id).toList());
                    if (batches.getFirst().id() == 0) {
                        firstStarted.countDown();
                        await(releaseFirst);
                    }
                    return batches.stream().map(Batch::id).toList();
                },
                Batch::device,
                Batch::readings,
                1,
                1000,
                n -> {});
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = pool.submit(() -> groups.submit(new Batch("a", 0, 10)));
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                int id = i;
                later.add(pool.submit(() -> groups.submit(new Batch("d" + id, id, 10))));
            }
            // the five wait for the only writer
            waitUntil(() -> groups.waiting() == 5);
            releaseFirst.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
            for (int i = 0; i < 5; i++) {
                assertThat(later.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
        }
        assertThat(statements).hasSize(2);
        assertThat(statements.get(1)).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
    }

    @Test
    void aFailedStatementFailsEveryBatchInItAndNoOther() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        GroupCommit<Batch, Integer> groups = new GroupCommit<>(
                batches -> {
                    if (calls.incrementAndGet() == 1) {
                        firstStarted.countDown();
                        await(releaseFirst);
                        return List.of(1);
                    }
                    if (calls.get() == 2) {
                        throw new IllegalStateException("database down");
                    }
                    return batches.stream().map(Batch::id).toList();
                },
                Batch::device,
                Batch::readings,
                1,
                1000,
                n -> {});
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = pool.submit(() -> groups.submit(new Batch("a", 1, 1)));
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> failing = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                int id = i;
                failing.add(pool.submit(() -> groups.submit(new Batch("d" + id, id, 1))));
            }
            waitUntil(() -> groups.waiting() == 3);
            releaseFirst.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            for (Future<Integer> f : failing) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("database down");
            }
            // and the next batch is written: the failure left no writer's place taken
            assertThat(pool.submit(() -> groups.submit(new Batch("e", 5, 1))).get(10, TimeUnit.SECONDS))
                    .isEqualTo(5);
        }
    }

    @Test
    void aStatementTakesBatchesWhileTheirReadingsFitAndALoneBatchIsWrittenAtOnce() {
        List<Integer> sizes = new ArrayList<>();
        GroupCommit<Batch, Integer> groups = new GroupCommit<>(
                batches -> batches.stream().map(Batch::id).toList(), Batch::device, Batch::readings, 1, 50, sizes::add);
        // a batch larger than the limit alone still goes
        assertThat(groups.submit(new Batch("a", 7, 80))).isEqualTo(7);
        assertThat(sizes).containsExactly(1);
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(until);
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
