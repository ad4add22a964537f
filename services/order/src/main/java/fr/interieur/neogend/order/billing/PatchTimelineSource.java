package fr.interieur.neogend.order.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** The patch timelines of a supplier's ROM releases, from the telemetry service, on the caller's behalf. */
public interface PatchTimelineSource {

    /**
     * One release: the bulletin it answers, when it was published and first approved, the devices its
     * update campaigns targeted and confirmed, and when 95 % of them were confirmed.
     */
    record Timeline(
            String releaseId,
            String model,
            String buildFingerprint,
            LocalDate patchLevel,
            LocalDate bulletinDate,
            Instant publishedAt,
            Optional<Instant> firstApprovedAt,
            long targeted,
            long confirmed,
            Optional<Instant> fleetConfirmedAt) {}

    /** The supplier's releases published from {@code from} to before {@code before} (Paris days), oldest first. */
    List<Timeline> published(String supplierId, LocalDate from, LocalDate before);
}
