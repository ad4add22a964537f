package fr.interieur.neogend.telemetry.enrolment;

/** Asks inventory whether a device exists (on the caller's behalf); implemented over gRPC. */
public interface InventoryDevices {

    /** True when inventory knows the device and the caller may see it. */
    boolean exists(String imei);
}
