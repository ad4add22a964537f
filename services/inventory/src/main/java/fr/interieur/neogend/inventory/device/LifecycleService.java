package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.inventory.unit.Reach;
import fr.interieur.neogend.inventory.unit.UnitService;
import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The life cycle of devices inside their packs (DOMAIN rules 8–11): assign, unassign, repair,
 * loss or theft, exchange, return. Each call is one transaction that checks the caller's reach,
 * the transition ({@link DeviceLifecycle}) and the versions it read (optimistic locking: of two
 * concurrent edits, the second gets ABORTED and nothing of it is stored), then writes the device,
 * its pack, their history and the events for other services together.
 */
@Service
public class LifecycleService {

    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PLAIN_TEXT = Pattern.compile("[^\\p{Cntrl}]{1,100}");
    private static final int MAX_ACCESSORIES = 20;
    private static final Pattern REPAIR_ID = Pattern.compile("RP-[0-9]{6,16}");

    private final DeviceService devicesRead;
    private final DeviceRepository devices;
    private final PackRepository packs;
    private final HistoryRepository history;
    private final DeviceEvents events;
    private final UnitService units;
    private final Clock clock;

    public LifecycleService(
            DeviceService devicesRead,
            DeviceRepository devices,
            PackRepository packs,
            HistoryRepository history,
            DeviceEvents events,
            UnitService units,
            Optional<Clock> clock) {
        this.devicesRead = devicesRead;
        this.devices = devices;
        this.packs = packs;
        this.history = history;
        this.events = events;
        this.units = units;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** A device and its pack (if any) after a change. */
    public record Change(Device device, Optional<Pack> pack) {}

    /** The outcome of an exchange. */
    public record Exchange(Device device, Device replacement, Pack pack) {}

    /**
     * Hands a device in stock to a holder: an agent of {@code unitCode} for an individual pack, the
     * unit itself for a collective pack.
     */
    @Transactional
    public Change assign(
            String imei,
            String unitCode,
            Optional<String> agentId,
            List<String> accessories,
            OptionalLong expectedVersion,
            Caller caller) {
        Reach reach = units.reachOf(caller);
        Device d = load(imei, reach, expectedVersion);
        Optional<Pack> current = packs.findByDevice(imei).filter(p -> !p.ended());
        DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.ASSIGN, false);
        Pack pack = current.orElseThrow(() -> new PreconditionFailedException(
                "device " + imei + " is a spare outside any pack; put it in a pack with an exchange instead"));
        Validation v = new Validation();
        v.required(unitCode, "unit_code");
        if (pack.type() == PackType.TABLET_COLLECTIVE) {
            v.check(agentId.isEmpty(), "holder_agent_id", "must be empty: a collective pack is held by its unit");
        } else {
            v.check(
                    agentId.isPresent(),
                    "holder_agent_id",
                    "is required: a " + pack.type() + " pack is held by one agent");
            agentId.ifPresent(a -> v.check(
                    AGENT_ID.matcher(a).matches(),
                    "holder_agent_id",
                    "must be 1 to 64 letters, digits, '.', '_' or '-'"));
        }
        v.check(accessories.size() <= MAX_ACCESSORIES, "accessories", "at most " + MAX_ACCESSORIES + " items");
        for (int i = 0; i < accessories.size() && i < MAX_ACCESSORIES; i++) {
            v.check(
                    PLAIN_TEXT.matcher(accessories.get(i)).matches(),
                    "accessories[" + i + "]",
                    "must be 1 to 100 characters of plain text");
        }
        v.throwIfInvalid();
        units.requirePlaceable(unitCode, reach, "unit_code");
        Instant now = now();
        Device changed = d.changed(next, Optional.of(unitCode), d.policeReport(), now);
        Pack held = pack.heldBy(Optional.of(unitCode), agentId, accessories, now);
        save(DeviceAction.ASSIGN, d, changed, pack, held, Map.of(), caller, now);
        return reread(imei);
    }

