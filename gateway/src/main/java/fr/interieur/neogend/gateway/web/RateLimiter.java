package fr.interieur.neogend.gateway.web;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per client: each client may send {@code burst} requests at once, then
 * {@code perSecond} a second. In memory, per gateway replica (the chart's replica count multiplies
 * the cluster-wide figure); buckets idle long enough to be full again are forgotten, so the table
 * holds only clients active in the last {@code burst / perSecond} seconds.
 */
public final class RateLimiter {

    /** The answer for one request: allowed, or refused with the wait before the next token. */
    public record Decision(boolean allowed, Duration retryAfter) {}

    private static final int SWEEP_EVERY = 10_000;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private int sinceSweep;

    /**
     * @param perSecond sustained requests per second per client (0: no limit)
     * @param burst     requests a client may send at once
     * @param nanos     the clock, in nanoseconds (System::nanoTime)
     */
    public RateLimiter(double perSecond, int burst, LongSupplier nanos) {
        if (perSecond < 0 || burst < 1) {
            throw new IllegalArgumentException("rate limit: requests-per-second >= 0 and burst >= 1 are required");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** Takes a token from the client's bucket if there is one. */
    public Decision acquire(String client) {
        if (!enabled()) {
            return new Decision(true, Duration.ZERO);
        }
        long now = nanos.getAsLong();
        sweep(now);
        Bucket bucket = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.refill(now, perSecond, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return new Decision(true, Duration.ZERO);
            }
            double wait = (1 - bucket.tokens) / perSecond;
            return new Decision(false, Duration.ofNanos((long) Math.ceil(wait * 1e9)));
        }
    }

    /**
     * Whether the client's bucket holds a token now, without taking it (a client never seen has a
     * full bucket): for limits charged on some outcomes only, e.g. failed authentications.
     */
    public Decision peek(String client) {
        if (!enabled()) {
            return new Decision(true, Duration.ZERO);
        }
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            return new Decision(true, Duration.ZERO);
        }
        long now = nanos.getAsLong();
        synchronized (bucket) {
            bucket.refill(now, perSecond, burst);
            if (bucket.tokens >= 1) {
                return new Decision(true, Duration.ZERO);
            }
            double wait = (1 - bucket.tokens) / perSecond;
            return new Decision(false, Duration.ofNanos((long) Math.ceil(wait * 1e9)));
        }
    }

    /** Forgets buckets that are full again (their client has been quiet long enough). */
    private void sweep(long now) {
        if (++sinceSweep < SWEEP_EVERY) {
            return;
        }
        sinceSweep = 0;
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                e.getValue().refill(now, perSecond, burst);
                return e.getValue().tokens >= burst;
            }
        });
    }

    int clients() {
        return buckets.size();
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long now, double perSecond, double burst) {
            tokens = Math.min(burst, tokens + (now - at) / 1e9 * perSecond);
            at = now;
        }
    }
}
