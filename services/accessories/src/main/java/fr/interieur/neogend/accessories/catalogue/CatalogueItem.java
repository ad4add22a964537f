package fr.interieur.neogend.accessories.catalogue;

import java.util.List;

/**
 * An accessory or spare part of the catalogue.
 *
 * @param fitsModels        model names (or name starts) it fits
 * @param agreementItemCode its line in the agreement's price schedule
 */
public record CatalogueItem(
        String code, String label, ItemCategory category, List<String> fitsModels, String agreementItemCode) {

    public CatalogueItem {
        fitsModels = List.copyOf(fitsModels);
    }

    /** Whether it fits a device model: one of its names is the model or starts it. */
    public boolean fits(String model) {
        return fitsModels.stream().anyMatch(model::startsWith);
    }
}
