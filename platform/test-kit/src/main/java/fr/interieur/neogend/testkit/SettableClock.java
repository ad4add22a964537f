package fr.interieur.neogend.testkit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock a test moves ({@link #now}), given to the service under test as its {@code Clock} bean: to try a
 * rule at a Paris midnight, a month's end, a session's first day.
 */
public final class SettableClock extends Clock {

    /** The instant the service sees; set it before the call. */
    public volatile Instant now = Instant.now();

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(now, zone);
    }

    @Override
    public Instant instant() {
        return now;
    }
}
