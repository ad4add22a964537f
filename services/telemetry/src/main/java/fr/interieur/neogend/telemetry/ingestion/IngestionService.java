package fr.interieur.neogend.telemetry.ingestion;

import fr.interieur.neogend.contract.CalendarDates;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.UnauthenticatedException;
import fr.interieur.neogend.kit.error.UnavailableException;
import fr.interieur.neogend.kit.security.DeviceAuthenticator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Takes a device's batch of readings (DOMAIN rule 18): refuses the bad readings one by one with a
 * reason, stores the good ones exactly once (a batch sent again stores nothing twice), moves the
 * latest state forward, records the acknowledged commands and hands out the waiting ones, each
 * committed before the answer, so an acknowledged batch is durable.
 *
 * <p>No transaction spans the steps, and none needs to: the readings, the revocation check and the latest
 * state are one statement (atomic by itself); acknowledging is idempotent; commands handed out stay
 * "delivered" and are handed out again until acknowledged. A failure between two steps leaves what a
 * resend of the same batch completes — its readings are duplicates then, nothing is stored twice. In the
 * usual upload (no acknowledgement, nothing waiting) that is one statement and one round trip, in
 * autocommit (issue 16: the BEGIN/COMMIT and the commands query were a third of the round trips).
 */
@Service
public class IngestionService {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IngestionService.class);

    public static final int MAX_BATCH = 1000;

    /** Maintenance windows are Paris local time. */
    private static final java.time.ZoneId PARIS = java.time.ZoneId.of("Europe/Paris");

    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{0,200}");
    private static final String REVOKED = "the device is revoked (lost, stolen or returned): nothing it sends is kept";
    private static final Set<String> NETWORKS = Set.of("NONE", "2G", "3G", "4G", "5G", "WIFI", "UNKNOWN");

    private final ReadingStore store;
    private final Clock clock;
    /**
     * Set only by the benchmark ({@code neogend.telemetry.upload-transaction=one}): every upload in one
     * transaction and the commands always asked for, as before issue 16's change, to measure both in one run.
     */
    private final TransactionTemplate oneTransaction;

    private final Duration retention;
    private final Duration futureTolerance;
    private final DeviceAuthenticator devices;
    private final Counter readingsStored;
    private final Counter readingsDuplicate;
    private final Counter readingsRejected;
    /** The readings' log when {@code ingest: kafka} (ADR 0025); empty: uploads are written here, at once. */
    private final Optional<ReadingLog> readingLog;

    /** Concurrent uploads written by one statement (null: each by its own, {@code group-commit.writers=0}). */
    private final GroupCommit<ReadingStore.Batch, ReadingStore.Stored> groups;

    public IngestionService(
            ReadingStore store,
            Optional<Clock> clock,
            @Value("${neogend.telemetry.retention:30d}") Duration retention,
            @Value("${neogend.telemetry.future-tolerance:5m}") Duration futureTolerance,
            @Value("${neogend.telemetry.upload-transaction:per-statement}") String uploadTransaction,
            @Value("${neogend.telemetry.group-commit.writers:1}") int groupWriters,
            @Value("${neogend.telemetry.group-commit.max-readings:5000}") int groupMaxReadings,
            PlatformTransactionManager transactions,
            DeviceAuthenticator devices,
            MeterRegistry meters,
            Optional<ReadingLog> readingLog) {
        this.store = store;
        this.readingLog = readingLog;
        this.devices = devices;
        this.readingsStored = Counter.builder("neogend.readings")
                .tag("outcome", "stored")
                .description("Readings received from devices, by outcome")
                .register(meters);
        this.readingsDuplicate = Counter.builder("neogend.readings")
                .tag("outcome", "duplicate")
                .description("Readings received from devices, by outcome")
                .register(meters);
        this.readingsRejected = Counter.builder("neogend.readings")
                .tag("outcome", "rejected")
                .description("Readings received from devices, by outcome")
                .register(meters);
        this.oneTransaction = switch (uploadTransaction) {
            case "per-statement" -> null;
            case "one" -> new TransactionTemplate(transactions);
            default ->
                throw new IllegalArgumentException(
                        "neogend.telemetry.upload-transaction: per-statement or one, not " + uploadTransaction);
        };
        if (groupWriters < 0) {
            throw new IllegalArgumentException(
                    "neogend.telemetry.group-commit.writers: 0 (off) or more, not " + groupWriters);
        }
        var groupSizes = io.micrometer.core.instrument.DistributionSummary.builder("neogend.telemetry.upload.group")
                .description("Uploads written by one statement (group commit)")
                .register(meters);
        this.groups = groupWriters == 0 || oneTransaction != null
                ? null
                : new GroupCommit<>(
                        store::storeAll,
                        ReadingStore.Batch::imei,
                        b -> b.readings().size(),
                        groupWriters,
                        groupMaxReadings,
                        groupSizes::record);
        this.clock = clock.orElse(Clock.systemUTC());
        this.retention = retention;
        this.futureTolerance = futureTolerance;
    }

    /**
     * Stores a batch and counts it once stored. Whatever the database does wrong (down, full, a statement
     * failing) is UNAVAILABLE: nothing of the batch was stored and the device sends it again — never
     * INVALID_ARGUMENT (the device would drop good readings) nor INTERNAL. Bad readings never get this far:
     * each is refused alone.
     */
    public Upload ingest(String imei, List<ReadingIn> readings, List<String> acknowledgedCommandIds) {
        return ingest(imei, readings, acknowledgedCommandIds, List.of());
    }

    /**
     * {@link #ingest(String, List, List)} with the device's word on its UPDATE commands (issue 20): installed,
     * failed (with its reason) or postponed (handed again on the next contact). An UPDATE acknowledged
     * without a result counts as installed; a result for another command acknowledges it.
     */
    public Upload ingest(
            String imei, List<ReadingIn> readings, List<String> acknowledgedCommandIds, List<Upload.Result> results) {
        Upload u;
        try {
            u = oneTransaction == null
                    ? upload(imei, readings, acknowledgedCommandIds, results)
                    : oneTransaction.execute(t -> upload(imei, readings, acknowledgedCommandIds, results));
        } catch (ReadingLog.LogUnavailableException e) {
            log.warn(
                    "batch of {} readings not acknowledged by the log, the device will resend it: {}",
                    readings.size(),
                    e.getMessage());
            throw new UnavailableException("the readings were not kept (log unavailable); send the same batch again");
        } catch (DataAccessException | TransactionException e) {
            log.warn(
                    "batch of {} readings not stored, the device will resend it: {}",
                    readings.size(),
                    e.getClass().getSimpleName());
            throw new UnavailableException(
                    "the readings were not stored (database unavailable); " + "send the same batch again");
        }
        readingsStored.increment(u.stored());
        readingsDuplicate.increment(u.duplicates());
        readingsRejected.increment(u.rejected().size());
        return u;
    }

    /**
     * A batch of a device's stream: its credential is checked again first, so a revocation takes effect on
     * the next batch, not only on the next stream.
     */
    public Upload ingestOnStream(
            String credential,
            String imei,
            List<ReadingIn> readings,
            List<String> acknowledgedCommandIds,
            List<Upload.Result> results) {
        if (devices.authenticate(credential).filter(imei::equals).isEmpty()) {
            throw new UnauthenticatedException("the device credential is not valid or was revoked");
        }
        return ingest(imei, readings, acknowledgedCommandIds, results);
    }

    /**
     * A device's result, checked: which command, how it went, why (the contract has refused a reason with
     * control characters or over 500 characters already, naming the field).
     */
    private record Word(long commandId, Upload.Outcome outcome, String reason) {}

    private static List<Word> words(List<Upload.Result> results) {
        List<Word> words = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            Upload.Result r = results.get(i);
            String at = "command_results[" + i + "].";
            long id;
            try {
                id = Long.parseLong(r.commandId());
            } catch (NumberFormatException e) {
                throw InvalidArgumentException.of(at + "command_id", "holds an unknown command id: " + r.commandId());
            }
            if (r.outcome() == null) {
                throw InvalidArgumentException.of(at + "outcome", "is required: INSTALLED, FAILED or POSTPONED");
            }
            String reason = r.reason() == null ? "" : r.reason().strip();
            if (reason.isEmpty() && r.outcome() != Upload.Outcome.INSTALLED) {
                reason = "no reason given";
            }
            words.add(new Word(id, r.outcome(), reason));
        }
        return words;
    }

    private Upload upload(
            String imei, List<ReadingIn> readings, List<String> acknowledgedCommandIds, List<Upload.Result> results) {
        if (readings.size() > MAX_BATCH) {
            throw InvalidArgumentException.of(
                    "readings", "at most " + MAX_BATCH + " readings per batch, not " + readings.size());
        }
        Instant now = clock.instant();
        List<ReadingIn> good = new ArrayList<>(readings.size());
        List<Upload.Rejected> rejected = new ArrayList<>();
        record Key(Instant recordedAt, long sequence) {}
        Set<Key> seen = new HashSet<>();
        for (int i = 0; i < readings.size(); i++) {
            ReadingIn r = readings.get(i);
            String problem = problem(r, now);
            if (problem == null && !seen.add(new Key(r.recordedAt(), r.sequence()))) {
                problem = "sequence: repeats an earlier reading of this batch";
            }
            if (problem != null) {
                rejected.add(new Upload.Rejected(i, r.sequence(), problem));
            } else {
                good.add(r);
            }
        }
        List<Long> acks = new ArrayList<>();
        for (String id : acknowledgedCommandIds) {
            try {
                acks.add(Long.parseLong(id));
            } catch (NumberFormatException e) {
                throw InvalidArgumentException.of("acknowledged_command_ids", "holds an unknown command id: " + id);
            }
        }
        List<Word> words = words(results);
        // a command acknowledged with its result in the same upload is what the result says (a postponed UPDATE
        // handed again, a failed one failed): the acknowledgement alone would count it installed first
        Set<Long> told = new HashSet<>();
        words.forEach(w -> told.add(w.commandId()));
        acks.removeIf(told::contains);
        // the revocation is read by the store's own statement (one round trip); asked apart only when no
        // reading is good, to say why each is refused
        ReadingStore.Stored stored = !good.isEmpty()
                ? store(ReadingStore.Batch.of(imei, good))
                : new ReadingStore.Stored(!readings.isEmpty() && store.revoked(imei), 0, true);
        if (stored.revoked()) {
            rejected = new ArrayList<>(readings.size());
            for (int i = 0; i < readings.size(); i++) {
                rejected.add(new Upload.Rejected(i, readings.get(i).sequence(), REVOKED));
            }
            good = List.of();
        }
        if (!acks.isEmpty()) {
            store.acknowledge(imei, acks);
        }
        for (Word w : words) {
            store.report(imei, w.commandId(), w.outcome(), w.reason());
        }
        // commands are asked for only when the batch's statement saw some waiting (or some were acknowledged:
        // the acknowledgement may have been of a command delivered on another path, e.g. a stream)
        boolean commandsAsked =
                stored.commandsWaiting() || !acks.isEmpty() || !words.isEmpty() || oneTransaction != null;
        if (commandsAsked && stored.count() > 0 && readingLog.isEmpty()) { // with a log: its writers confirm
            // an UPDATE counts only once the device's readings report its build and patch level (issue 20)
            store.confirmUpdates(imei);
        }
        List<Upload.Command> commands = commandsAsked
                ? store.deliverPending(
                        imei, java.time.LocalTime.ofInstant(now, PARIS).toSecondOfDay() / 60)
                : List.of();
        return new Upload(stored.count(), good.size() - stored.count(), rejected, commands);
    }

    /**
     * The batch written with the concurrent uploads' (group commit), or alone when that is off; with a log
     * ({@code ingest: kafka}), appended to the log once the device is known not to be revoked — "stored"
     * then counts the readings the log acknowledged (which are new is known only when they are written).
     */
    private ReadingStore.Stored store(ReadingStore.Batch b) {
        if (readingLog.isPresent()) {
            ReadingStore.Status status = store.status(b.imei());
            if (status.revoked()) {
                return new ReadingStore.Stored(true, 0, status.commandsWaiting());
            }
            readingLog.get().append(b.imei(), b.readings(), clock.instant());
            return new ReadingStore.Stored(false, b.readings().size(), status.commandsWaiting());
        }
        return groups != null
                ? groups.submit(b)
                : store.store(b.imei(), b.readings(), b.newest(), b.newestPosition(), b.newestSoftware());
    }

    /** Why a reading is refused — every problem it has, "; "-separated — or null. */
    private String problem(ReadingIn r, Instant now) {
        List<String> problems = new ArrayList<>();
        if (r.refusal() != null) {
            problems.add(r.refusal());
        }
        if (r.sequence() < 0) {
            problems.add("sequence: must not be negative");
        }
        if (r.recordedAt() == null || r.recordedAt().equals(Instant.EPOCH)) {
            problems.add("recorded_at: is required");
        } else if (r.recordedAt().isAfter(now.plus(futureTolerance))) {
            problems.add("recorded_at: is in the future (device clock?)");
        } else if (r.recordedAt().isBefore(now.minus(retention))) {
            problems.add("recorded_at: is older than the " + retention.toDays() + "-day retention");
        }
        if (r.batteryPercent() < 0 || r.batteryPercent() > 100) {
            problems.add("battery_percent: must be 0 to 100");
        }
        if (r.latitude().isPresent() != r.longitude().isPresent()) {
            problems.add("latitude, longitude: give both or neither");
        }
        if (r.latitude().filter(l -> !(l >= -90 && l <= 90)).isPresent()) {
            problems.add("latitude: must be -90 to 90");
        }
        if (r.longitude().filter(l -> !(l >= -180 && l <= 180)).isPresent()) {
            problems.add("longitude: must be -180 to 180");
        }
        if (r.accuracyM().filter(a -> !(a >= 0 && a < 100_000)).isPresent()) {
            problems.add("accuracy_m: must be 0 to 100,000");
        }
        if (!NETWORKS.contains(r.network())) {
            problems.add("network: is not a known network type");
        }
        if (!r.patchLevel().isEmpty() && CalendarDates.problem(r.patchLevel()) != null) {
            problems.add("security_patch_level: " + CalendarDates.problem(r.patchLevel()));
        }
        String[] names = {"rom_build", "kernel_version", "agent_version"};
        String[] texts = {r.romBuild(), r.kernelVersion(), r.agentVersion()};
        for (int i = 0; i < texts.length; i++) {
            if (texts[i] == null || !TEXT.matcher(texts[i]).matches()) {
                problems.add(names[i] + ": at most 200 characters of plain text");
            }
        }
        if (r.agentVersion() != null && r.agentVersion().length() > 40) {
            problems.add("agent_version: at most 40 characters");
        }
        if (r.freeStorageMb() < 0) {
            problems.add("free_storage_mb: must not be negative");
        }
        if (problems.isEmpty()) {
            return null;
        }
        // the proto's own rules and these overlap: name each problem once
        List<String> distinct = problems.stream()
                .flatMap(p -> java.util.Arrays.stream(p.split("; ")))
                .distinct()
                .toList();
        String all = String.join("; ", distinct);
        return distinct.isEmpty() ? null : all.length() <= 500 ? all : all.substring(0, 497) + "...";
    }
}
