package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/**
 * Remote commands queued by people (DOMAIN rule 21); those of lost and stolen devices are queued by
 * inventory's events. A device receives them on its next upload and acknowledges them.
 */
@Service
public class CommandService {

    private final CommandRepository commands;
    private final RevocationRepository revocations;
    private final InventoryDevices inventory;

    public CommandService(CommandRepository commands, RevocationRepository revocations, InventoryDevices inventory) {
        this.commands = commands;
        this.revocations = revocations;
        this.inventory = inventory;
    }

    @Transactional
    public Upload.Command queue(String imei, Upload.CommandKind command, Caller caller) {
        inventory.requireVisible(imei);
        if (command == null) {
            throw InvalidArgumentException.of("command", "is required: LOCK, WIPE or LOCATE");
        }
        if (command == Upload.CommandKind.WIPE && !caller.hasRole(Caller.FLEET_MANAGER)) {
            throw new AccessDeniedException("only a fleet manager may wipe a device");
        }
        String revoked = revocations.reasonOf(imei).orElse(null);
        if (revoked != null) {
            boolean lostOrStolen = revoked.equals("DEVICE_LOST") || revoked.equals("DEVICE_STOLEN");
            if (!lostOrStolen) {
                throw new PreconditionFailedException("device " + imei + " was "
                        + (revoked.equals("DEVICE_RETURNED") ? "returned" : "exchanged")
                        + ": its credential is revoked for good and no command can reach it");
            }
            if (command == Upload.CommandKind.LOCATE) {
                throw new PreconditionFailedException("device " + imei + " was declared "
                        + (revoked.equals("DEVICE_LOST") ? "lost" : "stolen")
                        + ": it is handed LOCK and WIPE only, not LOCATE");
            }
        }
        return commands.queue(imei, command);
    }

    @Transactional(readOnly = true)
    public List<Upload.Command> list(String imei) {
        inventory.requireVisible(imei);
        return commands.list(imei);
    }
}
