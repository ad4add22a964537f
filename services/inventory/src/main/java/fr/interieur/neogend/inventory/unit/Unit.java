package fr.interieur.neogend.inventory.unit;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A unit of the organisation tree.
 *
 * @param code       stable code; names the unit, is not a path
 * @param parentCode empty for a national root
 * @param path       codes of the ancestors and the unit, as {@code /A/B/C/}: a subtree is a path prefix
 * @param version    optimistic-locking version
 */
public record Unit(
        String code,
        String name,
        UnitLevel level,
        Optional<String> parentCode,
        String path,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    /** Codes of the ancestors, root first. */
    public List<String> ancestorCodes() {
        List<String> codes = Arrays.asList(path.substring(1, path.length() - 1).split("/"));
        return codes.subList(0, codes.size() - 1);
    }

    /** The path of a child of this unit. */
    public String childPath(String childCode) {
        return path + childCode + "/";
    }

    public static String rootPath(String code) {
        return "/" + code + "/";
    }
}
