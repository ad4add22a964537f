package fr.interieur.neogend.accessories.catalogue;

/** One row of the accessories service's skeleton listing (catalogue items). */
public record CatalogueItem(
        String code,
        String label,
        String category) {
}
