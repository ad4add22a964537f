package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;
import java.util.Set;

/**
 * Remote commands queued by people (DOMAIN rule 21); those of lost and stolen devices are queued by
 * inventory's events. A device receives them on its next upload and acknowledges them.
 */
@Service
public class CommandService {

    private static final Set<String> COMMANDS = Set.of("LOCK", "WIPE", "LOCATE");

    private final JdbcClient jdbc;
    private final InventoryDevices inventory;

    public CommandService(JdbcClient jdbc, InventoryDevices inventory) {
        this.jdbc = jdbc;
        this.inventory = inventory;
    }

    @Transactional
    public Upload.Command queue(String imei, String command, Caller caller) {
        inventory.requireVisible(imei);
        if (command == null || !COMMANDS.contains(command)) {
            throw InvalidArgumentException.of("command", "must be LOCK, WIPE or LOCATE");
        }
        if (command.equals("WIPE") && !caller.hasRole(Caller.FLEET_MANAGER)) {
            throw new AccessDeniedException("only a fleet manager may wipe a device");
        }
        String revoked = jdbc.sql("select reason from device_revocation where imei = ?").param(imei)
                .query(String.class).optional().orElse(null);
        if (revoked != null) {
            boolean lostOrStolen = revoked.equals("DEVICE_LOST") || revoked.equals("DEVICE_STOLEN");
            if (!lostOrStolen) {
                throw new PreconditionFailedException("device " + imei + " was "
                        + (revoked.equals("DEVICE_RETURNED") ? "returned" : "exchanged")
                        + ": its credential is revoked for good and no command can reach it");
            }
            if (command.equals("LOCATE")) {
                throw new PreconditionFailedException("device " + imei + " was declared "
                        + (revoked.equals("DEVICE_LOST") ? "lost" : "stolen")
                        + ": it is handed LOCK and WIPE only, not LOCATE");
            }
        }
        return jdbc.sql("insert into device_command (imei, command, status, queued_at) values (?, ?, 'QUEUED', now()) "
                        + "returning id, command, status, queued_at")
                .params(imei, command)
                .query((rs, n) -> new Upload.Command(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .single();
    }

    @Transactional(readOnly = true)
    public List<Upload.Command> list(String imei) {
        inventory.requireVisible(imei);
        return jdbc.sql("select id, command, status, queued_at from device_command where imei = ? order by id desc")
                .param(imei)
                .query((rs, n) -> new Upload.Command(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .list();
    }
}
