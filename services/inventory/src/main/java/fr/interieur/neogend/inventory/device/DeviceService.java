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
        String imeiProblem = Imei.problem(request.imei());
        v.check(imeiProblem == null, "device.imei", imeiProblem);
        v.required(request.serialNumber(), "device.serial_number");
        v.check(request.serialNumber() == null || request.serialNumber().length() <= 64,
                "device.serial_number", "must be at most 64 characters");
        v.required(request.model(), "device.model");
        v.check(request.model() == null || request.model().length() <= MAX_TEXT,
                "device.model", "must be at most " + MAX_TEXT + " characters");
        v.check(request.kind().isPresent(), "device.kind", "is required (PHONE or TABLET)");
        request.unitCode().ifPresent(u -> v.check(UNIT_CODE.matcher(u).matches(), "device.unit_code",
                "must be upper-case unit codes joined by '-', e.g. GN-RBRE-GGD35"));
        request.romBuild().ifPresent(r -> v.check(r.length() <= 200, "device.rom_build",
                "must be at most 200 characters"));
        v.throwIfInvalid();
        request.unitCode().ifPresent(unit -> requireInScope(caller, unit));

        if (devices.serialTaken(request.model(), request.serialNumber())) {
            throw new AlreadyExistsException("a " + request.model() + " with serial number "
                    + request.serialNumber() + " is registered already");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Device device = new Device(request.imei(), request.serialNumber(), request.model(), request.kind().get(),
                DeviceState.IN_STOCK, request.packType(), request.unitCode(), request.romBuild(), now, now, 0);
        if (!devices.insert(device, caller.username())) {
            throw new AlreadyExistsException("a device with IMEI " + request.imei() + " is registered already");
        }
        return device;
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
        unitCode.ifPresent(u -> {
            if (!UNIT_CODE.matcher(u).matches()) {
                throw InvalidArgumentException.of("unit_code", "is not a unit code");
            }
        });
        Optional<String> scope = UnitScope.of(caller);
        Optional<String> subtree = unitCode;
        if (scope.isPresent()) {
            if (unitCode.isPresent()) {
                requireInScope(caller, unitCode.get());
            } else {
                subtree = scope;
            }
        }
        String filters = new DeviceQuery(state, packType, subtree, Optional.empty(), 0).filterKey();
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        return page.toPage(devices.find(new DeviceQuery(state, packType, subtree, page.afterKey(), page.fetchSize())),
                Device::imei, filters);
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
