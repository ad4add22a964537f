package fr.interieur.neogend.telemetry.campaign;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.telemetry.commands.CommandRepository;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import fr.interieur.neogend.telemetry.rom.RomReleaseRepository;
import fr.interieur.neogend.telemetry.rom.RomService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ROM campaigns (issue 20): a fleet manager sends an approved release to the devices of its
 * model, in a unit subtree or the whole fleet, wave by wave. The targeted devices are put in a stable
 * pseudo-random order (by a hash of their IMEI) and cut into waves by the cumulative percentages; the
 * first wave's UPDATEs are queued at once. A wave is over when each of its devices is decided
 * (confirmed by its readings, failed, withdrawn or skipped) or silent; then the next one is queued —
 * unless the wave's failures exceed the halt threshold of its judged devices (confirmed or failed, at
 * least {@link #MIN_JUDGED} or all of a smaller wave), which halts the campaign until a fleet manager
 * resumes it. A device is in one active campaign at most. Whenever a campaign sends (a wave starts, it
 * resumes, a device joins), each device is checked again by the rules it was chosen by — a device revoked,
 * on the build or a newer one, or with an UPDATE of its own meanwhile is sent nothing — and a release
 * that is no longer the approved one of its model is sent to no one: the next wave halts the campaign.
 *
 * <p>Units form inventory's tree, and a unit code is a name, not a path (CIE-BREST may be a company of
 * GN-RBRE-GGD29; a unit that moves takes its subtree): which unit holds which is always inventory's
 * answer, asked on the caller's behalf — when a campaign starts ({@link UnitTree}: its unit waves' and
 * its windows' units), when a device joins (its unit's ancestors), when a unit manager reads a campaign
 * (the devices inventory places within its reach). The waves the service starts on its own have no
 * caller to ask on behalf of: they use each device's window decided when it was targeted.
 */
@Service
public class CampaignService {

    private static final Logger log = LoggerFactory.getLogger(CampaignService.class);

    static final List<Integer> DEFAULT_WAVES = List.of(1, 10, 100);
    static final int DEFAULT_HALT_PERCENT = 20;
    /** A wave's failure rate is judged once this many of its devices are confirmed or failed (or all). */
    static final int MIN_JUDGED = 10;

    private static final java.util.regex.Pattern UNIT = java.util.regex.Pattern.compile("[A-Z0-9][A-Z0-9-]{1,63}");

    private final CampaignRepository campaigns;
    private final CommandRepository commands;
    private final RomReleaseRepository releases;
    private final InventoryDevices inventory;
    private final Clock clock;
    private final Duration silentAfter;
    private final Counter halts;
    /** A campaign and its two views read in one snapshot (repeatable read). */
    private final TransactionTemplate snapshot;
    /** A read-only transaction. */
    private final TransactionTemplate reading;

    public CampaignService(
            CampaignRepository campaigns,
            CommandRepository commands,
            RomReleaseRepository releases,
            InventoryDevices inventory,
            Optional<Clock> clock,
            @Value("${neogend.campaigns.silent-after:24h}") Duration silentAfter,
            MeterRegistry meters,
            PlatformTransactionManager transactions) {
        this.campaigns = campaigns;
        this.commands = commands;
        this.releases = releases;
        this.inventory = inventory;
        this.clock = clock.orElse(Clock.systemUTC());
        this.silentAfter = silentAfter;
        this.snapshot = new TransactionTemplate(transactions);
        snapshot.setReadOnly(true);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.reading = new TransactionTemplate(transactions);
        reading.setReadOnly(true);
        this.halts = Counter.builder("neogend.update.campaign.halts")
                .description("ROM campaigns halted by a wave's failures")
                .register(meters);
    }

    /** What a fleet manager asks for. */
    public record NewCampaign(
            String releaseId,
            String unitCode,
            List<Integer> wavePercents,
            int haltFailurePercent,
            List<Campaign.Window> windows,
            List<List<String>> unitWaves) {}

