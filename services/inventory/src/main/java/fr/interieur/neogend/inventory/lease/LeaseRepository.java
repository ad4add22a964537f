package fr.interieur.neogend.inventory.lease;

import java.time.YearMonth;
import java.util.function.Consumer;

/** Reads lease intervals from the packs (implemented in the persistence package). */
public interface LeaseRepository {

    /**
     * Calls {@code sink} with every interval of the month in which a pack was leased under the
     * agreement (its lease and its period under that agreement both cover the days), ordered by pack
     * id, reading them with a cursor (never the whole fleet in memory).
     */
    void forEachInterval(YearMonth month, String agreementId, Consumer<LeaseInterval> sink);
}
