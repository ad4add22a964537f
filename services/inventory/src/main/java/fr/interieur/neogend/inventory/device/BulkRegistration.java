package fr.interieur.neogend.inventory.device;

/**
 * Outcome of registering a delivery's devices.
 *
 * @param registered        devices stored by this call
 * @param alreadyRegistered devices found registered already with the same data
 */
public record BulkRegistration(int registered, int alreadyRegistered) {}
