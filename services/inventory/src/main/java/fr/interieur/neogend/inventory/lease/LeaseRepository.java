package fr.interieur.neogend.inventory.lease;

import fr.interieur.neogend.inventory.device.PackType;

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

    /** Per pack type: packs with at least one day billed to the agreement in the month, and those days. */
    record TypeDays(PackType type, long packs, long billedDays) {}

    /** The same days as {@link #forEachInterval}, summed per pack type by the database. */
    java.util.List<TypeDays> sumPerType(YearMonth month, String agreementId);

    /**
     * The distinct models of the current devices of the packs leased under the agreement, now or before;
     * only those among {@code among} when it is not empty.
     */
    java.util.List<String> leasedModels(String agreementId, java.util.List<String> among);
}
