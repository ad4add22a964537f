package fr.interieur.neogend.inventory.unit;

import java.util.Optional;

/**
 * What a caller may see and change: the whole fleet, or the subtree under one unit path (DOMAIN rule 9).
 * A caller restricted to a unit that does not exist reaches nothing (deny by default).
 *
 * @param pathPrefix empty for the whole fleet; otherwise the subtree's path, {@code /A/B/}
 */
public record Reach(Optional<String> pathPrefix) {

    private static final Reach ALL = new Reach(Optional.empty());
    /** Matches no path: every stored path starts with '/'. */
    private static final Reach NOTHING = new Reach(Optional.of("!nothing"));

    public static Reach all() {
        return ALL;
    }

    public static Reach nothing() {
        return NOTHING;
    }

    public static Reach under(String path) {
        return new Reach(Optional.of(path));
    }

    public boolean wholeFleet() {
        return pathPrefix.isEmpty();
    }

    /** True when a unit with this path lies in reach. */
    public boolean covers(String unitPath) {
        return pathPrefix.map(unitPath::startsWith).orElse(true);
    }

    /** True when a device or pack held by a unit with this path (empty: central stock) lies in reach. */
    public boolean coversHolder(Optional<String> unitPath) {
        return unitPath.map(this::covers).orElse(wholeFleet());
    }
}
