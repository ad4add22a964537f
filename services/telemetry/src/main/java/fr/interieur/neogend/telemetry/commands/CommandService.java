package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import fr.interieur.neogend.telemetry.rom.RomReleaseRepository;
import fr.interieur.neogend.telemetry.rom.RomService;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Remote commands queued by people (DOMAIN rule 21); those of lost and stolen devices are queued by
 * inventory's events. A device receives them on its next upload and acknowledges them.
 */
@Service
public class CommandService {

    private final CommandRepository commands;
    private final RevocationRepository revocations;
    private final InventoryDevices inventory;
    private final RomReleaseRepository releases;

    public CommandService(
            CommandRepository commands,
            RevocationRepository revocations,
            InventoryDevices inventory,
            RomReleaseRepository releases) {
        this.commands = commands;
        this.revocations = revocations;
        this.inventory = inventory;
        this.releases = releases;
    }

    /** LOCK, WIPE or LOCATE. */
    public Upload.Command queue(String imei, Upload.CommandKind command, Caller caller) {
        return queue(imei, command, "", caller);
    }

    /**
     * Queues a command; an UPDATE names the release to install ({@code releaseId}), which must be the
     * approved release of the device's model (as inventory registered it) with its OTA package published,
     * not already reported by the device; one UPDATE is open per device at a time.
     */
    @Transactional
    public Upload.Command queue(String imei, Upload.CommandKind command, String releaseId, Caller caller) {
        String badImei = Imei.problem(imei);
        if (badImei != null) {
            throw InvalidArgumentException.of("imei", badImei);
        }
        // one call to inventory (the caller's reach applied there): whether the device is visible, and its state
        InventoryDevices.Placed device =
                inventory.device(imei).orElseThrow(() -> new NotFoundException("no device with IMEI " + imei));
        if (command == null) {
            throw InvalidArgumentException.of("command", "is required: LOCK, WIPE, LOCATE or UPDATE");
        }
        if (command == Upload.CommandKind.WIPE && !caller.hasRole(Caller.FLEET_MANAGER)) {
            throw new AccessDeniedException("only a fleet manager may wipe a device");
        }
        if (command == Upload.CommandKind.UPDATE && !caller.hasRole(Caller.FLEET_MANAGER)) {
            throw new AccessDeniedException("only a fleet manager may send a ROM update to a device");
        }
        if (command != Upload.CommandKind.UPDATE && releaseId != null && !releaseId.isEmpty()) {
            throw InvalidArgumentException.of("release_id", "names the release of an UPDATE: other commands take none");
        }
        // telemetry's reason, or inventory's word when it says more: its event may still be on its way here
        String revoked = Stream.of(revocations.reasonOf(imei), inInventory(device))
                .flatMap(Optional::stream)
                .max(Comparator.comparingInt(REASONS::indexOf))
                .orElse(null);
        if (revoked != null) {
            boolean lostOrStolen = revoked.equals("DEVICE_LOST") || revoked.equals("DEVICE_STOLEN");
            if (!lostOrStolen) {
                throw new PreconditionFailedException("device " + imei + " was "
                        + (revoked.equals("DEVICE_RETURNED") ? "returned" : "exchanged")
                        + ": its credential is revoked for good and no command can reach it");
            }
            if (command == Upload.CommandKind.LOCATE || command == Upload.CommandKind.UPDATE) {
                throw new PreconditionFailedException("device " + imei + " was declared "
                        + (revoked.equals("DEVICE_LOST") ? "lost" : "stolen")
                        + ": it is handed LOCK and WIPE only, not " + command);
            }
        }
        if (command == Upload.CommandKind.UPDATE) {
            return queueUpdate(imei, releaseId, device);
        }
        return commands.queue(imei, command);
    }

    /** Revocation reasons, rising as a device's reason only rises (a lost device returned stays lost). */
    private static final List<String> REASONS =
            List.of("DEVICE_EXCHANGED", "DEVICE_RETURNED", "DEVICE_LOST", "DEVICE_STOLEN");

    /** The reason inventory's state gives, before (or without) its event reaching telemetry. */
    private static Optional<String> inInventory(InventoryDevices.Placed device) {
        return switch (device.state()) {
            case "LOST" -> Optional.of("DEVICE_LOST");
            case "STOLEN" -> Optional.of("DEVICE_STOLEN");
            case "RETURNED" -> Optional.of("DEVICE_RETURNED");
            default -> Optional.empty();
        };
    }

    private Upload.Command queueUpdate(String imei, String releaseId, InventoryDevices.Placed device) {
        if (releaseId == null || releaseId.isEmpty()) {
            throw InvalidArgumentException.of("release_id", "is required for UPDATE: the release to install");
        }
        RomService.Release release = releases.findToSend(releaseId)
                .orElseThrow(() -> InvalidArgumentException.of("release_id", "names no ROM release: " + releaseId));
        if (!release.model().equals(device.model())) {
            throw new PreconditionFailedException("release " + release.id() + " is for " + release.model() + "; device "
                    + imei + " is a " + device.model());
        }
        if (!release.approved()) {
            throw new PreconditionFailedException(
                    "release " + release.id() + " is not the approved release of " + release.model());
        }
        if (release.otaUrl().isEmpty()) {
            throw new PreconditionFailedException("release " + release.id()
                    + " has no OTA package published (ota_url, ota_sha256): the supplier publishes it first");
        }
        if (releases.reportedBuild(imei)
                .filter(release.buildFingerprint()::equals)
                .isPresent()) {
            throw new PreconditionFailedException(
                    "device " + imei + " reports build " + release.buildFingerprint() + " already");
        }
        commands.openUpdate(imei).ifPresent(open -> {
            throw new PreconditionFailedException("device " + imei + " has UPDATE " + open.id() + " to "
                    + open.update().map(Upload.Update::releaseId).orElse("?") + " "
                    + open.status().name().toLowerCase(java.util.Locale.ROOT)
                    + " and not yet confirmed or failed; one at a time");
        });
        return commands.queueUpdate(imei, release.id());
    }

    @Transactional(readOnly = true)
    public List<Upload.Command> list(String imei) {
        inventory.requireVisible(imei);
        return commands.list(imei);
    }
}
