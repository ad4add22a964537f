package fr.interieur.neogend.accessories.catalogue;

import java.util.List;
import java.util.Optional;

/** Storage of catalogue items (table {@code catalogue_item}, owned by the persistence adapter implementing this port). */
public interface CatalogueItemRepository {

    /** One item by code. */
    Optional<CatalogueItem> find(String code);

    /**
     * Stores a new item (its price line: {@code agreementItemCode}, or its own code when empty); false
     * when an item of that code exists already (nothing changed).
     */
    boolean insert(
            String code,
            String label,
            ItemCategory category,
            List<String> fitsModels,
            Optional<String> agreementItemCode);

    /** At most {@code limit} rows ordered by code, after {@code after} when given. */
    List<CatalogueItem> page(Optional<String> after, int limit);
}
