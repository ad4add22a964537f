package fr.interieur.neogend.inventory.lease;

import java.time.YearMonth;
import java.util.function.Consumer;

/** Reads lease intervals from the packs (implemented in the persistence package). */
public interface LeaseRepository {

    /**
     * Calls {@code sink} with every interval of packs whose lease overlaps the month, ordered by pack
     * id, reading them with a cursor (never the whole fleet in memory).
     */
    void forEachInterval(YearMonth month, Consumer<LeaseInterval> sink);
}
