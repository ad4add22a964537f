package fr.interieur.neogend.accessories.catalogue;

/** What a catalogue item is. Stored by name. */
public enum ItemCategory {
    /** Handed out with a pack or on demand (case, charger…). */
    ACCESSORY,
    /** Consumed in repairs (rule 16). */
    SPARE_PART
}
