package fr.interieur.neogend.telemetry.ingestion;

import java.time.Instant;
import java.util.List;

/**
 * The readings' log ({@code ingest: kafka}, ADR 0025): an upload is acknowledged once the log holds its
 * readings — replicated as the log's settings say — and writers take them from there into PostgreSQL.
 */
public interface ReadingLog {

    /**
     * Appends one device's readings, already checked one by one, and returns once the log acknowledged them;
     * throws {@link LogUnavailableException} when it did not (the device sends the batch again).
     */
    void append(String imei, List<ReadingIn> readings, Instant receivedAt);

    /** The log did not acknowledge a batch: nothing is known to be kept; the device sends it again. */
    final class LogUnavailableException extends RuntimeException {
        public LogUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
