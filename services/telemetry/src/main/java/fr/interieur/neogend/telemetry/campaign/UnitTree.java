package fr.interieur.neogend.telemetry.campaign;

import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the units a new campaign names (its maintenance windows', its unit waves') stand in inventory's
 * unit tree, read when the campaign starts, on the fleet manager's behalf. A unit code is a name, not a
 * path (CIE-BREST may be a company of GN-RBRE-GGD29; a unit that moves takes its subtree), so which
 * devices a named unit holds is inventory's answer, never a guess from the codes.
 *
 * <p>What it costs: one {@code GetUnit} per named unit and one for the campaign's unit (their ancestors);
 * then one {@code StreamDevicePlacements} per named unit strictly under the campaign's unit (any named
 * unit, for a campaign of the whole fleet), reading the devices of that subtree. A named unit that is the
 * campaign's own or one of its ancestors holds every target, one beside it none: neither is read. A
 * campaign naming no unit asks nothing.
 */
final class UnitTree {

    private final Optional<String> campaignUnit;
    /** Each named unit inventory knows, with its ancestors root first. */
    private final Map<String, List<String>> ancestors;
    /** The campaign's unit and its ancestors (empty for the whole fleet). */
    private final List<String> campaignLineage;

    private UnitTree(Optional<String> campaignUnit, Map<String, List<String>> ancestors, List<String> lineage) {
        this.campaignUnit = campaignUnit;
        this.ancestors = ancestors;
        this.campaignLineage = lineage;
    }

    /** The named units' ancestors, and the campaign's unit's: one {@code GetUnit} each. */
    static UnitTree read(InventoryDevices inventory, Optional<String> campaignUnit, Collection<String> named) {
        Map<String, List<String>> ancestors = new HashMap<>();
        for (String unit : new LinkedHashSet<>(named)) {
            inventory.ancestors(unit).ifPresent(a -> ancestors.put(unit, a));
        }
        List<String> lineage = new ArrayList<>();
        if (campaignUnit.isPresent() && !named.isEmpty()) {
            String unit = campaignUnit.get();
            lineage.addAll(
                    ancestors.containsKey(unit)
                            ? ancestors.get(unit)
                            : inventory.ancestors(unit).orElse(List.of()));
            lineage.add(unit);
        }
        return new UnitTree(campaignUnit, ancestors, lineage);
    }

    /** Inventory knows the unit (and the fleet manager may see it). */
    boolean known(String unit) {
        return ancestors.containsKey(unit);
    }

    /** The named unit is the campaign's unit or one of its sub-units (any known unit, for the whole fleet). */
    boolean underCampaign(String unit) {
        return known(unit)
                && campaignUnit
                        .map(c -> unit.equals(c) || ancestors.get(unit).contains(c))
                        .orElse(true);
    }

    /**
     * Which named units hold each device: reads the devices of each named unit under the campaign's (one
     * {@code StreamDevicePlacements} each). Call it once the campaign is known to go ahead.
     */
    Holders devices(InventoryDevices inventory) {
        Set<String> everyTarget = new HashSet<>();
        Map<String, Set<String>> imeis = new HashMap<>();
        for (String unit : ancestors.keySet()) {
            if (campaignLineage.contains(unit)) {
                everyTarget.add(unit); // the campaign's unit or above: all its devices
            } else if (underCampaign(unit)) {
                Set<String> under = new HashSet<>();
                inventory.placements(Optional.of(unit)).forEach(p -> under.add(p.imei()));
                imeis.put(unit, under);
            } // beside the campaign's unit: none of its devices
        }
        Comparator<String> rootFirst =
                Comparator.comparingInt(u -> ancestors.get(u).size());
        List<String> all = everyTarget.stream().sorted(rootFirst).toList();
        if (imeis.isEmpty()) {
            return imei -> all;
        }
        Map<String, List<String>> known = new HashMap<>(); // each device's, worked out once
        return imei -> known.computeIfAbsent(imei, i -> {
            List<String> holding = new ArrayList<>(all);
            imeis.forEach((unit, under) -> {
                if (under.contains(i)) {
                    holding.add(unit);
                }
            });
            holding.sort(rootFirst);
            return List.copyOf(holding);
        });
    }

    /**
     * The named units holding a device, root first (its unit's ancestors and its unit, as far as they are
     * named). Not for concurrent use.
     */
    @FunctionalInterface
    interface Holders {
        List<String> of(String imei);
    }
}
