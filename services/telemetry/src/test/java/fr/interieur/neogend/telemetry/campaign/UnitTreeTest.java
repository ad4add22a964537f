package fr.interieur.neogend.telemetry.campaign;

import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.junit.jupiter.api.Test;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A campaign's named units placed by inventory's tree, never by their codes; and what that asks inventory. */
class UnitTreeTest {

    /** GN > GN-RBRE > GN-RBRE-GGD29 > CIE-BREST, and GN-RBRE > GN-RBRE-GGD35: a code is a name, not a path. */
    static final Map<String, List<String>> ANCESTORS = Map.of(
            "GN", List.of(),
            "GN-RBRE", List.of("GN"),
            "GN-RBRE-GGD29", List.of("GN", "GN-RBRE"),
            "GN-RBRE-GGD35", List.of("GN", "GN-RBRE"),
            "CIE-BREST", List.of("GN", "GN-RBRE", "GN-RBRE-GGD29"));

    static final List<InventoryDevices.Placed> DEVICES = List.of(
            new InventoryDevices.Placed("1", "X5", "GN-RBRE-GGD29"),
            new InventoryDevices.Placed("2", "X5", "CIE-BREST"),
            new InventoryDevices.Placed("3", "X5", "GN-RBRE-GGD35"));

    final List<String> calls = new ArrayList<>();

    final InventoryDevices inventory = new InventoryDevices() {
        @Override
        public Optional<Placed> device(String imei) {
            return Optional.empty();
        }

        @Override
        public List<Placed> placements(Optional<String> unitCode) {
            calls.add("placements " + unitCode.orElse(""));
            return DEVICES.stream()
                    .filter(d -> unitCode.map(u -> d.unitCode().equals(u)
                                    || ANCESTORS.get(d.unitCode()).contains(u))
                            .orElse(true))
                    .toList();
        }

        @Override
        public List<Placed> subtree(String unitCode) {
            return placements(Optional.of(unitCode));
        }

        @Override
        public Optional<List<String>> ancestors(String unitCode) {
            calls.add("unit " + unitCode);
            return Optional.ofNullable(ANCESTORS.get(unitCode));
        }
    };

    @Test
    void aNamedUnitHoldsTheDevicesInventoryPlacesUnderItWhateverTheirCodes() {
        UnitTree tree = UnitTree.read(
                inventory, Optional.of("GN-RBRE-GGD29"), List.of("GN-RBRE", "GN-RBRE-GGD29", "CIE-BREST"));
        assertThat(tree.underCampaign("CIE-BREST")).isTrue();
        assertThat(tree.underCampaign("GN-RBRE")).isFalse();
        UnitTree.Holders holders = tree.devices(inventory);
        assertThat(holders.of("2")).containsExactly("GN-RBRE", "GN-RBRE-GGD29", "CIE-BREST");
        assertThat(holders.of("1")).containsExactly("GN-RBRE", "GN-RBRE-GGD29");
        // the campaign's unit and its parent hold every target unread; only the unit below it is read
        assertThat(calls)
                .containsExactly("unit GN-RBRE", "unit GN-RBRE-GGD29", "unit CIE-BREST", "placements CIE-BREST");
    }

    @Test
    void aUnitBesideTheCampaignsHoldsNoneAndAnUnknownOneIsNotKnown() {
        UnitTree tree = UnitTree.read(inventory, Optional.of("GN-RBRE-GGD29"), List.of("GN-RBRE-GGD35", "GN-X"));
        assertThat(tree.underCampaign("GN-RBRE-GGD35")).isFalse();
        assertThat(tree.known("GN-X")).isFalse();
        assertThat(tree.devices(inventory).of("1")).isEmpty();
        assertThat(calls).noneMatch(c -> c.startsWith("placements"));
    }

    @Test
    void aCampaignNamingNoUnitAsksNothing() {
        UnitTree tree = UnitTree.read(inventory, Optional.of("GN-RBRE-GGD29"), List.of());
        assertThat(tree.devices(inventory).of("1")).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void theDeepestUnitWithAWindowWinsByItsPlaceInTheTreeNotTheLengthOfItsCode() {
        var rbre = new Campaign.Window("GN-RBRE", LocalTime.of(12, 0), LocalTime.of(14, 0));
        var brest = new Campaign.Window("CIE-BREST", LocalTime.of(22, 0), LocalTime.of(5, 0));
        List<String> lineage = List.of("GN", "GN-RBRE", "GN-RBRE-GGD29", "CIE-BREST");
        assertThat(Campaign.Window.of(lineage, List.of(rbre, brest))).contains(brest);
        assertThat(Campaign.Window.of(lineage.subList(0, 3), List.of(rbre, brest)))
                .contains(rbre);
        assertThat(Campaign.Window.of(List.of("GN-RBRE-GGD35"), List.of(brest))).isEmpty();
    }
}
