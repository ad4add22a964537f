package fr.interieur.neogend.inventory.device;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The append-only history of devices and packs. */
public interface HistoryRepository {

    /** A change to record: subject "DEVICE" (IMEI) or "PACK" (pack id), concerning one device. */
    record Change(
            String subjectType,
            String subjectId,
            String deviceImei,
            String action,
            Map<String, Object> before,
            Map<String, Object> after) {}

    void append(List<Change> changes, String actor, Instant at);

    /** Entries concerning a device (its own and its packs' while it was in them), oldest first. */
    List<HistoryEntry> forDevice(String imei, Optional<Long> afterId, int limit);
}
