package fr.interieur.neogend.inventory.device;

/** Life-cycle state of a leased device (DOMAIN rule 8). */
public enum DeviceState {
    IN_STOCK,
    ASSIGNED,
    IN_REPAIR,
    LOST,
    STOLEN,
    PENDING_RETURN,
    RETURNED
}
