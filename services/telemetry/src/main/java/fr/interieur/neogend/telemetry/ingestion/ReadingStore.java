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
     * forward, each part by its own newest reading among those stored now: battery, network and storage by
     * the newest reading; the position by the newest reading with a fix; patch level, build, kernel and
     * agent by the newest reading that told them. A part older than the stored one is kept; a reading
     * already stored (sent again, maybe with other values) moves nothing — the state never shows what the
     * history does not hold. Nothing at all when the device is revoked ({@link #revoked}), read in the same
     * statement as the writes.
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
            java.util.Optional<ReadingIn> newestSoftware) {

        /** A device's good readings (at least one) with the newest of each part: by time, then sequence. */
        public static Batch of(String imei, List<ReadingIn> good) {
            java.util.Comparator<ReadingIn> order =
                    java.util.Comparator.comparing(ReadingIn::recordedAt).thenComparing(ReadingIn::sequence);
            return new Batch(
                    imei,
                    good,
                    good.stream().max(order).orElseThrow(),
                    good.stream().filter(r -> r.latitude().isPresent()).max(order),
                    good.stream()
                            .filter(r ->
                                    !r.patchLevel().isEmpty() || !r.romBuild().isEmpty())
                            .max(order));
        }
    }

    /**
     * {@link #store} for the batches of several devices, each device at most once, in one statement (one
     * transaction: all stored or none); answers each batch in order.
     */
    List<Stored> storeAll(List<Batch> batches);

    /**
     * The device's revocation and whether commands wait for it, in one query: what an upload needs to know
     * when its readings go to the log rather than here ({@code ingest: kafka}, ADR 0025).
     */
    record Status(boolean revoked, boolean commandsWaiting) {}

    Status status(String imei);

    /** The next offset to write of a partition of the readings' log (0 before the first write). */
    long loggedOffset(String topic, int partition);

    /**
     * Writes what a partition of the readings' log holds from offset {@code from} to {@code to} (exclusive):
     * the batches in rounds (each round has a device at most once, as {@link #storeAll} wants), the UPDATE
     * confirmations of the devices whose readings were new, and the partition's next offset {@code to} — in
     * one transaction, unless the partition's next offset is no longer {@code from} (another writer took the
     * partition meanwhile: a consumer paused past its session, a "zombie"): then nothing at all, and false.
     */
    boolean storeLogged(String topic, int partition, long from, long to, List<List<Batch>> rounds);

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
