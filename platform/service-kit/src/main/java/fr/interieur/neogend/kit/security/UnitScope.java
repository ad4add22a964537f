package fr.interieur.neogend.kit.security;

import java.util.Optional;

/**
 * Unit codes are hierarchical, parent first, parts joined by '-' (e.g. GN-RBRE-GGD35 lies under
 * GN-RBRE). A caller restricted to a unit acts on that unit and everything beneath it.
 */
public final class UnitScope {

    private UnitScope() {}

    /** True when {@code unitCode} is {@code root} or lies beneath it. */
    public static boolean contains(String root, String unitCode) {
        if (root == null || unitCode == null || root.isEmpty()) {
            return false;
        }
        return unitCode.equals(root) || unitCode.startsWith(root + "-");
    }

    /**
     * The subtree a caller may see: empty for whole-fleet callers; the caller's unit otherwise.
     * A restricted caller without a unit sees nothing (deny by default).
     */
    public static Optional<String> of(Caller caller) {
        if (!caller.restrictedToUnit()) {
            return Optional.empty();
        }
        return Optional.of(caller.unitCode().orElse("\u0000no-unit"));
    }
}
