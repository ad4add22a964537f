package fr.interieur.neogend.telemetry.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the fleet views read of credentials and latest states, for given devices (implemented in persistence). */
public interface FleetReadings {

    /** An enrolled device: when it was enrolled and when its last reading arrived, if ever. */
    record Heard(String imei, Instant enrolledAt, Optional<Instant> lastReceivedAt) {}

    /** Devices among these with an active credential, not heard of (nor enrolled) for more than {@code hours}. */
    List<Heard> silent(String[] imeis, int hours);

    /** Devices among these per battery band (0: 0–19 % … 4: 80–100 %); bands without a device are absent. */
    Map<Integer, Long> batteryBands(String[] imeis);

    /** Devices among these below {@code lowPercent} and not charging, lowest first, at most {@code limit}. */
    List<String> lowBattery(String[] imeis, int lowPercent, int limit);

    /** How many devices among these are below {@code lowPercent} and not charging. */
    long lowBatteryCount(String[] imeis, int lowPercent);
}
