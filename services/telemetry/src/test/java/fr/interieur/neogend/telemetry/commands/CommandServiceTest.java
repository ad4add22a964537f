package fr.interieur.neogend.telemetry.commands;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import fr.interieur.neogend.telemetry.ingestion.Upload.CommandKind;
import fr.interieur.neogend.telemetry.revocation.InventoryEvent;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may queue which command for which device (rules 11 and 21), over in-memory ports: nothing for a
 * returned or exchanged device, LOCK and WIPE only for a lost or stolen one, WIPE by fleet managers
 * only. {@code IngestionIT} tries the same through gRPC and the device's uploads against PostgreSQL.
 */
class CommandServiceTest {

    private static final String DEVICE = "352990110000011";

    private final List<Upload.Command> queued = new ArrayList<>();
    private final Map<String, String> revoked = new HashMap<>();

    private final CommandRepository commands = new CommandRepository() {
        @Override
        public Upload.Command queue(String imei, CommandKind command) {
            Upload.Command c =
                    new Upload.Command(queued.size() + 1, command, Upload.CommandStatus.QUEUED, Instant.now());
            queued.add(c);
            return c;
        }

        @Override
        public void queueForEvent(String imei, List<CommandKind> list, Instant at, UUID eventId) {
            list.forEach(c -> queue(imei, c));
        }

        @Override
        public List<Upload.Command> list(String imei) {
            return List.copyOf(queued);
        }

        @Override
        public void acknowledge(String imei, Collection<Long> ids) {}

        @Override
        public List<Upload.Command> deliverPending(String imei) {
            return List.copyOf(queued);
        }
    };

    private final RevocationRepository revocations = new RevocationRepository() {
        @Override
        public boolean insertEvent(InventoryEvent event, Instant receivedAt) {
            return true;
        }

        @Override
        public void revoke(String imei, InventoryEvent.Kind reason, Instant at, UUID eventId) {
            revoked.put(imei, reason.name());
        }

        @Override
        public void queueCommands(String imei, List<CommandKind> list, Instant at, UUID eventId) {
            commands.queueForEvent(imei, list, at, eventId);
        }

        @Override
        public Optional<String> reasonOf(String imei) {
            return Optional.ofNullable(revoked.get(imei));
        }

        @Override
        public Set<String> revokedImeis() {
            return revoked.keySet();
        }
    };

    private final InventoryDevices inventory = new InventoryDevices() {
        @Override
        public boolean exists(String imei) {
            return imei.equals(DEVICE);
        }

        @Override
        public List<Placed> placements(Optional<String> unitCode) {
            return List.of(new Placed(DEVICE, "Rugged X5", "GN-RBRE"));
        }

        @Override
        public List<Placed> subtree(String unitCode) {
            return placements(Optional.of(unitCode));
        }
    };

    private final CommandService service = new CommandService(commands, revocations, inventory);
    private final Caller manager =
            new Caller("s", "fm", Set.of(Caller.FLEET_MANAGER), Optional.empty(), Optional.empty());
    private final Caller unitManager =
            new Caller("s", "um", Set.of(Caller.UNIT_MANAGER), Optional.of("GN-RBRE"), Optional.empty());

    @Test
    void aDeviceInServiceTakesEveryCommandButOnlyAFleetManagerWipes() {
        service.queue(DEVICE, CommandKind.LOCATE, unitManager);
        service.queue(DEVICE, CommandKind.LOCK, unitManager);
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.WIPE, unitManager))
                .isInstanceOf(AccessDeniedException.class);
        service.queue(DEVICE, CommandKind.WIPE, manager);
        assertThatThrownBy(() -> service.queue(DEVICE, null, manager))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("LOCK, WIPE or LOCATE");
        assertThatThrownBy(() -> service.queue("352990110000029", CommandKind.LOCK, manager)) // not in inventory
                .isInstanceOf(fr.interieur.neogend.kit.error.NotFoundException.class);
        assertThat(service.list(DEVICE))
                .extracting(Upload.Command::command)
                .containsExactly(CommandKind.LOCATE, CommandKind.LOCK, CommandKind.WIPE);
    }

    @Test
    void aReturnedOrExchangedDeviceTakesNothingALostOrStolenOneLockAndWipeOnly() {
        for (String reason : List.of("DEVICE_RETURNED", "DEVICE_EXCHANGED")) {
            revoked.put(DEVICE, reason);
            for (CommandKind command : List.of(CommandKind.LOCK, CommandKind.WIPE, CommandKind.LOCATE)) {
                assertThatThrownBy(() -> service.queue(DEVICE, command, manager))
                        .isInstanceOf(PreconditionFailedException.class)
                        .hasMessageContaining("revoked for good");
            }
        }
        for (String reason : List.of("DEVICE_LOST", "DEVICE_STOLEN")) {
            revoked.put(DEVICE, reason);
            assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.LOCATE, manager))
                    .isInstanceOf(PreconditionFailedException.class)
                    .hasMessageContaining("LOCK and WIPE only");
            service.queue(DEVICE, CommandKind.LOCK, manager);
            service.queue(DEVICE, CommandKind.WIPE, manager);
        }
        assertThat(queued)
                .extracting(Upload.Command::command)
                .containsExactly(CommandKind.LOCK, CommandKind.WIPE, CommandKind.LOCK, CommandKind.WIPE);
    }
}