    /** Starts a campaign and queues its first wave. */
    @Transactional
    public Campaign create(NewCampaign request, Caller caller) {
        Validation v = new Validation();
        v.check(
                request.releaseId() != null && !request.releaseId().isEmpty(),
                "campaign.release_id",
                "is required: the approved release to send");
        boolean byUnit = !request.unitWaves().isEmpty();
        List<Integer> waves = request.wavePercents().isEmpty() ? DEFAULT_WAVES : request.wavePercents();
        v.check(
                !byUnit || request.wavePercents().isEmpty(),
                "campaign.wave_percents",
                "give waves by share or by unit (unit_waves), not both");
        v.check(
                byUnit || validWaves(waves),
                "campaign.wave_percents",
                "must increase, each 1 to 100, the last 100 (e.g. 1, 10, 100), at most 10 waves");
        java.util.Set<String> waveUnits = new java.util.HashSet<>();
        for (int k = 0; k < request.unitWaves().size(); k++) {
            List<String> units = request.unitWaves().get(k);
            v.check(!units.isEmpty(), "campaign.unit_waves[" + k + "].unit_codes", "at least one unit per wave");
            for (int i = 0; i < units.size(); i++) {
                String u = units.get(i);
                String at = "campaign.unit_waves[" + k + "].unit_codes[" + i + "]";
                v.check(u != null && UNIT.matcher(u).matches(), at, "must be a unit code");
                v.check(u == null || waveUnits.add(u), at, "is named by an earlier wave");
            }
        }
        java.util.Set<String> windowUnits = new java.util.HashSet<>();
        for (int i = 0; i < request.windows().size(); i++) {
            Campaign.Window w = request.windows().get(i);
            String at = "campaign.maintenance_windows[" + i + "].";
            v.check(
                    w.unitCode() != null && UNIT.matcher(w.unitCode()).matches(),
                    at + "unit_code",
                    "is required: a unit code (its sub-units included)");
            v.check(
                    w.unitCode() == null || windowUnits.add(w.unitCode()),
                    at + "unit_code",
                    "repeats an earlier window");
            v.check(w.start() != null, at + "start", "is required: hours 0-23 and minutes 0-59");
            v.check(w.end() != null, at + "end", "is required: hours 0-23 and minutes 0-59");
            v.check(
                    w.start() == null || w.end() == null || !w.start().equals(w.end()),
                    at + "end",
                    "must differ from start (a window of no time, or of the whole day, is no window)");
        }
        v.check(
                request.haltFailurePercent() >= 0 && request.haltFailurePercent() <= 100,
                "campaign.halt_failure_percent",
                "must be 1 to 100 (0 or unset: " + DEFAULT_HALT_PERCENT + ")");
        v.throwIfInvalid();
        Optional<String> unit = Optional.ofNullable(request.unitCode()).filter(u -> !u.isEmpty());
        // where the units named stand: inventory's tree, on the caller's behalf (codes are names, not paths)
        Set<String> named = new java.util.LinkedHashSet<>();
        request.unitWaves().forEach(named::addAll);
        request.windows().forEach(w -> named.add(w.unitCode()));
        UnitTree tree = UnitTree.read(inventory, unit, named);
        Validation placed = new Validation();
        for (int k = 0; k < request.unitWaves().size(); k++) {
            List<String> units = request.unitWaves().get(k);
            for (int i = 0; i < units.size(); i++) {
                String u = units.get(i);
                String at = "campaign.unit_waves[" + k + "].unit_codes[" + i + "]";
                placed.check(tree.known(u), at, "names no unit of inventory: " + u);
                placed.check(
                        !tree.known(u) || tree.underCampaign(u),
                        at,
                        "is not under the campaign's unit " + request.unitCode());
            }
        }
        for (int i = 0; i < request.windows().size(); i++) {
            String u = request.windows().get(i).unitCode();
            placed.check(
                    tree.known(u),
                    "campaign.maintenance_windows[" + i + "].unit_code",
                    "names no unit of inventory: " + u);
        }
        placed.throwIfInvalid();
        RomService.Release release = releases.findToSend(request.releaseId())
                .orElseThrow(() -> InvalidArgumentException.of(
                        "campaign.release_id", "names no ROM release: " + request.releaseId()));
        if (!release.approved()) {
            throw new PreconditionFailedException(
                    "release " + release.id() + " is not the approved release of " + release.model());
        }
        if (release.otaUrl().isEmpty()) {
            throw new PreconditionFailedException("release " + release.id()
                    + " has no OTA package published (ota_url, ota_sha256): the supplier publishes it first");
        }
        // inventory's model and unit, on the caller's behalf (a unit outside the reach is refused there)
        List<InventoryDevices.Placed> ofModel = inventory.placements(unit).stream()
                .filter(d -> d.model().equals(release.model()) && !d.lostOrStolen())
                .toList();
        UnitTree.Holders holders = tree.devices(inventory); // before the lock: no creation waits on inventory
        java.util.function.Function<String, Optional<String>> windowOf =
                imei -> Campaign.Window.of(holders.of(imei), request.windows()).map(Campaign.Window::unitCode);
        campaigns.lockCreation(); // two campaigns started at once never share a device
        Set<String> sendable = campaigns.sendable(
                ofModel.stream().map(InventoryDevices.Placed::imei).toList(), release.id(), Optional.empty());
        List<InventoryDevices.Placed> targets = ofModel.stream()
                .filter(d -> sendable.contains(d.imei()))
                .sorted(Comparator.comparingLong((InventoryDevices.Placed d) -> order(d.imei()))
                        .thenComparing(InventoryDevices.Placed::imei))
                .toList();
        if (targets.isEmpty()) {
            throw new PreconditionFailedException("no device can be sent " + release.id() + ": of the "
                    + ofModel.size() + " " + release.model() + " in service"
                    + unit.map(u -> " under " + u).orElse("")
                    + ", none is enrolled, off that build and newer ones, without an UPDATE of its own and in no"
                    + " other campaign");
        }
        List<Campaign.Target> planned =
                byUnit ? planByUnit(targets, request.unitWaves(), holders, windowOf) : plan(targets, waves, windowOf);
        List<List<String>> unitWaves = byUnit ? usedUnitWaves(planned, request.unitWaves(), holders) : List.of();
        Campaign campaign = new Campaign(
                campaigns.nextId(),
                release.id(),
                release.model(),
                unit,
                byUnit ? shares(planned) : waves,
                request.haltFailurePercent() == 0 ? DEFAULT_HALT_PERCENT : request.haltFailurePercent(),
                Campaign.State.RUNNING,
                1,
                0,
                "",
                targets.size(),
                ofModel.size() - targets.size(),
                caller.username(),
                clock.instant().truncatedTo(ChronoUnit.MICROS),
                request.windows(),
                unitWaves);
        campaigns.insert(campaign, planned);
        send(campaign, 1);
        return campaigns.find(campaign.id()).orElseThrow();
    }

