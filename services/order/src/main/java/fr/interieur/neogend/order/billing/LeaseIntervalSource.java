package fr.interieur.neogend.order.billing;

import java.util.function.Consumer;

/** Inventory's lease intervals of a month (its StreamLeaseIntervals RPC), read as a stream. */
public interface LeaseIntervalSource {

    /**
     * The days of one pack billed to the agreement in the month.
     *
     * @param from        first billed day
     * @param until       day after the last billed day
     * @param deviceImeis the devices the pack held meanwhile, the one there now (or last) first
     */
    record Interval(
            String packId,
            String packType,
            int billedDays,
            String unitCode,
            java.time.LocalDate from,
            java.time.LocalDate until,
            java.util.List<String> deviceImeis) {}

    /**
     * Calls {@code sink} with every pack's interval of the month billed to the agreement, on the
     * current caller's behalf.
     */
    void forEach(String agreementId, int year, int month, Consumer<Interval> sink);

    /** Per pack type: packs with at least one day billed to the agreement in the month, and those days. */
    record TypeDays(String packType, long packs, long billedDays) {}

    /** The same days as {@link #forEach}, summed per pack type by inventory (the statement's figures). */
    java.util.List<TypeDays> sumPerType(String agreementId, int year, int month);

    /** Which of these models the devices of the packs leased under the agreement are, now or before (inventory's). */
    java.util.Set<String> leasedModels(String agreementId, java.util.Collection<String> among);
}
