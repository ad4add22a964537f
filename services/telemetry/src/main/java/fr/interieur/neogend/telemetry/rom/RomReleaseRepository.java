package fr.interieur.neogend.telemetry.rom;

import fr.interieur.neogend.telemetry.rom.RomService.Release;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Storage of ROM releases (table {@code rom_release}, owned by the adapter implementing this port), and
 * what compliance reads of the devices' latest states.
 */
public interface RomReleaseRepository {

    /** The next release id, {@code ROM-000001} onwards. */
    String nextId();

    /** Stores a release published now; false when the supplier published this fingerprint already. */
    boolean insert(
            String id,
            String supplierId,
            String model,
            String buildFingerprint,
            LocalDate patchLevel,
            String kernelSourceSha256,
            String kernelConfig,
            LocalDate bulletinDate,
            Optional<String> otaUrl,
            Optional<String> otaSha256);

    /**
     * How the releases published so far write this model when they write it in another case only ("Rugged X5" for
     * "RUGGED X5"), if they do; holds a lock on the model, whatever its case, to the end of the caller's transaction,
     * so that two releases published at once for one model cannot bring two spellings.
     */
    Optional<String> otherCaseOf(String model);

    Optional<Release> find(String id);

    /**
     * A release about to be sent, read with a share lock held to the end of the caller's transaction: an
     * approval ending its approval waits until the caller has committed what it sends, or, when that approval
     * came first, the caller waits for it and reads the release no longer approved — never sent on an approval
     * ended in the meantime.
     */
    default Optional<Release> findToSend(String id) {
        return find(id);
    }

    /** Releases newest first (at most 500), of one model and one supplier when given. */
    List<Release> list(Optional<String> model, Optional<String> supplierId);

    /** Approves a release for its model; the model's previous approval ends (the caller's transaction). */
    void approve(String id, String model, String approvedBy);

    /** The approved patch level of each model that has an approved release. */
    Map<String, LocalDate> approvedLevels();

    /** For each model's approved release: days from its bulletin to its publication (UTC day). */
    Map<String, Integer> approvedSupplierDelays();

    /**
     * The patch level each of these devices last told (empty when its latest state has none); devices
     * that never reported are absent.
     */
    Map<String, Optional<LocalDate>> reportedPatchLevels(String[] imeis);

    /** The build the device's latest state reports, if it told one. */
    Optional<String> reportedBuild(String imei);

    /** Reporting devices among these whose build no published release names. */
    long unknownBuildDevices(String[] imeis);

    /**
     * The patch timelines of the releases published in {@code [from, before)} (of one supplier when
     * given), oldest first, at most 5,000: when each was published and first approved, how many devices
     * its campaigns targeted and confirmed, and when the {@code percent}-th percent of them was confirmed.
     */
    List<RomService.PatchTimeline> timelines(Optional<String> supplierId, Instant from, Instant before, int percent);
}
