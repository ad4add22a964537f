package fr.interieur.neogend.telemetry.ingestion;

import java.time.LocalDate;
import java.util.List;

/** The day partitions of the readings (UTC days), implemented in persistence. */
public interface ReadingPartitionStore {

    /** Creates the partition of a day unless it exists. */
    void createDay(LocalDate day);

    /** Drops the partitions of the days before {@code oldestKept}; returns their names, oldest first. */
    List<String> dropDaysBefore(LocalDate oldestKept);
}
