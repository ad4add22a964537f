package fr.interieur.neogend.inventory.device;

/** Kind of hardware. */
public enum DeviceKind {
    PHONE,
    TABLET
}
