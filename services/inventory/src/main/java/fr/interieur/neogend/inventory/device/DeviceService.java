package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.security.UnitScope;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Registers and finds devices (terminaux). Every read is limited to what the caller may see:
 * a unit manager or technician sees its own unit subtree only (DOMAIN rule 9).
 */
@Service
public class DeviceService {

    private static final Pattern UNIT_CODE = Pattern.compile("[A-Z0-9]{1,12}(-[A-Z0-9]{1,12}){0,7}");
    private static final int MAX_TEXT = 100;
    /** Largest delivery registered in one call (a 4 MB gRPC message holds about 25,000). */
    public static final int MAX_BULK = 20_000;

    private final DeviceRepository devices;
    private final Clock clock;

    public DeviceService(DeviceRepository devices, Optional<Clock> clock) {
        this.devices = devices;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Registers a device received from the supplier, in state IN_STOCK. */
    @Transactional
    public Device register(NewDevice request, Caller caller) {
        Validation v = new Validation();
        validate(request, "device.", v);
        v.throwIfInvalid();
        request.unitCode().ifPresent(unit -> requireInScope(caller, unit));

        if (devices.serialTaken(request.model(), request.serialNumber())) {
            throw new AlreadyExistsException("a " + request.model() + " with serial number "
                    + request.serialNumber() + " is registered already");
        }
        Device device = newDevice(request, now());
        if (!devices.insert(device, caller.username())) {
            throw new AlreadyExistsException("a device with IMEI " + request.imei() + " is registered already");
        }
        return device;
    }

    /**
     * Registers a delivery's devices (bon de livraison) in one transaction, all or nothing.
     * Idempotent by IMEI: a device registered already with the same serial number and model counts
     * as done. Every bad row is reported at once, as {@code devices[i].field}.
     */
    @Transactional
    public BulkRegistration registerAll(List<NewDevice> requests, Caller caller) {
        if (requests.isEmpty()) {
            throw InvalidArgumentException.of("devices", "at least one device is required");
        }
        if (requests.size() > MAX_BULK) {
            throw InvalidArgumentException.of("devices", "at most " + MAX_BULK + " devices per call, not "
                    + requests.size() + "; split the delivery");
        }
        Validation v = new Validation();
        Map<String, Integer> rowOfImei = new HashMap<>();
        Map<DeviceRepository.ModelSerial, Integer> rowOfSerial = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            NewDevice d = requests.get(i);
            String row = "devices[" + i + "].";
            validate(d, row, v);
            d.unitCode().ifPresent(unit -> UnitScope.of(caller).ifPresent(root -> v.check(
                    UnitScope.contains(root, unit), row + "unit_code", "is outside your unit")));
            Integer first = d.imei() == null ? null : rowOfImei.putIfAbsent(d.imei(), i);
            v.check(first == null, row + "imei", "repeats devices[" + first + "]");
            if (d.model() != null && d.serialNumber() != null) {
                Integer sameSerial = rowOfSerial.putIfAbsent(new DeviceRepository.ModelSerial(d.model(),
                        d.serialNumber()), i);
                v.check(sameSerial == null, row + "serial_number", "repeats devices[" + sameSerial + "]");
            }
        }
        v.throwIfInvalid();

        Map<String, Device> known = devices.findByImeis(rowOfImei.keySet());
        Map<DeviceRepository.ModelSerial, String> holders = devices.imeisBySerial(rowOfSerial.keySet());
        Instant now = now();
        List<Device> fresh = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            NewDevice d = requests.get(i);
            String row = "devices[" + i + "].";
            Device existing = known.get(d.imei());
            if (existing != null) {
                v.check(existing.model().equals(d.model()) && existing.serialNumber().equals(d.serialNumber()),
                        row + "imei", "is registered already as " + existing.model() + " serial "
                                + existing.serialNumber());
                continue;
            }
            String holder = holders.get(new DeviceRepository.ModelSerial(d.model(), d.serialNumber()));
            v.check(holder == null, row + "serial_number", "is registered already for IMEI " + holder);
            fresh.add(newDevice(d, now));
        }
        v.throwIfInvalid();
        devices.insertAll(fresh, caller.username());
        return new BulkRegistration(fresh.size(), requests.size() - fresh.size());
    }

    private static void validate(NewDevice request, String prefix, Validation v) {
        String imeiProblem = Imei.problem(request.imei());
        v.check(imeiProblem == null, prefix + "imei", imeiProblem);
        v.required(request.serialNumber(), prefix + "serial_number");
        v.check(request.serialNumber() == null || request.serialNumber().length() <= 64,
                prefix + "serial_number", "must be at most 64 characters");
        v.required(request.model(), prefix + "model");
        v.check(request.model() == null || request.model().length() <= MAX_TEXT,
                prefix + "model", "must be at most " + MAX_TEXT + " characters");
        v.check(request.kind().isPresent(), prefix + "kind", "is required (PHONE or TABLET)");
        request.unitCode().ifPresent(u -> v.check(UNIT_CODE.matcher(u).matches(), prefix + "unit_code",
                "must be upper-case unit codes joined by '-', e.g. GN-RBRE-GGD35"));
        request.romBuild().ifPresent(r -> v.check(r.length() <= 200, prefix + "rom_build",
                "must be at most 200 characters"));
    }

    private static Device newDevice(NewDevice d, Instant now) {
        return new Device(d.imei(), d.serialNumber(), d.model(), d.kind().orElseThrow(), DeviceState.IN_STOCK,
                d.packType(), d.unitCode(), d.romBuild(), now, now, 0);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The device, if the caller may see it; NOT_FOUND otherwise (existence is not revealed). */
    @Transactional(readOnly = true)
    public Device get(String imei, Caller caller) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
        return devices.findByImei(imei)
                .filter(d -> visibleTo(d, caller))
                .orElseThrow(() -> new NotFoundException("no device with IMEI " + imei));
    }

    /** A page of the devices the caller may see, filtered, ordered by IMEI. */
    @Transactional(readOnly = true)
    public Page<Device> list(Optional<DeviceState> state, Optional<PackType> packType, Optional<String> unitCode,
                           int pageSize, String pageToken, Caller caller) {
        Optional<String> subtree = subtreeFor(unitCode, caller);
        String filters = new DeviceQuery(state, packType, subtree, Optional.empty(), 0).filterKey();
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        return page.toPage(devices.find(new DeviceQuery(state, packType, subtree, page.afterKey(), page.fetchSize())),
                Device::imei, filters);
    }

    /** Per-state and per-unit counts of the devices the caller may see (optionally one subtree). */
    @Transactional(readOnly = true)
    public DeviceCounts count(Optional<String> unitCode, Caller caller) {
        Optional<String> subtree = subtreeFor(unitCode, caller);
        Map<DeviceState, Long> byState = devices.countByState(subtree);
        long total = byState.values().stream().mapToLong(Long::longValue).sum();
        return new DeviceCounts(total, byState, devices.countByUnit(subtree));
    }

    /** The subtree a query covers: the one asked for (inside the caller's reach) or the caller's own. */
    private static Optional<String> subtreeFor(Optional<String> unitCode, Caller caller) {
        unitCode.ifPresent(u -> {
            if (!UNIT_CODE.matcher(u).matches()) {
                throw InvalidArgumentException.of("unit_code", "is not a unit code");
            }
            requireInScope(caller, u);
        });
        return unitCode.isPresent() ? unitCode : UnitScope.of(caller);
    }

    private static boolean visibleTo(Device device, Caller caller) {
        return UnitScope.of(caller)
                .map(root -> device.unitCode().map(u -> UnitScope.contains(root, u)).orElse(false))
                .orElse(true);
    }

    private static void requireInScope(Caller caller, String unitCode) {
        UnitScope.of(caller).ifPresent(root -> {
            if (!UnitScope.contains(root, unitCode)) {
                throw new AccessDeniedException("unit " + unitCode + " is outside your unit "
                        + caller.unitCode().orElse("(none)"));
            }
        });
    }
}
