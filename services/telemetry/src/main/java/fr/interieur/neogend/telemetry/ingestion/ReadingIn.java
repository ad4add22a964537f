package fr.interieur.neogend.telemetry.ingestion;

import java.time.Instant;
import java.util.Optional;

/**
 * A reading as a device sent it (validated by {@link IngestionService}).
 *
 * @param refusal why the reading breaks the rules its proto declares (lengths, characters, a real
 *                patch-level date…), e.g. "security_patch_level: is not a day of the calendar"; null when
 *                it keeps them. The reading alone is refused for it, never the batch.
 */
public record ReadingIn(
        long sequence,
        Instant recordedAt,
        int batteryPercent,
        boolean charging,
        Optional<Double> latitude,
        Optional<Double> longitude,
        Optional<Float> accuracyM,
        String network,
        String patchLevel,
        String romBuild,
        String kernelVersion,
        long freeStorageMb,
        String agentVersion,
        String refusal) {}
