package fr.interieur.neogend.inventory.device;

/** Type of mobility pack (pack de mobilité). */
public enum PackType {
    SMARTPHONE_INDIVIDUAL,
    TABLET_INDIVIDUAL,
    TABLET_COLLECTIVE
}
