package fr.interieur.neogend.inventory.device;

import java.time.Instant;
import java.util.Map;

/**
 * One change of a device or pack.
 *
 * @param before the changed fields before (empty for a creation)
 * @param after  the changed fields after
 */
public record HistoryEntry(
        long id,
        String subjectType,
        String subjectId,
        String action,
        String actor,
        Instant at,
        Map<String, Object> before,
        Map<String, Object> after) {}
