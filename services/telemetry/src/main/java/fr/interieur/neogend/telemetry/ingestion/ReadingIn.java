package fr.interieur.neogend.telemetry.ingestion;

import java.time.Instant;
import java.util.Optional;

/** A reading as a device sent it (validated by {@link IngestionService}). */
public record ReadingIn(long sequence, Instant recordedAt, int batteryPercent, boolean charging,
                        Optional<Double> latitude, Optional<Double> longitude, Optional<Float> accuracyM,
                        String network, String patchLevel, String romBuild, String kernelVersion,
                        long freeStorageMb, String agentVersion) {
}
