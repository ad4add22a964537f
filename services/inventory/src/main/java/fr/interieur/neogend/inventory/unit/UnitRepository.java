package fr.interieur.neogend.inventory.unit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage of the organisation tree (implemented in the persistence package). */
public interface UnitRepository {

    /**
     * Holds the tree's shape until the transaction ends: creations and moves then happen one after the other,
     * each reading the paths the previous one wrote (reads are not blocked). Call it before reading any unit.
     */
    void lockTree();

    /** Stores a new unit; false when the code is taken. */
    boolean insert(Unit unit, String actor);

    Optional<Unit> find(String code);

    /**
     * The path of a unit, its row held (FOR SHARE) until the transaction ends: a move that would rewrite this
     * path waits for the transaction, so a reach checked against it still holds when the transaction commits.
     */
    Optional<String> pathHeld(String code);

    /** Paths of those of these codes that exist. */
    Map<String, String> pathsOf(Collection<String> codes);

    /** As {@link #pathsOf}, the rows held (FOR SHARE, in code order) until the transaction ends. */
    Map<String, String> pathsHeld(Collection<String> codes);

    /** Children of a unit (roots when empty) in code order, after a code, within a path prefix. */
    List<Unit> children(Optional<String> parentCode, Optional<String> afterCode, int limit);

    /**
     * Moves a unit under a new parent and rewrites the paths of its whole subtree, if its version is
     * still {@code expectedVersion}; false otherwise.
     */
    boolean move(Unit unit, String newParentCode, String newPath, long expectedVersion);
}