    /** Takes a device back from its holder into its unit's stock; the pack keeps running. */
    @Transactional
    public Change unassign(String imei, OptionalLong expectedVersion, Caller caller) {
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        Pack pack = packs.findByDevice(imei).filter(p -> !p.ended()).orElse(null);
        DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.UNASSIGN, false);
        Instant now = now();
        save(
                DeviceAction.UNASSIGN,
                d,
                d.changed(next, d.unitCode(), d.policeReport(), now),
                pack,
                pack == null ? null : pack.unheld(now),
                Map.of(),
                caller,
                now);
        return reread(imei);
    }

    @Transactional
    public Change sendToRepair(String imei, OptionalLong expectedVersion, Caller caller) {
        return simple(imei, DeviceAction.SEND_TO_REPAIR, expectedVersion, caller);
    }

    @Transactional
    public Change returnFromRepair(String imei, OptionalLong expectedVersion, Caller caller) {
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        requireNoOpenRepair(d, "returned from repair");
        return simple(imei, DeviceAction.RETURN_FROM_REPAIR, OptionalLong.of(d.version()), caller);
    }

    /**
     * A repair of the accessories service starts (issue 17): the device goes IN_REPAIR under it (or,
     * IN_REPAIR already, is taken under it) and from then on leaves repair only by
     * {@link #endRepair}. The row's version orders this against any concurrent change of the device.
     *
     * @param replaces the repair the device is under that this one replaces (never recorded by the
     *                 accessories service: an open interrupted between inventory and its own commit)
     */
    @Transactional
    public Change startRepair(String imei, String repairId, Optional<String> replaces, Caller caller) {
        requireRepairId(repairId, "repair_id");
        replaces.ifPresent(r -> requireRepairId(r, "replaces_repair_id"));
        Device d = load(imei, units.reachOf(caller), OptionalLong.empty());
        Optional<String> under = d.repair().open();
        if (under.equals(Optional.of(repairId))) {
            return reread(imei); // a repeat
        }
        if (under.isPresent() && !under.equals(replaces)) {
            throw new PreconditionFailedException(
                    "device " + imei + " is under repair " + under.get() + " already; close that repair first");
        }
        if (under.isEmpty() && replaces.isPresent()) {
            throw new PreconditionFailedException(
                    "device " + imei + " is under no repair; replaces_repair_id " + replaces.get() + " does not hold");
        }
        DeviceState next = d.state() == DeviceState.IN_REPAIR
                ? DeviceState.IN_REPAIR
                : DeviceLifecycle.next(imei, d.state(), DeviceAction.SEND_TO_REPAIR, false);
        Instant now = now();
        Device changed = d.repaired(
                next,
                new Device.Repair(
                        Optional.of(repairId), d.repair().ended(), d.repair().endedOutcome()),
                now);
        save(DeviceAction.SEND_TO_REPAIR, d, changed, null, null, Map.of(), caller, now);
        return reread(imei);
    }

    /**
     * The repair the device is under is closed (issue 17): repaired, the device goes back to its
     * holder or its unit's stock; failed, it goes PENDING_RETURN. A device no longer IN_REPAIR (declared
     * LOST or STOLEN meanwhile, the only routes out of IN_REPAIR left open under a repair; or moved out
     * by a manager's route before those were refused) keeps its state and is only released, whatever
     * the outcome. A repeat of the last close changes nothing; a repair the device is not under is
     * refused, naming the one it is under.
     */
    @Transactional
    public Change endRepair(String imei, String repairId, boolean repaired, String reason, Caller caller) {
        requireRepairId(repairId, "repair_id");
        if (!repaired && (reason == null || !PLAIN_TEXT.matcher(reason.trim()).matches())) {
            throw InvalidArgumentException.of("reason", "is required: 1 to 100 characters of plain text");
        }
        Device d = load(imei, units.reachOf(caller), OptionalLong.empty());
        String outcome = repaired ? "REPAIRED" : "FAILED";
        if (!d.repair().open().equals(Optional.of(repairId))) {
            if (d.repair().ended().equals(Optional.of(repairId))) {
                if (d.repair().endedOutcome().equals(Optional.of(outcome))) {
                    return reread(imei); // the same close, repeated
                }
                throw new PreconditionFailedException("repair " + repairId + " of device " + imei + " was closed as "
                        + d.repair().endedOutcome().orElse("?") + " in inventory already");
            }
            throw new PreconditionFailedException("device " + imei + " is not under repair " + repairId
                    + d.repair()
                            .open()
                            .map(r -> " (it is under repair " + r + ")")
                            .orElse(" (it is under none)"));
        }
        Device.Repair released = new Device.Repair(Optional.empty(), Optional.of(repairId), Optional.of(outcome));
        Instant now = now();
        if (repaired && d.state() == DeviceState.IN_REPAIR) {
            boolean held = packs.findByDevice(imei)
                    .filter(p -> !p.ended())
                    .map(Pack::held)
                    .orElse(false);
            DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.RETURN_FROM_REPAIR, held);
            save(
                    DeviceAction.RETURN_FROM_REPAIR,
                    d,
                    d.repaired(next, released, now),
                    null,
                    null,
                    Map.of("repair_id", repairId),
                    caller,
                    now);
        } else if (d.state() == DeviceState.IN_REPAIR) {
            DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.FAIL_REPAIR, false);
            save(
                    DeviceAction.FAIL_REPAIR,
                    d,
                    d.repaired(next, released, now),
                    null,
                    null,
                    Map.of("reason", reason.trim(), "repair_id", repairId),
                    caller,
                    now);
        } else if (repaired) {
            // lost or stolen while under repair: released, still lost or stolen
            save(
                    DeviceAction.RETURN_FROM_REPAIR,
                    d,
                    d.repaired(d.state(), released, now),
                    null,
                    null,
                    Map.of("repair_id", repairId),
                    caller,
                    now);
        } else {
            save(
                    DeviceAction.FAIL_REPAIR,
                    d,
                    d.repaired(d.state(), released, now),
                    null,
                    null,
                    Map.of("reason", reason.trim(), "repair_id", repairId),
                    caller,
                    now);
        }
        return reread(imei);
    }

    private static void requireRepairId(String id, String field) {
        if (id == null || !REPAIR_ID.matcher(id).matches()) {
            throw InvalidArgumentException.of(field, "must be a repair id such as RP-000001");
        }
    }

    /** A device under a repair of the accessories service leaves repair only when that repair closes. */
    private static void requireNoOpenRepair(Device d, String what) {
        d.repair().open().ifPresent(r -> {
            throw new PreconditionFailedException("device " + d.imei() + " is under repair " + r
                    + " (accessories service); it is " + what + " only when that repair is closed");
        });
    }

    /**
     * A device under a repair of the accessories service is not marked for return, exchanged (out or
     * in) or written off: only that repair's close takes it out (a loss or theft is still declared at
     * once, rule 11, and keeps the repair link for the close to release).
     */
    private static void requireNotUnderRepair(Device d, DeviceAction action) {
        d.repair().open().ifPresent(r -> {
            throw new PreconditionFailedException("device " + d.imei() + " is under repair " + r
                    + " (accessories service); it leaves repair only when that repair is closed: cannot "
                    + action.verb());
        });
    }

    /**
     * Closes a repair as failed (rule 16): the device goes PENDING_RETURN, to be given back to the
     * supplier; its pack keeps holder and lease until the replacement is exchanged in.
     */
    @Transactional
    public Change failRepair(String imei, String reason, OptionalLong expectedVersion, Caller caller) {
        if (reason == null || !PLAIN_TEXT.matcher(reason.trim()).matches()) {
            throw InvalidArgumentException.of("reason", "is required: 1 to 100 characters of plain text");
        }
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        requireNoOpenRepair(d, "failed out of repair");
        DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.FAIL_REPAIR, false);
        Instant now = now();
        save(
                DeviceAction.FAIL_REPAIR,
                d,
                d.changed(next, d.unitCode(), d.policeReport(), now),
                null,
                null,
                Map.of("reason", reason.trim()),
                caller,
                now);
        return reread(imei);
    }

    /** → PENDING_RETURN; refused for a device under a repair of the accessories service. */
    @Transactional
    public Change markForReturn(String imei, OptionalLong expectedVersion, Caller caller) {
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        requireNotUnderRepair(d, DeviceAction.MARK_FOR_RETURN);
        return simple(imei, DeviceAction.MARK_FOR_RETURN, OptionalLong.of(d.version()), caller);
    }

    /**
     * Declares a device LOST or STOLEN (rule 11): in the same transaction, an event asks the telemetry
     * service to revoke its credentials and lock it (and wipe it when stolen). Never refused for a device
     * under a repair (it may vanish from the depot): it keeps the repair link, which that repair's close
     * releases ({@link #endRepair}).
     */
    @Transactional
    public Change declareLoss(
            String imei, boolean stolen, String policeReport, OptionalLong expectedVersion, Caller caller) {
        if (policeReport == null || !PLAIN_TEXT.matcher(policeReport.trim()).matches()) {
            throw InvalidArgumentException.of(
                    "police_report_reference", "is required: 1 to 100 characters of plain text");
        }
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        DeviceAction action = stolen ? DeviceAction.DECLARE_STOLEN : DeviceAction.DECLARE_LOST;
        DeviceState next = DeviceLifecycle.next(imei, d.state(), action, false);
        Instant now = now();
        Device changed = d.changed(next, d.unitCode(), Optional.of(policeReport.trim()), now);
        save(action, d, changed, null, null, Map.of(), caller, now);
        events.deviceLost(changed, stolen, now);
        return reread(imei);
    }

    /**
     * Swaps a device inside its pack for a spare (rule 10): the pack keeps its holder and its lease
     * (its days are never billed twice), the replacement takes the old device's place and state.
     * Neither device may be under a repair of the accessories service.
     */
    @Transactional
    public Exchange exchange(
            String imei, String replacementImei, String reason, OptionalLong expectedVersion, Caller caller) {
        if (reason == null || !PLAIN_TEXT.matcher(reason.trim()).matches()) {
            throw InvalidArgumentException.of("reason", "is required: 1 to 100 characters of plain text");
        }
        if (imei.equals(replacementImei)) {
            throw InvalidArgumentException.of("replacement_imei", "must be another device");
        }
        Reach reach = units.reachOf(caller);
        Device old = load(imei, reach, expectedVersion);
        requireNotUnderRepair(old, DeviceAction.EXCHANGE_OUT);
        DeviceState oldNext = DeviceLifecycle.next(imei, old.state(), DeviceAction.EXCHANGE_OUT, false);
        Pack pack = packs.findByDevice(imei)
                .filter(p -> !p.ended())
                .orElseThrow(() -> new PreconditionFailedException(
                        "device " + imei + " is not in a running pack; nothing to exchange"));
        Device spare = devicesRead.changeable(replacementImei, reach, "replacement_imei");
        requireNotUnderRepair(spare, DeviceAction.EXCHANGE_IN);
        DeviceState spareNext =
                DeviceLifecycle.next(replacementImei, spare.state(), DeviceAction.EXCHANGE_IN, pack.held());
        packs.findByDevice(replacementImei).ifPresent(p -> {
            throw new PreconditionFailedException(
                    "device " + replacementImei + " is in pack " + p.id() + " already; a replacement must be a spare");
        });
        if (spare.kind() != old.kind()) {
            throw new PreconditionFailedException("a " + spare.kind() + " cannot replace a " + old.kind());
        }
        Instant now = now();
        Device oldChanged = old.changed(oldNext, old.unitCode(), old.policeReport(), now);
        Device spareChanged = spare.changed(spareNext, pack.unitCode(), spare.policeReport(), now);
        Pack swapped = pack.withDevice(replacementImei, now);
        Map<String, Object> why = Map.of("reason", reason.trim());
        save(DeviceAction.EXCHANGE_OUT, old, oldChanged, null, null, why, caller, now);
        save(DeviceAction.EXCHANGE_IN, spare, spareChanged, pack, swapped, why, caller, now);
        events.deviceExchanged(oldChanged, spareChanged, pack.id(), now);
        return new Exchange(
                reread(imei).device(),
                reread(replacementImei).device(),
                packs.find(pack.id()).orElseThrow());
    }

    /**
     * Confirms the supplier took a device back, or wrote off a lost or stolen one. If it is still the
     * device of a pack, that pack's lease ends today (the return day is not billed). A lost or stolen
     * device still under a repair of the accessories service is written off only once that repair is
     * closed.
     */
    @Transactional
    public Change confirmReturn(String imei, OptionalLong expectedVersion, Caller caller) {
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        requireNotUnderRepair(d, DeviceAction.RETURN);
        DeviceState next = DeviceLifecycle.next(imei, d.state(), DeviceAction.RETURN, false);
        Pack pack = packs.findByDevice(imei).filter(p -> !p.ended()).orElse(null);
        Instant now = now();
        LocalDate today = LocalDate.ofInstant(now, DeviceService.ZONE);
        Device changed = d.changed(next, d.unitCode(), d.policeReport(), now);
        save(
                DeviceAction.RETURN,
                d,
                changed,
                pack,
                pack == null ? null : pack.endedOn(today, now),
                Map.of(),
                caller,
                now);
        events.deviceReturned(changed, now);
        return reread(imei);
    }

    private Change simple(String imei, DeviceAction action, OptionalLong expectedVersion, Caller caller) {
        Device d = load(imei, units.reachOf(caller), expectedVersion);
        boolean held =
                packs.findByDevice(imei).filter(p -> !p.ended()).map(Pack::held).orElse(false);
        DeviceState next = DeviceLifecycle.next(imei, d.state(), action, held);
        Instant now = now();
        save(action, d, d.changed(next, d.unitCode(), d.policeReport(), now), null, null, Map.of(), caller, now);
        return reread(imei);
    }

    private Device load(String imei, Reach reach, OptionalLong expectedVersion) {
        Device d = devicesRead.changeable(imei, reach, "imei");
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != d.version()) {
            throw new ConcurrentChangeException("device " + imei + " is at version " + d.version() + ", not "
                    + expectedVersion.getAsLong() + ": it changed since you read it; read it again and retry");
        }
        return d;
    }

    /** Stores a device change (and its pack's) if nobody changed them meanwhile, with their history. */
    private void save(
            DeviceAction action,
            Device before,
            Device after,
            Pack packBefore,
            Pack packAfter,
            Map<String, Object> extra,
            Caller caller,
            Instant now) {
        if (!devices.update(after, caller.username())) {
            throw new ConcurrentChangeException("device " + before.imei()
                    + " changed meanwhile (another edit came first); read it again and retry");
        }
        if (packAfter != null && !packs.update(packAfter)) {
            throw new ConcurrentChangeException(
                    "pack " + packAfter.id() + " changed meanwhile (another edit came first); read it again and retry");
        }
        List<HistoryRepository.Change> changes = new ArrayList<>(2);
        Map<String, Object>[] d = History.diff(History.of(before), History.of(after));
        d[1].putAll(extra);
        changes.add(new HistoryRepository.Change("DEVICE", before.imei(), before.imei(), action.name(), d[0], d[1]));
        if (packAfter != null) {
            Map<String, Object>[] p = History.diff(History.of(packBefore), History.of(packAfter));
            changes.add(new HistoryRepository.Change("PACK", packAfter.id(), before.imei(), action.name(), p[0], p[1]));
        }
        history.append(changes, caller.username(), now);
    }

    private Change reread(String imei) {
        return new Change(devices.findByImei(imei).orElseThrow(), packs.findByDevice(imei));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
