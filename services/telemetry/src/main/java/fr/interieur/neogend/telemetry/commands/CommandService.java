package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
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
