package fr.interieur.neogend.telemetry.queries;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads of device states and positions (DOMAIN rules 19–20). Every read that returns a position is
 * written to the access audit in the same transaction as the read: who, when, which area or device,
 * how many positions.
 */
@Service
public class PositionQueries {

    private static final double METRES_PER_DEGREE = 111_320.0;
    private static final double EARTH_RADIUS_M = 6_371_000.0;

    /**
     * The audit's page when {@code page_size} is unset: 100, as {@code ListPositionAccessesRequest} tells
     * (the OpenAPI document shows it) and docs/api.md — not the kit's 50 of other listings.
     */
    static final int AUDIT_DEFAULT_PAGE_SIZE = 100;

    private final PositionRepository positions;
    private final InventoryDevices inventory;

    private final Duration retention;

    public PositionQueries(
            PositionRepository positions,
            InventoryDevices inventory,
            @org.springframework.beans.factory.annotation.Value("${neogend.telemetry.retention:30d}")
                    Duration retention) {
        this.positions = positions;
        this.inventory = inventory;
        this.retention = retention;
    }

    /** The state without a position taken before the retention period (the hourly clean-up may lag). */
    private static State withinRetention(State s, Instant oldestKept) {
        if (s.positionRecordedAt().filter(t -> t.isBefore(oldestKept)).isEmpty()) {
            return s;
        }
        return new State(
                s.imei(),
                s.recordedAt(),
                s.sequence(),
                s.receivedAt(),
                s.batteryPercent(),
                s.charging(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                s.network(),
                s.patchLevel(),
                s.romBuild(),
                s.kernelVersion(),
                s.freeStorageMb(),
                s.agentVersion(),
                Optional.empty(),
                s.softwareRecordedAt());
    }

    /** A latest state as stored. */
    public record State(
            String imei,
            Instant recordedAt,
            long sequence,
            Instant receivedAt,
            int batteryPercent,
            boolean charging,
            Optional<Double> latitude,
            Optional<Double> longitude,
            Optional<Float> accuracyM,
            String network,
            Optional<String> patchLevel,
            Optional<String> romBuild,
            Optional<String> kernelVersion,
            long freeStorageMb,
            Optional<String> agentVersion,
            Optional<Instant> positionRecordedAt,
            Optional<Instant> softwareRecordedAt) {}

    /** What a read of positions was (DOMAIN rule 20). Stored by name. */
    public enum ReadKind {
        /** Devices near a point. */
        RADIUS,
        /** One device's latest state. */
        DEVICE_STATE,
        /** One device's readings. */
        DEVICE_READINGS,
        /** A unit's map. */
        UNIT_MAP
    }

    /** An entry of the access audit. */
    public record Access(
            long id,
            String actor,
            Instant at,
            ReadKind kind,
            Optional<Double> latitude,
            Optional<Double> longitude,
            Optional<Double> radiusM,
            Optional<String> imei,
            int resultCount,
            Optional<String> unitCode,
            List<String> deviceImeis) {}

    /**
     * The latest state of a device the caller may see, audited. A caller limited to a unit subtree
     * is checked with inventory (which knows the units); a fleet manager sees every device.
     */
    @Transactional
    public State state(String imei, Caller caller) {
        requireVisible(imei, caller);
        Instant oldestKept = Instant.now().minus(retention);
        // one statement: the state read and its audit entry written, naming the device when its position
        // is returned (within the retention); nothing written when the device has no state
        State state = positions
                .stateAudited(imei, caller.username(), oldestKept)
                .map(s -> withinRetention(s, oldestKept))
                .orElseThrow(() -> new NotFoundException("device " + imei + " has sent no reading yet"));
        return state;
    }

    /** A device's readings since a time, newest first, audited. */
    @Transactional
    public List<State> readings(String imei, Optional<Instant> since, int pageSize, Caller caller) {
        requireVisible(imei, caller);
        int limit = pageSize <= 0 ? 100 : Math.min(pageSize, 1000);
        Instant from = since.orElse(Instant.now().minus(Duration.ofHours(24)));
        Instant oldestKept = Instant.now().minus(retention);
        if (from.isBefore(oldestKept)) { // readings older than the period are deleted, whatever is asked
            from = oldestKept;
        }
        List<State> readings = positions.readings(imei, from, limit);
        audit(
                caller,
                ReadKind.DEVICE_READINGS,
                null,
                null,
                null,
                imei,
                null,
                readings.stream().anyMatch(r -> r.latitude().isPresent()) ? List.of(imei) : List.of());
        return readings;
    }

    /** Latest positions within a radius, nearest first (at most 500), audited. */
    @Transactional
    public List<State> near(double latitude, double longitude, double radiusM, int maxAgeMinutes, Caller caller) {
        if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
            throw InvalidArgumentException.of("latitude", "latitude must be -90 to 90 and longitude -180 to 180");
        }
        if (!(radiusM >= 1 && radiusM <= 50_000)) {
            throw InvalidArgumentException.of("radius_m", "must be 1 to 50,000 metres");
        }
        int age = maxAgeMinutes <= 0 ? 60 : Math.min(maxAgeMinutes, 7 * 24 * 60);
        double dLat = radiusM / METRES_PER_DEGREE;
        double dLon = radiusM / (METRES_PER_DEGREE * Math.max(0.01, Math.cos(Math.toRadians(latitude))));
        // a bounding box on the index, then the great-circle distance
        List<State> found = positions.near(
                latitude,
                longitude,
                radiusM,
                EARTH_RADIUS_M,
                latitude - dLat,
                latitude + dLat,
                longitude - dLon,
                longitude + dLon,
                age,
                Instant.now().minus(retention)); // the hourly clean-up may lag: never a position past the retention
        audit(
                caller,
                ReadKind.RADIUS,
                latitude,
                longitude,
                radiusM,
                null,
                null,
                found.stream().map(State::imei).toList());
        return found;
    }

