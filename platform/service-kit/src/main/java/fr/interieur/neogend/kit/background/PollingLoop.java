package fr.interieur.neogend.kit.background;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * A background pass run again and again on a virtual thread (outbox relays): straight away while a
 * pass finds a full batch, otherwise after {@code interval}. A failing pass is logged and retried
 * later. Stopping lets a pass in progress finish (its transaction commits or rolls back cleanly) and
 * interrupts it only if it hangs.
 */
public final class PollingLoop {

    private static final Logger log = LoggerFactory.getLogger(PollingLoop.class);

    private final String name;
    private final Duration interval;
    private final IntSupplier pass;
    private final int fullBatch;
    private volatile Thread worker;
    private volatile boolean running;

    /**
     * @param pass      one pass; returns how many items it handled
     * @param fullBatch a pass returning this many is followed by another at once
     */
    public PollingLoop(String name, Duration interval, IntSupplier pass, int fullBatch) {
        this.name = name;
        this.interval = interval;
        this.pass = pass;
        this.fullBatch = fullBatch;
    }

    public void start() {
        running = true;
        worker = Thread.ofVirtual().name(name).start(() -> {
            while (running) {
                try {
                    if (pass.getAsInt() >= fullBatch) {
                        continue; // more are waiting
                    }
                } catch (RuntimeException e) {
                    log.warn("{} pass failed: {}", name, e.toString());
                }
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    public void stop() {
        running = false;
        Thread t = worker;
        if (t != null) {
            try {
                if (!t.join(Duration.ofSeconds(3))) {
                    t.interrupt();
                    t.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return running;
    }
}
