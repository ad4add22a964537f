package fr.interieur.neogend.inventory.grpc;

import fr.interieur.neogend.inventory.device.DeviceKind;
import fr.interieur.neogend.inventory.device.DeviceState;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.unit.UnitLevel;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every value goes to the contract and back unchanged; the contract's names keep the domain's. */
class InventoryEnumsTest {

    @Test
    void everyDomainValueGoesToTheContractAndBack() {
        for (DeviceState s : DeviceState.values()) {
            assertThat(InventoryEnums.state(InventoryEnums.toProto(s))).contains(s);
            assertThat(InventoryEnums.toProto(s).name()).isEqualTo("DEVICE_STATE_" + s.name());
        }
        for (PackType t : PackType.values()) {
            assertThat(InventoryEnums.packType(InventoryEnums.toProto(t), "f")).contains(t);
            assertThat(InventoryEnums.toProto(t).name()).isEqualTo("PACK_TYPE_" + t.name());
        }
        for (DeviceKind k : DeviceKind.values()) {
            assertThat(InventoryEnums.kind(InventoryEnums.toProto(k), "f")).contains(k);
        }
        for (UnitLevel l : UnitLevel.values()) {
            assertThat(InventoryEnums.level(InventoryEnums.toProto(l))).contains(l);
        }
        assertThat(Arrays.stream(DeviceState.values())
                        .map(InventoryEnums::toProto)
                        .distinct())
                .hasSize(DeviceState.values().length);
    }

    @Test
    void unspecifiedIsAbsentAndAnUnknownNumberIsRefusedNamingTheField() {
        assertThat(InventoryEnums.state(fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_UNSPECIFIED))
                .isEqualTo(Optional.empty());
        assertThatThrownBy(() -> InventoryEnums.packType(
                        fr.interieur.neogend.inventory.v1.PackType.UNRECOGNIZED, "device.pack_type"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("device.pack_type");
    }

    @Test
    void everyStoredHistorySubjectHasItsContractValueAndNothingElseIsMadeUp() {
        for (String stored : new String[] {"DEVICE", "PACK", "UNIT"}) {
            assertThat(InventoryEnums.subjectType(stored).name()).isEqualTo("SUBJECT_TYPE_" + stored);
        }
        assertThatThrownBy(() -> InventoryEnums.subjectType("PERSON")).isInstanceOf(IllegalStateException.class);
    }
}
