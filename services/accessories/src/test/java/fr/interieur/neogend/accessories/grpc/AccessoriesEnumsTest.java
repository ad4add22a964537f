package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.accessories.stock.MovementKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessoriesEnumsTest {

    @Test
    void everyCategoryGoesToItsContractValueAndBack() {
        for (ItemCategory c : ItemCategory.values()) {
            assertThat(AccessoriesEnums.toProto(c).name()).isEqualTo("ITEM_CATEGORY_" + c.name());
            assertThat(AccessoriesEnums.category(AccessoriesEnums.toProto(c))).isEqualTo(c);
        }
        assertThat(AccessoriesEnums.category(
                        fr.interieur.neogend.accessories.v1.ItemCategory.ITEM_CATEGORY_UNSPECIFIED))
                .isNull();
    }

    @Test
    void everyMovementKindGoesToItsContractValueAndBack() {
        for (MovementKind k : MovementKind.values()) {
            assertThat(AccessoriesEnums.toProto(k).name()).isEqualTo("MOVEMENT_KIND_" + k.name());
            assertThat(AccessoriesEnums.kind(AccessoriesEnums.toProto(k))).isEqualTo(k);
        }
        assertThat(AccessoriesEnums.kind(fr.interieur.neogend.accessories.v1.MovementKind.UNRECOGNIZED))
                .isNull();
    }
}
