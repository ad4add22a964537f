package fr.interieur.neogend.accessories.catalogue;

import java.util.List;
import java.util.Optional;

/** Storage of catalogue items (implemented in the persistence package). */
public interface CatalogueItemRepository {

    /** One item by code. */
    Optional<CatalogueItem> find(String code);

    /** At most {@code limit} rows ordered by code, after {@code after} when given. */
    List<CatalogueItem> page(Optional<String> after, int limit);
}
