package fr.interieur.neogend.telemetry.ingestion;

import java.util.Collection;
import java.util.List;

/**
 * Storage of readings and latest states (tables {@code reading}, {@code device_state}, owned by the adapter
 * implementing this port), and the commands an upload acknowledges and fetches (through their owner).
 */
public interface ReadingStore {

    /** True when inventory said the device was lost, stolen, exchanged or returned. */
    boolean revoked(String imei);

    /**
     * Stores the readings of one device unless stored already, and moves the device's latest state
     * forward, each part by its own newest reading: battery, network and storage by the newest reading;
     * the position by the newest reading with a fix; patch level, build, kernel and agent by the newest
     * reading that told them. A part older than the stored one is kept. Nothing at all when the device
     * is revoked ({@link #revoked}), read in the same statement as the writes.
     */
    Stored store(
            String imei,
            List<ReadingIn> readings,
            ReadingIn newest,
            java.util.Optional<ReadingIn> newestPosition,
            java.util.Optional<ReadingIn> newestSoftware);

    /**
     * What {@link #store} did: nothing because the device is revoked, or stored how many new readings; and
     * whether the device has commands not yet acknowledged (read in the same statement), so that an upload
     * asks for them only when there are some.
     */
    record Stored(boolean revoked, int count, boolean commandsWaiting) {}

    /** One device's batch for {@link #storeAll}: its readings and the newest of each part, as {@link #store}. */
    record Batch(
            String imei,
            List<ReadingIn> readings,
            ReadingIn newest,
            java.util.Optional<ReadingIn> newestPosition,
            java.util.Optional<ReadingIn> newestSoftware) {}

    /**
     * {@link #store} for the batches of several devices, each device at most once, in one statement (one
     * transaction: all stored or none); answers each batch in order.
     */
    List<Stored> storeAll(List<Batch> batches);

    /** Marks the device's commands acknowledged (ids of other devices are ignored). */
    void acknowledge(String imei, Collection<Long> commandIds);

    /**
     * The device's word on one of its commands (ids of other devices' commands are ignored): an UPDATE
     * installed or failed (with the reason), or postponed (handed again, the postponement counted); any
     * other command is acknowledged.
     */
    void report(String imei, long commandId, Upload.Outcome outcome, String reason);

    /**
     * Confirms the device's open UPDATE commands whose release its latest state now reports: that build,
     * at least that patch level, told by a reading taken after the command was queued.
     */
    void confirmUpdates(String imei);

    /**
     * The device's commands not yet acknowledged, marking the queued ones delivered; an UPDATE with a
     * maintenance window only within it ({@code parisMinute}: the minute of the Paris day now).
     */
    List<Upload.Command> deliverPending(String imei, int parisMinute);

    /**
     * The retention (rule 20): deletes the readings recorded before {@code limit} still held (in the
     * partition astride the limit and the default one) and clears the latest positions taken before it;
     * returns how many latest positions were cleared.
     */
    int forgetBefore(java.time.Instant limit);
}
