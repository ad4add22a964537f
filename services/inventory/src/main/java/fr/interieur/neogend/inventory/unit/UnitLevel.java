package fr.interieur.neogend.inventory.unit;

import java.util.Optional;

/**
 * Levels of the organisation tree. Gendarmerie: NATIONAL → REGION → GROUPEMENT → COMPAGNIE → BRIGADE;
 * police: NATIONAL → DIRECTION → COMMISSARIAT. Each level has exactly one parent level, so a move can
 * never create a cycle.
 */
public enum UnitLevel {
    NATIONAL(null),
    REGION(NATIONAL),
    GROUPEMENT(REGION),
    COMPAGNIE(GROUPEMENT),
    BRIGADE(COMPAGNIE),
    DIRECTION(NATIONAL),
    COMMISSARIAT(DIRECTION);

    private final UnitLevel parent;

    UnitLevel(UnitLevel parent) {
        this.parent = parent;
    }

    /** The level a unit of this level sits under; empty for a national root. */
    public Optional<UnitLevel> parentLevel() {
        return Optional.ofNullable(parent);
    }
}