    /**
     * Each wave ends at its cumulative share of the targets, rounded up (so the first wave has one at least);
     * {@code windowOf} tells the unit whose window a device waits for, by IMEI.
     */
    static List<Campaign.Target> plan(
            List<InventoryDevices.Placed> ordered,
            List<Integer> waves,
            java.util.function.Function<String, Optional<String>> windowOf) {
        List<Campaign.Target> planned = new ArrayList<>(ordered.size());
        int n = ordered.size();
        int wave = 0;
        for (int i = 0; i < n; i++) {
            while ((long) i >= ceilShare(n, waves.get(wave))) {
                wave++;
            }
            InventoryDevices.Placed d = ordered.get(i);
            planned.add(new Campaign.Target(d.imei(), d.unitCode(), wave + 1, windowOf.apply(d.imei())));
        }
        return planned;
    }

    /**
     * Waves by unit: a device goes to the first wave naming its unit or a parent of it (in inventory's
     * tree: {@code holders}), else to a last wave; waves left empty are dropped and the others numbered
     * from 1 in their order.
     */
    static List<Campaign.Target> planByUnit(
            List<InventoryDevices.Placed> targets,
            List<List<String>> unitWaves,
            UnitTree.Holders holders,
            java.util.function.Function<String, Optional<String>> windowOf) {
        int rest = unitWaves.size();
        int[] raw = new int[targets.size()];
        java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
        for (int i = 0; i < targets.size(); i++) {
            List<String> holding = holders.of(targets.get(i).imei());
            int wave = rest;
            for (int k = 0; k < unitWaves.size() && wave == rest; k++) {
                if (unitWaves.get(k).stream().anyMatch(holding::contains)) {
                    wave = k;
                }
            }
            raw[i] = wave;
            used.add(wave);
        }
        List<Integer> numbering = new ArrayList<>(used);
        List<Campaign.Target> planned = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            InventoryDevices.Placed d = targets.get(i);
            planned.add(new Campaign.Target(
                    d.imei(), d.unitCode(), numbering.indexOf(raw[i]) + 1, windowOf.apply(d.imei())));
        }
        planned.sort(Comparator.comparingInt(Campaign.Target::wave));
        return planned;
    }

    /** The unit lists of the waves kept by {@link #planByUnit} (the last wave, of the other units, excepted). */
    private static List<List<String>> usedUnitWaves(
            List<Campaign.Target> planned, List<List<String>> unitWaves, UnitTree.Holders holders) {
        List<List<String>> used = new ArrayList<>();
        for (List<String> units : unitWaves) {
            boolean holds =
                    planned.stream().anyMatch(t -> holders.of(t.imei()).stream().anyMatch(units::contains));
            if (holds) {
                used.add(units);
            }
        }
        // devices under none of the listed units form the last wave; without any, the last listed wave is the last
        return used;
    }

    /** The cumulative share of the targets each planned wave reaches, rounded up, the last 100. */
    private static List<Integer> shares(List<Campaign.Target> planned) {
        int waves = planned.getLast().wave();
        List<Integer> out = new ArrayList<>();
        for (int w = 1; w <= waves; w++) {
            int upTo = w;
            long reached = planned.stream().filter(t -> t.wave() <= upTo).count();
            out.add((int) ((reached * 100 + planned.size() - 1) / planned.size()));
        }
        return out;
    }

    private static long ceilShare(int n, int percent) {
        return ((long) n * percent + 99) / 100;
    }

    private static boolean validWaves(List<Integer> waves) {
        if (waves.size() > 10 || waves.getLast() != 100) {
            return false;
        }
        int previous = 0;
        for (int p : waves) {
            if (p <= previous || p > 100) {
                return false;
            }
            previous = p;
        }
        return true;
    }

    /** A stable pseudo-random rank: the first 8 bytes of the IMEI's SHA-256. */
    private static long order(String imei) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(imei.getBytes(StandardCharsets.US_ASCII));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(Campaign campaign, int wave) {
        send(campaign, campaigns.wave(campaign.id(), wave));
    }

    /**
     * Queues the campaign's release for those of these devices still sendable now, checked again by the
     * rules the campaign was created by ({@link CampaignRepository#sendable}); the others are sent nothing:
     * counted withdrawn when revoked (declared lost, stolen, exchanged or returned), skipped otherwise.
     * The caller has checked that the release is still the approved one.
     */
    private void send(Campaign campaign, List<Campaign.Target> devices) {
        Set<String> sendable = campaigns.sendable(
                devices.stream().map(Campaign.Target::imei).toList(), campaign.releaseId(), Optional.of(campaign.id()));
        List<Campaign.Target> still =
                devices.stream().filter(d -> sendable.contains(d.imei())).toList();
        if (still.size() < devices.size()) {
            log.info(
                    "ROM campaign {}: {} of {} devices no longer sendable (revoked, on the build or a newer one, or"
                            + " with an UPDATE of their own): not sent",
                    campaign.id(),
                    devices.size() - still.size(),
                    devices.size());
        }
        Map<String, Long> sent = commands.queueUpdates(
                still.stream().map(Campaign.Target::imei).toList(), campaign.releaseId(), windows(campaign, still));
        campaigns.attachCommands(campaign.id(), sent);
    }

    /**
     * Why the campaign's release may not be sent any more: approving a newer release of the model ended
     * its approval. Empty while it is the approved release.
     */
    private Optional<String> superseded(Campaign c) {
        RomService.Release release = releases.findToSend(c.releaseId()).orElseThrow();
        if (release.approved()) {
            return Optional.empty();
        }
        String approved = releases.list(Optional.of(c.model()), Optional.empty()).stream()
                .filter(RomService.Release::approved)
                .map(r -> " (" + r.id() + " is)")
                .findFirst()
                .orElse("");
        return Optional.of("release " + c.releaseId() + " is no longer the approved release of " + c.model()
                + approved + ": it is sent to no more devices; cancel this campaign, start one of the approved"
                + " release");
    }

    /**
     * Each device's maintenance window, minutes of the Paris day (devices without one are absent): the window
     * of the unit decided when it was targeted — no call to inventory, so a wave the service starts on its own
     * honours the windows too.
     */
    private static Map<String, int[]> windows(Campaign campaign, List<Campaign.Target> devices) {
        Map<String, int[]> windows = new java.util.HashMap<>();
        for (Campaign.Target d : devices) {
            d.windowUnit()
                    .flatMap(unit -> campaign.windows().stream()
                            .filter(w -> w.unitCode().equals(unit))
                            .findFirst())
                    .ifPresent(w -> windows.put(
                            d.imei(),
                            new int[] {w.start().toSecondOfDay() / 60, w.end().toSecondOfDay() / 60}));
        }
        return windows;
    }

    /**
     * Moves a running campaign on: halts it when its current wave's failures pass the threshold, starts
     * the next wave when the current one is over, completes it after the last. Called by
     * {@link CampaignWaves} for every running campaign, and on resume.
     */
    @Transactional
    public Campaign advance(String id) {
        Campaign c = campaigns.lock(id).orElseThrow(() -> new NotFoundException("no ROM campaign " + id));
        if (c.state() != Campaign.State.RUNNING) {
            return c;
        }
        Campaign.Progress wave = campaigns
                .progress(
                        c.id(),
                        CampaignRepository.Grouping.WAVE,
                        Optional.empty(),
                        clock.instant().minus(silentAfter))
                .stream()
                .filter(p -> p.wave() == c.currentWave())
                .findFirst()
                .orElseThrow();
        long judged = wave.confirmed() + wave.failed();
        long judgeable = wave.targeted() - wave.skipped() - wave.withdrawn();
        if (c.currentWave() != c.haltAcceptedWave()
                && judged > 0
                && judged >= Math.min(MIN_JUDGED, judgeable)
                && wave.failed() * 100 > (long) c.haltFailurePercent() * judged) {
            String reason = "wave " + c.currentWave() + ": " + wave.failed() + " of " + judged
                    + " devices confirmed or failed have failed, over the " + c.haltFailurePercent() + " % threshold";
            Campaign halted = c.with(Campaign.State.HALTED, c.currentWave(), c.haltAcceptedWave(), reason);
            campaigns.update(halted);
            halts.increment();
            log.warn("ROM campaign {} of {} halted: {}", c.id(), c.releaseId(), reason);
            return halted;
        }
        if (wave.decided() + wave.silent() < wave.targeted()) {
            return c;
        }
        if (c.currentWave() == c.wavePercents().size()) {
            Campaign done = c.with(Campaign.State.COMPLETED, c.currentWave(), c.haltAcceptedWave(), c.haltReason());
            campaigns.update(done);
            log.info("ROM campaign {} of {} completed", c.id(), c.releaseId());
            return done;
        }
        Optional<String> superseded = superseded(c);
        if (superseded.isPresent()) { // never send a release a newer one replaced (a downgrade for some)
            String reason = "wave " + (c.currentWave() + 1) + " not started: " + superseded.get();
            Campaign halted = c.with(Campaign.State.HALTED, c.currentWave(), c.haltAcceptedWave(), reason);
            campaigns.update(halted);
            log.warn("ROM campaign {} halted: {}", c.id(), reason);
            return halted;
        }
        Campaign next = c.with(Campaign.State.RUNNING, c.currentWave() + 1, c.haltAcceptedWave(), c.haltReason());
        campaigns.update(next);
        send(next, next.currentWave());
        log.info("ROM campaign {} of {}: wave {} started", c.id(), c.releaseId(), next.currentWave());
        return next;
    }

    /** Pauses a running campaign: no further wave starts. */
    @Transactional
    public Campaign pause(String id) {
        Campaign c = locked(id);
        if (c.state() != Campaign.State.RUNNING) {
            throw new PreconditionFailedException(
                    "campaign " + id + " is " + c.state() + ": only a running one pauses");
        }
        Campaign paused = c.with(Campaign.State.PAUSED, c.currentWave(), c.haltAcceptedWave(), c.haltReason());
        campaigns.update(paused);
        return paused;
    }

    /** Resumes a paused or halted campaign; a halted wave's failures are accepted. */
    @Transactional
    public Campaign resume(String id) {
        Campaign c = locked(id);
        Campaign running = switch (c.state()) {
            case PAUSED -> c.with(Campaign.State.RUNNING, c.currentWave(), c.haltAcceptedWave(), c.haltReason());
            case HALTED -> c.with(Campaign.State.RUNNING, c.currentWave(), c.currentWave(), c.haltReason());
            case RUNNING, CANCELLED, COMPLETED ->
                throw new PreconditionFailedException(
                        "campaign " + id + " is " + c.state() + ": only a paused or halted one resumes");
        };
        superseded(c).ifPresent(reason -> {
            throw new PreconditionFailedException("campaign " + id + " cannot resume: " + reason);
        });
        campaigns.update(running);
        // devices that joined while it was halted, and those skipped when the wave started, are sent now
        List<Campaign.Target> unsent = campaigns.unsent(id, c.currentWave());
        if (!unsent.isEmpty()) {
            send(running, unsent);
            log.info("ROM campaign {} resumed: {} devices of wave {} sent now", id, unsent.size(), c.currentWave());
        }
        return advance(id);
    }

    /** Cancels a campaign: its UPDATEs not yet installed are withdrawn, its devices freed. */
    @Transactional
    public Campaign cancel(String id) {
        Campaign c = locked(id);
        if (!c.state().active()) {
            throw new PreconditionFailedException("campaign " + id + " is " + c.state() + " already");
        }
        int withdrawn = commands.withdraw(campaigns.commandIds(id));
        Campaign cancelled = c.with(Campaign.State.CANCELLED, c.currentWave(), c.haltAcceptedWave(), c.haltReason());
        campaigns.update(cancelled);
        log.info("ROM campaign {} cancelled: {} UPDATEs withdrawn", id, withdrawn);
        return cancelled;
    }

    private Campaign locked(String id) {
        return campaigns.lock(id == null ? "" : id).orElseThrow(() -> new NotFoundException("no ROM campaign " + id));
    }

    /** A campaign with its progress per wave and per unit, within the caller's reach. */
    public record View(Campaign campaign, List<Campaign.Progress> waves, List<Campaign.Progress> units) {}

    /**
     * The campaign and its two views read in one snapshot (repeatable read): a wave starting or a device
     * confirming between the two statements would otherwise make the waves and the units disagree. A unit
     * manager's reach is asked of inventory first, outside the transaction.
     */
    public View get(String id, Caller caller) {
        Optional<Set<String>> reach = reach(caller);
        return snapshot.execute(tx -> {
            Campaign c = found(id);
            var silentSince = clock.instant().minus(silentAfter);
            return new View(
                    c,
                    campaigns.progress(c.id(), CampaignRepository.Grouping.WAVE, reach, silentSince),
                    campaigns.progress(c.id(), CampaignRepository.Grouping.UNIT, reach, silentSince));
        });
    }

    /**
     * The campaign's progress as CSV (RFC 4180, UTF-8): a header, then one row per wave and holding unit
     * within the caller's reach, by wave then unit — {@link #get}'s figures before they are summed.
     */
    public String csv(String id, Caller caller) {
        Optional<Set<String>> reach = reach(caller);
        return reading.execute(tx -> csv(found(id), reach));
    }

    private String csv(Campaign c, Optional<Set<String>> reach) {
        StringBuilder out = new StringBuilder("campaign_id,release_id,wave,unit_code,targeted,sent,delivered,"
                + "installed,confirmed,failed,silent,withdrawn,skipped\r\n");
        for (Campaign.Progress p : campaigns.progress(
                c.id(),
                CampaignRepository.Grouping.WAVE_AND_UNIT,
                reach,
                clock.instant().minus(silentAfter))) {
            out.append(c.id())
                    .append(',')
                    .append(c.releaseId())
                    .append(',')
                    .append(p.wave())
                    .append(',');
            out.append('"').append(p.unitCode().replace("\"", "\"\"")).append('"');
            for (long figure : new long[] {
                p.targeted(),
                p.sent(),
                p.delivered(),
                p.installed(),
                p.confirmed(),
                p.failed(),
                p.silent(),
                p.withdrawn(),
                p.skipped()
            }) {
                out.append(',').append(figure);
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    private Campaign found(String id) {
        return campaigns.find(id == null ? "" : id).orElseThrow(() -> new NotFoundException("no ROM campaign " + id));
    }

    /**
     * The devices a reader sees: for a unit manager those inventory places within its subtree now (asked on
     * its behalf, one {@code StreamDevicePlacements}; without a unit: none), so a unit's figures follow it
     * when it moves, whatever its code; other readers every device (empty).
     */
    private Optional<Set<String>> reach(Caller caller) {
        if (!caller.restrictedToUnit()) {
            return Optional.empty();
        }
        if (caller.unitCode().filter(u -> !u.isEmpty()).isEmpty()) {
            return Optional.of(Set.of());
        }
        Set<String> imeis = new java.util.HashSet<>();
        inventory.placements(Optional.empty()).forEach(p -> imeis.add(p.imei()));
        return Optional.of(imeis);
    }

    @Transactional(readOnly = true)
    public List<Campaign> list() {
        return campaigns.list(200);
    }

    /**
     * A device just enrolled — new, or an exchange's replacement — joins the newest active campaign of its
     * model whose unit subtree holds it (in inventory's tree: its unit's ancestors, one {@code GetUnit} on the
     * enrolling caller's behalf, asked only when a campaign of its model has a unit or windows), in its
     * current wave, waiting for the window of its deepest unit that has one; unless it is not sendable (on
     * the build already, in another campaign). Running or paused, its UPDATE is queued at once (a paused
     * campaign still delivers its current wave); halted, it is held and sent when a fleet manager resumes the
     * campaign.
     */
    @Transactional
    public Optional<Campaign> join(InventoryDevices.Placed device) {
        if (device.lostOrStolen()) {
            return Optional.empty();
        }
        List<String> lineage = null; // its unit's ancestors and its unit, read once if needed
        for (Campaign c : campaigns.active(device.model())) {
            if (lineage == null && (c.unitCode().isPresent() || !c.windows().isEmpty())) {
                lineage = lineage(device.unitCode());
            }
            List<String> holding = lineage == null ? List.of() : lineage;
            boolean inScope = c.unitCode().map(holding::contains).orElse(true);
            if (!inScope) {
                continue;
            }
            Campaign locked = campaigns.lock(c.id()).orElseThrow();
            RomService.Release release = releases.findToSend(locked.releaseId()).orElseThrow();
            if (!locked.state().active()
                    || !release.approved() // a superseded release is sent to no one more
                    || !campaigns
                            .sendable(List.of(device.imei()), release.id(), Optional.empty())
                            .contains(device.imei())) {
                return Optional.empty();
            }
            Campaign.Target joining = new Campaign.Target(
                    device.imei(),
                    device.unitCode(),
                    locked.currentWave(),
                    Campaign.Window.of(holding, locked.windows()).map(Campaign.Window::unitCode));
            campaigns.add(locked.id(), joining);
            if (locked.state() == Campaign.State.HALTED) {
                log.info(
                        "device {} joined halted ROM campaign {} in wave {}: held until it resumes",
                        device.imei(),
                        locked.id(),
                        locked.currentWave());
                return Optional.of(locked);
            }
            send(locked, List.of(joining));
            log.info("device {} joined ROM campaign {} in wave {}", device.imei(), locked.id(), locked.currentWave());
            return Optional.of(locked);
        }
        return Optional.empty();
    }

    /** A unit's ancestors and the unit, root first, as inventory has them now (none for central stock). */
    private List<String> lineage(String unitCode) {
        if (unitCode.isEmpty()) {
            return List.of();
        }
        List<String> lineage = new ArrayList<>(inventory.ancestors(unitCode).orElse(List.of()));
        lineage.add(unitCode);
        return lineage;
    }

    /** Ids of the running campaigns, for {@link CampaignWaves}. */
    @Transactional(readOnly = true)
    public List<String> running() {
        return campaigns.running();
    }
}
