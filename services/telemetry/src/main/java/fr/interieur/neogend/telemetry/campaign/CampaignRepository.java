package fr.interieur.neogend.telemetry.campaign;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Storage of ROM campaigns (tables {@code update_campaign} and {@code campaign_device}, owned by the
 * adapter implementing this port) and what a campaign reads of the devices' enrolment and states.
 */
public interface CampaignRepository {

    /** The next campaign id, {@code UC-000001} onwards. */
    String nextId();

    /** Serialises campaign creations until the caller's transaction ends (one device, one active campaign). */
    void lockCreation();

    /**
     * Of these devices, those a campaign may send release {@code releaseId} to now: enrolled with a
     * credential not revoked (not declared lost, stolen, exchanged or returned), not reporting that build
     * nor a newer one (the build of a release of the model published after it, or a patch level above
     * its), without an UPDATE of their own in progress, in no active campaign but {@code campaignId}
     * (empty: in none). The rules a campaign is created by, checked again each time it sends.
     */
    Set<String> sendable(Collection<String> imeis, String releaseId, Optional<String> campaignId);

    /** Stores a campaign and its targeted devices (each with the unit whose window it waits for). */
    void insert(Campaign campaign, List<Campaign.Target> targets);

    Optional<Campaign> find(String id);

    /** The campaign, locked until the caller's transaction ends. */
    Optional<Campaign> lock(String id);

    /** Campaigns newest first (at most {@code limit}). */
    List<Campaign> list(int limit);

    /** The active (running, paused or halted) campaigns of a model, newest first: those a new device joins. */
    List<Campaign> active(String model);

    /** Adds a device to a campaign (one more targeted). */
    void add(String id, Campaign.Target target);

    /** Ids of the running campaigns. */
    List<String> running();

    /** The devices of one wave. */
    List<Campaign.Target> wave(String id, int wave);

    /** The devices of one wave still in the campaign and sent nothing yet (held, or skipped at the wave's start). */
    List<Campaign.Target> unsent(String id, int wave);

    /** Records the UPDATE sent to each device (devices absent were skipped). */
    void attachCommands(String id, Map<String, Long> commandIds);

    /** The UPDATEs of the campaign. */
    List<Long> commandIds(String id);

    /** Stores a new state; a state no longer active frees its devices for other campaigns. */
    void update(Campaign campaign);

    /** What progress is counted per. */
    enum Grouping {
        WAVE,
        UNIT,
        WAVE_AND_UNIT
    }

    /**
     * Progress per wave, per holding unit, or per both, of these devices only when given (a unit manager's
     * reach, as inventory places devices now); a device is silent when neither it nor its UPDATE moved
     * since {@code silentSince}.
     */
    List<Campaign.Progress> progress(
            String id, Grouping by, Optional<? extends Collection<String>> imeis, Instant silentSince);
}
