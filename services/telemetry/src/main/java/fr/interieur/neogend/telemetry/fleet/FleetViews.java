package fr.interieur.neogend.telemetry.fleet;

import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Silence and battery (DOMAIN rule 19) over the devices in service within the caller's reach
 * ({@link Fleet}); the readings' side is read for exactly those devices.
 */
@Service
public class FleetViews {

    static final List<String> BANDS = List.of("0-19", "20-39", "40-59", "60-79", "80-100");

    private final FleetReadings readings;
    private final Fleet fleet;

    public FleetViews(FleetReadings readings, Fleet fleet) {
        this.readings = readings;
        this.fleet = fleet;
    }

    /** A device not heard of lately; {@code lastReceivedAt} empty when it never reported. */
    public record Silent(
            String imei, String unitCode, String model, Optional<Instant> lastReceivedAt, Instant enrolledAt) {

        Instant silentSince() {
            return lastReceivedAt.orElse(enrolledAt);
        }
    }

    /** Silent devices, longest silent first (at most {@code limit}), their total and counts per unit. */
    public record Silence(List<Silent> devices, long total, Map<String, Long> byUnit) {}

    /**
     * Enrolled devices in service whose last reading arrived more than {@code hours} ago; one that never
     * reported is silent from its enrolment.
     */
    public Silence silent(int hours, int pageSize, Optional<String> unitCode) {
        int h = hours <= 0 ? 24 : Math.min(hours, 24 * 365 * 10);
        int limit = pageSize <= 0 ? 100 : Math.min(pageSize, 500);
        List<InventoryDevices.Placed> devices = fleet.inService(unitCode);
        Map<String, InventoryDevices.Placed> byImei = new HashMap<>();
        devices.forEach(d -> byImei.put(d.imei(), d));
        List<Silent> silent = new ArrayList<>();
        for (FleetReadings.Heard heard : readings.silent(Fleet.imeis(devices), h)) {
            InventoryDevices.Placed d = byImei.get(heard.imei());
            silent.add(new Silent(d.imei(), d.unitCode(), d.model(), heard.lastReceivedAt(), heard.enrolledAt()));
        }
        Map<String, Long> byUnit = new TreeMap<>();
        silent.forEach(s -> byUnit.merge(s.unitCode(), 1L, Long::sum));
        silent.sort(Comparator.comparing(Silent::silentSince).thenComparing(Silent::imei));
        return new Silence(List.copyOf(silent.subList(0, Math.min(limit, silent.size()))), silent.size(), byUnit);
    }

    /** Battery health: devices per band of 20 points, and the low ones not charging. */
    public record Battery(Map<String, Long> bands, List<String> lowImeis, long lowTotal) {}

    public Battery battery(int lowPercent) {
        int low = lowPercent <= 0 ? 15 : Math.min(lowPercent, 100);
        String[] imeis = Fleet.imeis(fleet.inService(Optional.empty()));
        Map<String, Long> bands = new LinkedHashMap<>();
        BANDS.forEach(b -> bands.put(b, 0L));
        readings.batteryBands(imeis).forEach((band, count) -> bands.put(BANDS.get(band), count));
        List<String> lows = readings.lowBattery(imeis, low, 500);
        long total = readings.lowBatteryCount(imeis, low);
        return new Battery(bands, lows, total);
    }
}
