package fr.interieur.neogend.inventory.device;

import java.util.Map;

/**
 * Dashboard figures of the devices a caller may see.
 *
 * @param byState devices per state (states with none left out)
 * @param byUnit  devices per holding unit code ("" for central stock), sorted by code
 * @param byPackType devices per pack type name ("" for devices meant for no pack type)
 */
public record DeviceCounts(
        long total, Map<DeviceState, Long> byState, Map<String, Long> byUnit, Map<String, Long> byPackType) {}
