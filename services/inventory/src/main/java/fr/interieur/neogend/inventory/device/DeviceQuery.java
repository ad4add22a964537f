package fr.interieur.neogend.inventory.device;

import java.util.Optional;

/**
 * Filters of a device listing, combined with AND.
 *
 * @param unitSubtree devices of this unit and its sub-units
 * @param afterImei   keyset cursor: only IMEIs greater than this one
 */
public record DeviceQuery(Optional<DeviceState> state, Optional<PackType> packType, Optional<String> unitSubtree,
                          Optional<String> afterImei, int limit) {

    /** A stable rendering of the filters (not the cursor), to bind page tokens to them. */
    public String filterKey() {
        return state.map(Enum::name).orElse("") + "|" + packType.map(Enum::name).orElse("") + "|"
                + unitSubtree.orElse("");
    }
}
