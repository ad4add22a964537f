package fr.interieur.neogend.accessories.repair;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A repair of a device by a certified technician (DOMAIN rule 16). */
public record Repair(
        String id,
        String imei,
        String model,
        String depotCode,
        String technician,
        State state,
        String fault,
        Optional<String> diagnosis,
        List<Part> parts,
        Instant openedAt,
        Optional<Instant> closedAt,
        Optional<String> closedBy,
        Optional<String> exchangeRequestNumber) {

    public Repair {
        parts = List.copyOf(parts);
    }

    /** Where a repair stands. */
    public enum State {
        OPEN,
        REPAIRED,
        FAILED
    }

    /** A part consumed. */
    public record Part(String itemCode, long quantity, String recordedBy) {}
}
