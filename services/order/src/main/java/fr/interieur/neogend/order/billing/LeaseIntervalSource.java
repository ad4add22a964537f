package fr.interieur.neogend.order.billing;

import java.util.function.Consumer;

/** Inventory's lease intervals of a month (its StreamLeaseIntervals RPC), read as a stream. */
public interface LeaseIntervalSource {

    /** The billable days of one pack in the month. */
    record Interval(String packId, String packType, int billedDays) {
    }

    /** Calls {@code sink} with every pack's interval of the month, on the current caller's behalf. */
    void forEach(int year, int month, Consumer<Interval> sink);
}
