package fr.interieur.neogend.telemetry.queries;

import fr.interieur.neogend.telemetry.queries.PositionQueries.Access;
import fr.interieur.neogend.telemetry.queries.PositionQueries.AccessFilter;
import fr.interieur.neogend.telemetry.queries.PositionQueries.State;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads of latest states and readings, and the position-access audit they are written to (tables
 * {@code position_access}, {@code position_access_device}, owned by the adapter implementing this port).
 */
public interface PositionRepository {

    /**
     * A device's latest state, read with its audit entry written by {@code actor} in one statement,
     * naming the device when its position (taken at or after {@code oldestKept}) is returned; nothing
     * written when the device has no state.
     */
    Optional<State> stateAudited(String imei, String actor, Instant oldestKept);

    /** A device's readings from {@code from} on, newest first, at most {@code limit}. */
    List<State> readings(String imei, Instant from, int limit);

    /**
     * Latest positions taken within the last {@code maxAgeMinutes} within {@code radiusM} metres of a
     * point (great-circle distance, {@code earthRadiusM}), inside the bounding box given, nearest first,
     * at most 500; none taken before {@code oldestKept} (the retention, whatever age is asked).
     */
    List<State> near(
            double latitude,
            double longitude,
            double radiusM,
            double earthRadiusM,
            double minLatitude,
            double maxLatitude,
            double minLongitude,
            double maxLongitude,
            int maxAgeMinutes,
            java.time.Instant oldestKept);

    /**
     * Latest positions of these devices taken within the last {@code maxAgeMinutes}, by IMEI; none taken
     * before {@code oldestKept} (the retention, whatever age is asked).
     */
    List<State> recentPositions(String[] imeis, int maxAgeMinutes, java.time.Instant oldestKept);

    /**
     * Audit entries newest first, filtered, before the id {@code beforeId} when given, each with its devices;
     * with a {@code reach}, only the entries naming one of its devices or units, each with those of its
     * devices only (and their count as its result count).
     */
    List<Access> accesses(
            AccessFilter filter, Optional<PositionQueries.AuditReach> reach, Optional<Long> beforeId, int limit);

    /** Writes the audit entry of a read, with the devices whose position it returned. */
    void audit(
            String actor,
            PositionQueries.ReadKind kind,
            Double latitude,
            Double longitude,
            Double radiusM,
            String imei,
            String unitCode,
            List<String> devices);
}