    /** Latest recent positions of a unit subtree's devices, for a map (audited). */
    public record UnitMap(List<State> states, int devicesInUnit) {}

    @Transactional
    public UnitMap unitPositions(String unitCode, int maxAgeMinutes, Caller caller) {
        List<InventoryDevices.Placed> devices = inventory.subtree(unitCode);
        int age = maxAgeMinutes <= 0 ? 60 : Math.min(maxAgeMinutes, 7 * 24 * 60);
        List<State> states = positions.recentPositions(
                devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new),
                age,
                Instant.now().minus(retention)); // the hourly clean-up may lag: never a position past the retention
        audit(
                caller,
                ReadKind.UNIT_MAP,
                null,
                null,
                null,
                null,
                unitCode,
                states.stream().map(State::imei).toList());
        return new UnitMap(states, devices.size());
    }

    /** What an auditor filters the audit on; empty values match everything. */
    public record AccessFilter(
            Optional<String> actor,
            Optional<String> imei,
            Optional<String> unitCode,
            Optional<Instant> from,
            Optional<Instant> to) {

        String key() {
            return fr.interieur.neogend.kit.paging.PageRequest.filters(
                    actor.orElse(""),
                    imei.orElse(""),
                    unitCode.orElse(""),
                    from.map(Instant::toString).orElse(""),
                    to.map(Instant::toString).orElse(""));
        }
    }

    /** The devices and units an auditor limited to a unit subtree reads the audit of. */
    public record AuditReach(String[] imeis, String[] unitCodes) {}

    /**
     * A page of the audit, newest first, filtered by who, which device, which unit and when. An auditor who is
     * also a unit manager or a technician is limited to its unit subtree here as in every read (docs/api.md):
     * the entries of reads that returned or asked for a device it may see, or a map of a unit of its
     * subtree, each naming only those devices.
     */
    @Transactional(readOnly = true)
    public fr.interieur.neogend.kit.paging.Page<Access> accesses(
            AccessFilter filter, int pageSize, String pageToken, Caller caller) {
        filter.imei().ifPresent(i -> {
            String problem = fr.interieur.neogend.kit.validation.Imei.problem(i);
            if (problem != null) {
                throw InvalidArgumentException.of("imei", problem);
            }
        });
        if (filter.from().isPresent()
                && filter.to().isPresent()
                && !filter.from().get().isBefore(filter.to().get())) {
            throw InvalidArgumentException.of("to_time", "must be after from_time");
        }
        var page = fr.interieur.neogend.kit.paging.PageRequest.of(
                pageSize <= 0 ? AUDIT_DEFAULT_PAGE_SIZE : pageSize, pageToken, filter.key());
        Optional<Long> before = Optional.empty();
        if (page.afterKey().isPresent()) {
            try {
                before = Optional.of(Long.parseLong(page.afterKey().get()));
            } catch (NumberFormatException e) {
                throw InvalidArgumentException.of("page_token", "is not a token of this listing");
            }
        }
        Optional<AuditReach> reach = Optional.empty();
        if (caller.restrictedToUnit()) { // inventory, on the caller's behalf, tells its devices and their units
            List<InventoryDevices.Placed> placed = inventory.placements(Optional.empty());
            java.util.Set<String> units = new java.util.TreeSet<>();
            placed.forEach(p -> units.add(p.unitCode()));
            caller.unitCode().ifPresent(units::add);
            units.remove("");
            reach = Optional.of(new AuditReach(
                    placed.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new),
                    units.toArray(String[]::new)));
        }
        List<Access> withDevices = positions.accesses(filter, reach, before, page.fetchSize());
        return page.toPage(withDevices, a -> Long.toString(a.id()), filter.key());
    }

    /** Writes the audit entry of a read, with the devices whose position it returned. */
    private void audit(
            Caller caller,
            ReadKind kind,
            Double lat,
            Double lon,
            Double radius,
            String imei,
            String unitCode,
            List<String> devices) {
        positions.audit(caller.username(), kind, lat, lon, radius, imei, unitCode, devices);
    }

    private void requireVisible(String imei, Caller caller) {
        if (caller.restrictedToUnit()) {
            inventory.requireVisible(imei);
            return;
        }
        String problem = fr.interieur.neogend.kit.validation.Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
    }
}
