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
import fr.interieur.neogend.telemetry.rom.RomReleaseRepository;
import fr.interieur.neogend.telemetry.rom.RomService;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
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
        public Upload.Command queueUpdate(String imei, String releaseId) {
            RomService.Release r = releases.get(releaseId);
            Upload.Command c = new Upload.Command(
                    queued.size() + 1,
                    CommandKind.UPDATE,
                    Upload.CommandStatus.QUEUED,
                    Instant.now(),
                    Optional.of(new Upload.Update(
                            r.id(),
                            r.buildFingerprint(),
                            r.patchLevel(),
                            r.otaUrl().orElseThrow(),
                            r.otaSha256().orElseThrow())),
                    "",
                    0,
                    Optional.empty());
            queued.add(c);
            return c;
        }

        @Override
        public Map<String, Long> queueUpdates(Collection<String> imeis, String releaseId) {
            Map<String, Long> ids = new HashMap<>();
            imeis.forEach(imei -> ids.put(imei, queueUpdate(imei, releaseId).id()));
            return ids;
        }

        @Override
        public Map<String, Long> queueUpdates(Collection<String> imeis, String releaseId, Map<String, int[]> windows) {
            return queueUpdates(imeis, releaseId);
        }

        @Override
        public int withdraw(Collection<Long> ids) {
            return 0; // campaigns are tried in CampaignIT, not here
        }

        @Override
        public Optional<Upload.Command> openUpdate(String imei) {
            return queued.stream()
                    .filter(c -> c.command() == CommandKind.UPDATE && c.status().open())
                    .findFirst();
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
        public List<Upload.Command> deliverPending(String imei, int parisMinute) {
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
        public void withdrawUpdates(String imei) {}

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
        public Optional<Placed> device(String imei) {
            return imei.equals(DEVICE) ? Optional.of(new Placed(DEVICE, "Rugged X5", "GN-RBRE")) : Optional.empty();
        }

        @Override
        public List<Placed> placements(Optional<String> unitCode) {
            return List.of(new Placed(DEVICE, "Rugged X5", "GN-RBRE"));
        }

        @Override
        public List<Placed> subtree(String unitCode) {
            return placements(Optional.of(unitCode));
        }

        @Override
        public Optional<List<String>> ancestors(String unitCode) {
            return unitCode.equals("GN-RBRE") ? Optional.of(List.of("GN")) : Optional.empty();
        }
    };

    private final Map<String, RomService.Release> releases = new HashMap<>();
    private final Map<String, String> builds = new HashMap<>();

    /** Releases and reported builds in memory: what an UPDATE is checked against. */
    private final RomReleaseRepository releaseRepository = new RomReleaseRepository() {
        @Override
        public Optional<RomService.Release> find(String id) {
            return Optional.ofNullable(releases.get(id));
        }

        @Override
        public Optional<String> reportedBuild(String imei) {
            return Optional.ofNullable(builds.get(imei));
        }

        @Override
        public String nextId() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> otherCaseOf(String model) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean insert(
                String id,
                String supplierId,
                String model,
                String buildFingerprint,
                LocalDate patchLevel,
                String kernelSourceSha256,
                String kernelConfig,
                LocalDate bulletinDate,
                Optional<String> otaUrl,
                Optional<String> otaSha256) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RomService.Release> list(Optional<String> model, Optional<String> supplierId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void approve(String id, String model, String approvedBy) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, LocalDate> approvedLevels() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Integer> approvedSupplierDelays() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Optional<LocalDate>> reportedPatchLevels(String[] imeis) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long unknownBuildDevices(String[] imeis) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RomService.PatchTimeline> timelines(
                Optional<String> supplierId, java.time.Instant from, java.time.Instant before, int percent) {
            throw new UnsupportedOperationException();
        }
    };

    private final CommandService service = new CommandService(commands, revocations, inventory, releaseRepository);

    private void release(String id, String model, boolean approved, boolean withPackage) {
        releases.put(
                id,
                new RomService.Release(
                        id,
                        "SUP-1",
                        model,
                        "neogend/" + id,
                        LocalDate.of(2026, 11, 5),
                        "a".repeat(64),
                        "CONFIG_X=y",
                        LocalDate.of(2026, 11, 2),
                        Instant.now(),
                        approved,
                        withPackage ? Optional.of("https://ota.example.fr/" + id + ".zip") : Optional.empty(),
                        withPackage ? Optional.of("b".repeat(64)) : Optional.empty()));
    }

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
                .hasMessageContaining("LOCK, WIPE, LOCATE or UPDATE");
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

    @Test
    void anUpdateIsTheApprovedReleaseOfTheDevicesModelWithItsPackageSentByAFleetManagerOneAtATime() {
        release("ROM-1", "Rugged X5", true, true);
        release("ROM-2", "Field Tab 10", true, true);
        release("ROM-3", "Rugged X5", false, true);
        release("ROM-4", "Rugged X5", true, false);
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-1", unitManager))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "", manager))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("release_id");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-9", manager))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("names no ROM release");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-2", manager))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("is for Field Tab 10");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-3", manager))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("not the approved release");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-4", manager))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("no OTA package");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.LOCK, "ROM-1", manager))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("other commands take none");
        builds.put(DEVICE, "neogend/ROM-1");
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-1", manager))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("already");
        builds.remove(DEVICE);

        Upload.Command update = service.queue(DEVICE, CommandKind.UPDATE, "ROM-1", manager);
        assertThat(update.update()).get().satisfies(u -> {
            assertThat(u.releaseId()).isEqualTo("ROM-1");
            assertThat(u.otaUrl()).isEqualTo("https://ota.example.fr/ROM-1.zip");
            assertThat(u.otaSha256()).isEqualTo("b".repeat(64));
        });
        assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-1", manager))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("one at a time");
        assertThat(queued).extracting(Upload.Command::command).containsExactly(CommandKind.UPDATE);
    }

    @Test
    void aLostOrStolenDeviceIsSentNoUpdate() {
        release("ROM-1", "Rugged X5", true, true);
        for (String reason : List.of("DEVICE_LOST", "DEVICE_STOLEN", "DEVICE_RETURNED")) {
            revoked.put(DEVICE, reason);
            assertThatThrownBy(() -> service.queue(DEVICE, CommandKind.UPDATE, "ROM-1", manager))
                    .isInstanceOf(PreconditionFailedException.class);
        }
        assertThat(queued).isEmpty();
    }
}
