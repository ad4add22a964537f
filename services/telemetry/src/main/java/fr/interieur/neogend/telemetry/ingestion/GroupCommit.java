package fr.interieur.neogend.telemetry.ingestion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit of concurrent uploads (issue 16): the batches of devices uploading at the same time are
 * written by one statement, so each upload no longer pays for a statement, a round trip and a commit of
 * its own. No thread of its own and no timer: a caller that finds a writer's place free becomes the
 * writer and takes every batch waiting (up to {@code maxReadings}); the others wait for their answer,
 * which is given only once the statement holding their batch has committed — an acknowledged batch is
 * durable, as before. A lone upload is written at once, never held back to wait for company.
 *
 * <p>A device is in at most one statement at a time: a second batch of a device whose first is being
 * written waits for the next statement. So a statement never touches a device's latest state twice (which
 * PostgreSQL refuses) and two statements never lock the same devices in opposite orders.
 *
 * <p>When a statement fails, every batch in it fails with the same exception and nothing of any was
 * stored (one statement is one transaction): each device sends its batch again.
 *
 * @param <B> a batch (one device's readings)
 * @param <R> what writing a batch answers
 */
public final class GroupCommit<B, R> {

    /** Writes batches of distinct devices in one transaction, answering each in order. */
    public interface Writer<B, R> {
        List<R> write(List<B> batches);
    }

    private final Writer<B, R> writer;
    private final Function<B, String> device;
    private final Function<B, Integer> size;
    private final int maxReadings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Pending<B, R>> waiting = new ArrayDeque<>();
    private final Set<String> inFlight = new HashSet<>();
    private int freeWriters;
    private final java.util.function.IntConsumer groupSizes;

    /**
     * @param writers     how many statements may run at once (each takes a database connection)
     * @param maxReadings a statement takes batches while their readings stay under this (one batch always)
     * @param groupSizes  told the number of batches of each statement (a metric)
     */
    public GroupCommit(
            Writer<B, R> writer,
            Function<B, String> device,
            Function<B, Integer> size,
            int writers,
            int maxReadings,
            java.util.function.IntConsumer groupSizes) {
        if (writers < 1 || maxReadings < 1) {
            throw new IllegalArgumentException("writers and maxReadings must be at least 1");
        }
        this.writer = writer;
        this.device = device;
        this.size = size;
        this.freeWriters = writers;
        this.maxReadings = maxReadings;
        this.groupSizes = groupSizes;
    }

    private static final class Pending<B, R> {
        final B batch;
        R result;
        RuntimeException failure;
        boolean done;

        Pending(B batch) {
            this.batch = batch;
        }
    }

    /** Writes the batch with whichever batches wait alongside it; returns once its statement committed. */
    public R submit(B batch) {
        Pending<B, R> mine = new Pending<>(batch);
        List<Pending<B, R>> group = null;
        lock.lock();
        try {
            waiting.addLast(mine);
            while (!mine.done) {
                if (freeWriters > 0 && !blocked(mine)) {
                    freeWriters--;
                    group = take(mine);
                    break;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        if (group == null) {
            return answer(mine);
        }
        try {
            write(group);
        } finally {
            lock.lock();
            try {
                freeWriters++;
                for (Pending<B, R> p : group) {
                    inFlight.remove(device.apply(p.batch));
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return answer(mine);
    }

    /** How many batches wait for a statement (for tests and a gauge). */
    public int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the caller's own batch must wait: its device is being written already. */
    private boolean blocked(Pending<B, R> mine) {
        return inFlight.contains(device.apply(mine.batch));
    }

    /**
     * The group of the writer (under the lock): its own batch first, then the waiting batches in order of
     * arrival while the readings fit, skipping devices already taken or being written.
     */
    private List<Pending<B, R>> take(Pending<B, R> mine) {
        List<Pending<B, R>> group = new ArrayList<>();
        waiting.remove(mine);
        group.add(mine);
        inFlight.add(device.apply(mine.batch));
        int readings = size.apply(mine.batch);
        for (Iterator<Pending<B, R>> it = waiting.iterator(); it.hasNext(); ) {
            Pending<B, R> p = it.next();
            int n = size.apply(p.batch);
            if (readings + n > maxReadings) {
                break;
            }
            if (inFlight.add(device.apply(p.batch))) {
                it.remove();
                group.add(p);
                readings += n;
            }
        }
        return group;
    }

    private void write(List<Pending<B, R>> group) {
        List<R> results = null;
        RuntimeException failure = null;
        try {
            results = writer.write(group.stream().map(p -> p.batch).toList());
            if (results.size() != group.size()) {
                throw new IllegalStateException("the writer answered " + results.size() + " of " + group.size());
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) { // the waiting callers must be answered whatever happened
            failure = new IllegalStateException("writing the group failed", e);
        }
        groupSizes.accept(group.size());
        lock.lock();
        try {
            for (int i = 0; i < group.size(); i++) {
                Pending<B, R> p = group.get(i);
                p.failure = failure;
                p.result = failure == null ? results.get(i) : null;
                p.done = true;
            }
        } finally {
            lock.unlock();
        }
    }

    private R answer(Pending<B, R> p) {
        lock.lock();
        try {
            if (p.failure != null) {
                throw p.failure;
            }
            return p.result;
        } finally {
            lock.unlock();
        }
    }
}
