package fr.interieur.neogend.telemetry.devicestatus;

/** One row of the telemetry service's skeleton listing (device statuses). */
public record DeviceStatus(
        String imei,
        int batteryPercent,
        String securityPatchLevel) {
}
