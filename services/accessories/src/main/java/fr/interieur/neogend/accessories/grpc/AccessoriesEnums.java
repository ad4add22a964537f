package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.accessories.stock.MovementKind;

/**
 * The domain's enums as the contract's and back, by exhaustive switches: a value added on one side
 * without its mapping does not compile. An unset or unknown contract value is null: the service
 * refuses it as required, naming the field.
 */
final class AccessoriesEnums {

    private AccessoriesEnums() {}

    static ItemCategory category(fr.interieur.neogend.accessories.v1.ItemCategory category) {
        return switch (category) {
            case ITEM_CATEGORY_ACCESSORY -> ItemCategory.ACCESSORY;
            case ITEM_CATEGORY_SPARE_PART -> ItemCategory.SPARE_PART;
            case ITEM_CATEGORY_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static fr.interieur.neogend.accessories.v1.ItemCategory toProto(ItemCategory category) {
        return switch (category) {
            case ACCESSORY -> fr.interieur.neogend.accessories.v1.ItemCategory.ITEM_CATEGORY_ACCESSORY;
            case SPARE_PART -> fr.interieur.neogend.accessories.v1.ItemCategory.ITEM_CATEGORY_SPARE_PART;
        };
    }

    static MovementKind kind(fr.interieur.neogend.accessories.v1.MovementKind kind) {
        return switch (kind) {
            case MOVEMENT_KIND_RECEIPT -> MovementKind.RECEIPT;
            case MOVEMENT_KIND_ISSUE -> MovementKind.ISSUE;
            case MOVEMENT_KIND_TRANSFER -> MovementKind.TRANSFER;
            case MOVEMENT_KIND_CONSUMPTION -> MovementKind.CONSUMPTION;
            case MOVEMENT_KIND_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static fr.interieur.neogend.accessories.v1.MovementKind toProto(MovementKind kind) {
        return switch (kind) {
            case RECEIPT -> fr.interieur.neogend.accessories.v1.MovementKind.MOVEMENT_KIND_RECEIPT;
            case ISSUE -> fr.interieur.neogend.accessories.v1.MovementKind.MOVEMENT_KIND_ISSUE;
            case TRANSFER -> fr.interieur.neogend.accessories.v1.MovementKind.MOVEMENT_KIND_TRANSFER;
            case CONSUMPTION -> fr.interieur.neogend.accessories.v1.MovementKind.MOVEMENT_KIND_CONSUMPTION;
        };
    }
}
