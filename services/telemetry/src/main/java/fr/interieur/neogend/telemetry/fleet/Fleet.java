package fr.interieur.neogend.telemetry.fleet;

import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The devices the fleet views count: those inventory places within the caller's reach (on the caller's
 * behalf, so a technician of GN-RBRE sees GN-RBRE), minus the ones out of service — declared lost or
 * stolen in inventory, or revoked here (lost, stolen, exchanged, returned). One source for every view,
 * so the fleet view and the sum of the unit views count the same devices.
 */
@Component
public class Fleet {

    private final RevocationRepository revocations;
    private final InventoryDevices inventory;

    public Fleet(RevocationRepository revocations, InventoryDevices inventory) {
        this.revocations = revocations;
        this.inventory = inventory;
    }

    /** The devices in service within the caller's reach, or within one unit subtree of it. */
    public List<InventoryDevices.Placed> inService(Optional<String> unitCode) {
        List<InventoryDevices.Placed> placed = inventory.placements(unitCode);
        Set<String> revoked = revocations.revokedImeis();
        return placed.stream()
                .filter(p -> !p.lostOrStolen() && !revoked.contains(p.imei()))
                .toList();
    }

    /** The IMEIs of some devices, as an array (a query parameter). */
    public static String[] imeis(List<InventoryDevices.Placed> devices) {
        return devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new);
    }
}
