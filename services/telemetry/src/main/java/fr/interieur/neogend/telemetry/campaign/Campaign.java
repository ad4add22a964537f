package fr.interieur.neogend.telemetry.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A campaign sending an approved ROM release to the devices of its model, wave by wave (issue 20).
 *
 * @param unitCode         only the devices of this unit subtree (empty: the whole fleet)
 * @param wavePercents     cumulative share of the targeted devices reached by the end of each wave, the last 100
 * @param currentWave      the wave being sent, 1 for the first
 * @param haltAcceptedWave a halted wave a fleet manager resumed past (its failures accepted), 0 if none
 * @param leftOut          devices of the model left out when it started (another campaign, an UPDATE of
 *                         their own, not enrolled, lost or stolen, already on the build)
 * @param unitWaves        for waves by unit: the unit codes of each wave but the last, which holds the
 *                         devices under none of them (empty: waves by share)
 */
public record Campaign(
        String id,
        String releaseId,
        String model,
        Optional<String> unitCode,
        List<Integer> wavePercents,
        int haltFailurePercent,
        State state,
        int currentWave,
        int haltAcceptedWave,
        String haltReason,
        long targeted,
        long leftOut,
        String createdBy,
        Instant createdAt,
        List<Window> windows,
        List<List<String>> unitWaves) {

    public Campaign {
        wavePercents = List.copyOf(wavePercents);
        windows = List.copyOf(windows);
        unitWaves = unitWaves.stream().map(List::copyOf).toList();
    }

    /**
     * A maintenance window: the devices of {@code unitCode} and its sub-units (in inventory's tree: a unit
     * code is a name, not a path) are handed the update only from {@code start} (inclusive) to {@code end}
     * (exclusive), Paris local time; an end before the start runs across midnight.
     */
    public record Window(String unitCode, java.time.LocalTime start, java.time.LocalTime end) {

        /**
         * The window of the deepest unit that has one, if any.
         *
         * @param lineage the units holding the device, root first (its unit's ancestors and its unit, as
         *                inventory's tree has them, or those of them a campaign named)
         */
        public static Optional<Window> of(List<String> lineage, List<Window> windows) {
            for (String unit : lineage.reversed()) {
                Optional<Window> own =
                        windows.stream().filter(w -> w.unitCode().equals(unit)).findFirst();
                if (own.isPresent()) {
                    return own;
                }
            }
            return Optional.empty();
        }
    }

    /** Where a campaign stands. Stored by name. */
    public enum State {
        RUNNING,
        PAUSED,
        HALTED,
        CANCELLED,
        COMPLETED;

        /** Its devices belong to it (a device is in one active campaign at most). */
        public boolean active() {
            return this == RUNNING || this == PAUSED || this == HALTED;
        }
    }

    /** The same campaign with other windows (read apart from the campaign's row). */
    public Campaign with(State state, int currentWave, int haltAcceptedWave, String haltReason, List<Window> windows) {
        return new Campaign(
                id,
                releaseId,
                model,
                unitCode,
                wavePercents,
                haltFailurePercent,
                state,
                currentWave,
                haltAcceptedWave,
                haltReason,
                targeted,
                leftOut,
                createdBy,
                createdAt,
                windows,
                unitWaves);
    }

    Campaign with(State state, int currentWave, int haltAcceptedWave, String haltReason) {
        return with(state, currentWave, haltAcceptedWave, haltReason, windows);
    }

    /**
     * Where devices of a campaign stand, per wave ({@code wave} set, {@code unitCode} "") or per holding
     * unit ({@code unitCode} set, {@code wave} 0).
     *
     * @param sent      their UPDATE queued
     * @param delivered handed to the device at least once
     * @param silent    sent, not decided, not heard of for longer than the silence period
     * @param withdrawn withdrawn by a cancellation before being installed, or their device declared lost,
     *                  stolen, exchanged or returned (its UPDATE withdrawn; or, not sent yet, never sent)
     * @param skipped   not sent when their wave started (or the campaign resumed): no longer sendable — on
     *                  the release's build or a newer one, an UPDATE of their own in progress
     */
    public record Progress(
            int wave,
            String unitCode,
            long targeted,
            long sent,
            long delivered,
            long installed,
            long confirmed,
            long failed,
            long silent,
            long withdrawn,
            long skipped) {

        /** Devices that will not change any more in this wave: confirmed, failed, withdrawn or skipped. */
        public long decided() {
            return confirmed + failed + withdrawn + skipped;
        }
    }

    /**
     * A device targeted: its holding unit when the campaign started (or it joined), its wave, and the unit
     * whose maintenance window it is handed its UPDATE in — the deepest unit with a window above it in
     * inventory's tree then (empty: none, any time). Decided when the campaign starts or the device joins,
     * on the caller's behalf: the waves the service starts on its own cannot ask inventory.
     */
    public record Target(String imei, String unitCode, int wave, Optional<String> windowUnit) {}
}
