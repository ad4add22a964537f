package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.inventory.agreement.AgreementChecks;
import fr.interieur.neogend.inventory.unit.Reach;
import fr.interieur.neogend.inventory.unit.UnitService;
import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.kit.validation.PlainText;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Registers and finds devices (terminaux). Every read is limited to what the caller may see:
 * a unit manager or technician sees its own unit subtree only (DOMAIN rule 9). A device registered
 * with a pack type arrives as a new pack whose lease starts on its reception date.
 */
@Service
public class DeviceService {

    /** Dates of reception and return are French calendar days. */
    public static final ZoneId ZONE = ZoneId.of("Europe/Paris");

    private static final Pattern UNIT_CODE = UnitService.CODE;
    private static final Pattern NO_CONTROL = Pattern.compile("[^\\p{Cntrl}]*");
    private static final int MAX_TEXT = 100;
    /** Largest delivery registered in one call (a 4 MB gRPC message holds about 25,000). */
    public static final int MAX_BULK = 20_000;

    private final DeviceRepository devices;
    private final PackRepository packs;
    private final HistoryRepository history;
    private final UnitService units;
    private final AgreementChecks agreements;
    private final PlannerStatistics statistics;
    private final Clock clock;

    public DeviceService(
            DeviceRepository devices,
            PackRepository packs,
            HistoryRepository history,
            UnitService units,
            AgreementChecks agreements,
            PlannerStatistics statistics,
            Optional<Clock> clock) {
        this.devices = devices;
        this.packs = packs;
        this.history = history;
        this.units = units;
        this.agreements = agreements;
        this.statistics = statistics;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Registers a device received from the supplier, in state IN_STOCK. */
    @Transactional
    public Device register(NewDevice request, Caller caller) {
        Validation v = new Validation();
        validate(request, "device.", v::check);
        v.throwIfInvalid();
        checkAgreement(request, "device.", agreements.lookup(), false, v::check);
        v.throwIfInvalid();
        Reach reach = units.reachOf(caller);
        request.unitCode().ifPresent(unit -> units.requirePlaceable(unit, reach, "device.unit_code"));
        String spelling = fleetSpelling(
                request.model(), devices.spellingsOf(List.of(request.model())).get(request.model()));
        if (spelling != null) {
            throw InvalidArgumentException.of("device.model", otherCase(spelling));
        }

        if (devices.serialTaken(request.model(), request.serialNumber())) {
            throw new AlreadyExistsException("a " + request.model() + " with serial number " + request.serialNumber()
                    + " is registered already");
        }
        Instant now = now();
        Device device = newDevice(request, now);
        if (!devices.insert(device, caller.username())) {
            throw new AlreadyExistsException("a device with IMEI " + request.imei() + " is registered already");
        }
        startPacks(List.of(device), caller, now);
        return devices.findByImei(device.imei()).orElseThrow();
    }

    /** Records the registrations and starts the packs of devices received with a pack type. */
    private void startPacks(List<Device> received, Caller caller, Instant now) {
        List<PackRepository.NewPack> newPacks = new ArrayList<>();
        for (Device d : received) {
            d.packType()
                    .ifPresent(type -> newPacks.add(new PackRepository.NewPack(
                            type,
                            d.imei(),
                            d.unitCode(),
                            d.receivedOn(),
                            now,
                            d.agreementId().orElseThrow(),
                            caller.username())));
        }
        List<HistoryRepository.Change> changes = new ArrayList<>(received.size() + newPacks.size());
        for (Device d : received) {
            changes.add(
                    new HistoryRepository.Change("DEVICE", d.imei(), d.imei(), "REGISTER", Map.of(), History.of(d)));
        }
        for (Pack p : packs.createAll(newPacks)) {
            changes.add(new HistoryRepository.Change(
                    "PACK", p.id(), p.deviceImei().orElseThrow(), "START_LEASE", Map.of(), History.of(p)));
        }
        history.append(changes, caller.username(), now);
    }

    /**
     * One row of a delivery, and what the rules its proto declares for the fields found wrong with it
     * ({@code devices[i].field}), so that one answer names every problem of every row.
     */
    public record BulkRow(NewDevice device, List<InvalidArgumentException.Violation> refused) {
        public BulkRow {
            refused = List.copyOf(refused);
        }
    }

    /** Problems of a delivery spelt out in the refusal (the message counts them all), as many as the request rules keep. */
    static final int PROBLEMS_KEPT = 20;
    /** Distinct agreements one delivery may name: each is one call to the order service. */
    static final int MAX_AGREEMENTS = 10;

    /**
     * Registers a delivery's devices (bon de livraison) in one transaction, all or nothing.
     * Idempotent by IMEI: a device registered already with the same serial number and model counts
     * as done. Every row is judged in one go — its fields' rules, IMEI check digit, unit, agreement,
     * repeats within the delivery, devices and serial numbers already in the fleet — so one refusal
     * names every bad row ({@code devices[i].field}, one reason per field; the first
     * {@value #PROBLEMS_KEPT} spelt out, all counted). What the rows are checked against is read once
     * for the whole delivery: one query for the IMEIs, one for the serial numbers, one for the units, one
     * for the agreements the packs of devices already in the fleet were leased under (a repeat after a transfer),
     * one call per distinct agreement (at most {@value #MAX_AGREEMENTS}).
     */
    @Transactional
    public BulkRegistration registerAll(List<BulkRow> rows, Caller caller) {
        Judgement judged = judge(rows, caller, PROBLEMS_KEPT, true);
        judged.problems().throwIfAny();
        devices.insertAll(judged.fresh(), caller.username());
        startPacks(judged.fresh(), caller, judged.now());
        statistics.refreshIfBulk(judged.fresh().size());
        return new BulkRegistration(judged.fresh().size(), judged.already());
    }

    /** Problems of a delivery a check lists (all counted): far more rows than a delivery sends bad by hand. */
    static final int PROBLEMS_LISTED = 20_000;

    /**
     * Judges a delivery exactly as {@link #registerAll} does and stores nothing: every problem, row by row
     * (the first {@value #PROBLEMS_LISTED}, all counted), the rows with one, and — for a sound delivery —
     * what registering it would do now. A delivery that cannot be judged at all (empty, too long) is
     * refused as by {@link #registerAll}.
     */
    @Transactional(readOnly = true)
    public DeliveryCheck checkAll(List<BulkRow> rows, Caller caller) {
        Judgement judged = judge(rows, caller, PROBLEMS_LISTED, false);
        Problems problems = judged.problems();
        boolean sound = problems.total == 0;
        return new DeliveryCheck(
                problems.kept,
                problems.total,
                judged.badRows(),
                sound ? judged.fresh().size() : 0,
                sound ? judged.already() : 0);
    }

    /** What judging a delivery found: its problems, the new devices of its sound rows, the repeats. */
    private record Judgement(Problems problems, int badRows, List<Device> fresh, int already, Instant now) {}

    /**
     * @param change true when the delivery is registered: a caller restricted to a subtree then holds the rows
     *     of the units it places devices in until the registration commits
     */
    private Judgement judge(List<BulkRow> rows, Caller caller, int problemsKept, boolean change) {
        if (rows.isEmpty()) {
            throw InvalidArgumentException.of("devices", "at least one device is required");
        }
        if (rows.size() > MAX_BULK) {
            throw InvalidArgumentException.of(
                    "devices",
                    "at most " + MAX_BULK + " devices per call, not " + rows.size() + "; split the delivery");
        }
        Reach reach = units.reachOf(caller);
        Set<String> unitCodes = new HashSet<>();
        Set<String> imeis = new HashSet<>();
        Set<DeviceRepository.ModelSerial> serials = new HashSet<>();
        Set<String> models = new HashSet<>();
        for (BulkRow r : rows) {
            NewDevice d = r.device();
            Set<String> refused = new HashSet<>();
            r.refused().forEach(v -> refused.add(v.field().substring(v.field().indexOf('.') + 1)));
            d.unitCode()
                    .filter(u -> !refused.contains("unit_code")
                            && UNIT_CODE.matcher(u).matches())
                    .ifPresent(unitCodes::add);
            if (!refused.contains("imei") && Imei.problem(d.imei()) == null) {
                imeis.add(d.imei());
            }
            if (!refused.contains("model") && present(d.model())) {
                models.add(d.model());
            }
            if (!refused.contains("model")
                    && !refused.contains("serial_number")
                    && present(d.model())
                    && present(d.serialNumber())) {
                serials.add(serialKey(d));
            }
        }
        Map<String, String> unitPaths = change ? units.pathsForChange(unitCodes, reach) : units.pathsOf(unitCodes);
        Map<String, Device> known = devices.findByImeis(imeis);
        // the agreements the packs of devices already in the fleet were ever leased under, in one query
        Map<String, Set<String>> packAgreements = packs.agreementsOf(
                known.values().stream().flatMap(k -> k.packId().stream()).toList());
        Map<DeviceRepository.ModelSerial, String> holders = devices.imeisBySerial(serials);
        Map<String, Set<String>> spellings = devices.spellingsOf(models);
        Map<String, Integer> rowOfModel = new HashMap<>();
        AgreementChecks.Lookup lookup = agreements.lookup();

        Problems problems = new Problems(problemsKept);
        int badRows = 0;
        Map<String, Integer> rowOfImei = new HashMap<>();
        Map<DeviceRepository.ModelSerial, Integer> rowOfSerial = new HashMap<>();
        Instant now = now();
        List<Device> fresh = new ArrayList<>();
        int already = 0;
        for (int i = 0; i < rows.size(); i++) {
            NewDevice d = rows.get(i).device();
            Row row = new Row(i, rows.get(i).refused(), problems);
            String p = row.prefix;
            validate(d, p, row);
            // a repeat of a device registered already on these very terms was judged when it was registered:
            // its agreement was in force then, and a term ended since does not undo the delivery
            Device registered = row.open("imei") ? known.get(d.imei()) : null;
            if (row.open("pack_type")
                    && row.open("agreement_id")
                    && !(registered != null && sameRegistration(registered, d, packAgreements))) {
                checkAgreement(d, p, lookup, true, row);
            }
            d.unitCode().filter(u -> row.open("unit_code")).ifPresent(unit -> {
                String path = unitPaths.get(unit);
                row.check(path != null, p + "unit_code", "unit " + unit + " does not exist; create it first");
                row.check(path == null || reach.covers(path), p + "unit_code", "is outside your unit");
            });
            if (row.open("model")) {
                String spelling = fleetSpelling(d.model(), spellings.get(d.model()));
                row.check(spelling == null, p + "model", spelling == null ? "" : otherCase(spelling));
                // a model new to the fleet is written one way in one delivery too
                Integer first =
                        spelling != null ? null : rowOfModel.putIfAbsent(DeviceRepository.caseFolded(d.model()), i);
                String firstModel =
                        first == null ? null : rows.get(first).device().model();
                row.check(
                        firstModel == null || firstModel.equals(d.model()),
                        p + "model",
                        "is written \"" + firstModel + "\" in devices[" + first + "]: a model in another case would"
                                + " be another model");
            }
            Device existing = null;
            if (row.open("imei")) {
                Integer first = rowOfImei.putIfAbsent(d.imei(), i);
                row.check(first == null, p + "imei", "repeats devices[" + first + "]");
                existing = first == null ? known.get(d.imei()) : null;
                if (existing != null) {
                    // a repeat of this very registration counts as done; a device that is in the fleet on
                    // other terms (a spare, another pack type or agreement) is not delivered again
                    boolean same = existing.model().equals(d.model())
                            && existing.serialNumber().equalsIgnoreCase(d.serialNumber());
                    row.check(
                            same,
                            p + "imei",
                            "is registered already as " + existing.model() + " serial " + existing.serialNumber());
                    Device e = existing;
                    row.check(
                            !same || sameRegistration(e, d, packAgreements),
                            p + "imei",
                            "is in the fleet already (" + e.state()
                                    + e.packType().map(t -> ", pack type " + t).orElse(", a spare")
                                    + e.agreementId()
                                            .map(a -> ", agreement " + a)
                                            .orElse("")
                                    + "): it cannot arrive again as a new pack");
                }
            }
            if (row.open("model") && row.open("serial_number")) {
                DeviceRepository.ModelSerial key = serialKey(d);
                Integer sameSerial = rowOfSerial.putIfAbsent(key, i);
                row.check(sameSerial == null, p + "serial_number", "repeats devices[" + sameSerial + "]");
                String holder = holders.get(key);
                row.check(
                        holder == null || holder.equals(d.imei()),
                        p + "serial_number",
                        "is registered already for IMEI " + holder);
            }
            if (!row.bad) {
                if (existing != null) {
                    already++;
                } else {
                    fresh.add(newDevice(d, now));
                }
            } else {
                badRows++;
            }
        }
        return new Judgement(problems, badRows, fresh, already, now);
    }

    /**
     * Whether a row repeats the registration of a device in the fleet: the same model and serial, the same pack
     * type, and the agreement its pack is leased under now or was ever leased under — the same delivery repeated
     * after its packs moved to a successor agreement is still the same delivery (a reception cut after
     * inventory registered it is finished by its repeat).
     */
    private static boolean sameRegistration(Device e, NewDevice d, Map<String, Set<String>> packAgreements) {
        return e.model().equals(d.model())
                && e.serialNumber().equalsIgnoreCase(d.serialNumber())
                && e.packType().equals(d.packType())
                && (e.agreementId().equals(d.agreementId())
                        || e.packId().isPresent()
                                && d.agreementId().isPresent()
                                && packAgreements
                                        .getOrDefault(e.packId().get(), Set.of())
                                        .contains(d.agreementId().get()));
    }

    private static boolean present(String text) {
        return text != null && !text.isBlank();
    }

    /** Where a check records a problem: a field and why. */
    private interface Check {
        void check(boolean ok, String field, String description);

        default void required(String value, String field) {
            check(present(value), field, "is required");
        }
    }

    /** Every problem of a delivery: the first ones kept, all counted. */
    private static final class Problems {
        final List<InvalidArgumentException.Violation> kept = new ArrayList<>();
        final int limit;
        int total;

        Problems(int limit) {
            this.limit = limit;
        }

        void add(InvalidArgumentException.Violation v) {
            total++;
            if (kept.size() < limit) {
                kept.add(v);
            }
        }

        void throwIfAny() {
            if (total > 0) {
                throw new InvalidArgumentException(kept, total);
            }
        }
    }

    /** One row's problems: one reason per field; a field its rules refused already is not judged again. */
    private static final class Row implements Check {
        final String prefix;
        final Set<String> fields = new HashSet<>();
        final Problems all;
        boolean bad;

        Row(int index, List<InvalidArgumentException.Violation> refused, Problems all) {
            this.prefix = "devices[" + index + "].";
            this.all = all;
            refused.forEach(v -> {
                if (fields.add(v.field())) {
                    all.add(v);
                }
                bad = true;
            });
        }

        /** Whether the field has no problem yet. */
        boolean open(String field) {
            return !fields.contains(prefix + field);
        }

        @Override
        public void check(boolean ok, String field, String description) {
            if (!ok) {
                bad = true;
                if (fields.add(field)) {
                    all.add(new InvalidArgumentException.Violation(field, description));
                }
            }
        }
    }

    /**
     * Which of these IMEIs are in the fleet already, whatever their state or unit: a delivery note
     * cannot bring them again. Answers IMEIs only, so the supplier may ask.
     */
    @Transactional(readOnly = true)
    public Set<String> registeredAmong(List<String> imeis) {
        if (imeis.size() > MAX_BULK) {
            throw InvalidArgumentException.of("imeis", "at most " + MAX_BULK + " per call, not " + imeis.size());
        }
        Set<String> wellFormed = new java.util.HashSet<>();
        imeis.stream().filter(i -> Imei.problem(i) == null).forEach(wellFormed::add);
        return wellFormed.isEmpty() ? Set.of() : devices.findByImeis(wellFormed).keySet();
    }

    /**
     * A device with a pack type starts a pack leased under its agreement, which must exist and be in
     * force on the reception day (today); a spare (no pack type) has no agreement. With {@code capped},
     * agreements beyond the first {@value #MAX_AGREEMENTS} distinct ones are not looked up.
     */
    private void checkAgreement(
            NewDevice request, String prefix, AgreementChecks.Lookup lookup, boolean capped, Check v) {
        String field = prefix + "agreement_id";
        if (request.packType().isEmpty()) {
            v.check(
                    request.agreementId().isEmpty(),
                    field,
                    "a spare device (no pack type) is leased under no agreement");
        } else if (request.agreementId().isEmpty()) {
            v.check(false, field, "is required with a pack type: the agreement its pack is leased under");
        } else if (capped && !lookup.known(request.agreementId().get()) && lookup.lookedUp() >= MAX_AGREEMENTS) {
            v.check(
                    false,
                    field,
                    "not checked: one delivery names at most " + MAX_AGREEMENTS + " agreements; split it");
        } else {
            lookup.problem(request.agreementId().get(), LocalDate.ofInstant(now(), ZONE))
                    .ifPresent(problem -> v.check(false, field, problem));
        }
    }

    /**
     * How the fleet writes a model that this one differs from only by case, when the fleet does not write it so
     * itself (rule 7: "RUGGED X5" is the model "Rugged X5" is, its serial numbers and ROM releases the same); null
     * when the model is new to the fleet or written as the fleet writes it.
     */
    private static String fleetSpelling(String model, Set<String> known) {
        return known == null || known.contains(model) ? null : known.iterator().next();
    }

    private static String otherCase(String spelling) {
        return "is written \"" + spelling + "\" in the fleet: a model in another case would be another model, a"
                + " serial number registered twice and a ROM release approved for none of its devices";
    }

    /**
     * A serial number is unique per model whatever its case (rule 7): "sn-2" is the device "SN-2" is. Keys of
     * the lookups are upper-case; the device keeps the serial as it was written.
     */
    private static DeviceRepository.ModelSerial serialKey(NewDevice d) {
        return new DeviceRepository.ModelSerial(d.model(), d.serialNumber().toUpperCase(java.util.Locale.ROOT));
    }

    private static void validate(NewDevice request, String prefix, Check v) {
        String imeiProblem = Imei.problem(request.imei());
        v.check(imeiProblem == null, prefix + "imei", imeiProblem);
        v.required(request.serialNumber(), prefix + "serial_number");
        v.check(
                request.serialNumber() == null || request.serialNumber().length() <= 64,
                prefix + "serial_number",
                "must be at most 64 characters");
        v.check(
                request.serialNumber() == null || request.serialNumber().chars().noneMatch(Character::isWhitespace),
                prefix + "serial_number",
                "must not hold spaces: a serial number is written as on the device's label");
        v.required(request.model(), prefix + "model");
        v.check(
                request.model() == null
                        || request.model().equals(request.model().strip()),
                prefix + "model",
                "must not begin or end with a space: \"Rugged X5 \" would be another model than \"Rugged X5\"");
        v.check(
                request.model() == null || request.model().length() <= MAX_TEXT,
                prefix + "model",
                "must be at most " + MAX_TEXT + " characters");
        v.check(
                request.model() == null || NO_CONTROL.matcher(request.model()).matches(),
                prefix + "model",
                "must not hold control characters");
        v.check(
                request.model() == null || request.model().codePoints().noneMatch(PlainText::invisibleOrOddSpace),
                prefix + "model",
                "must not hold invisible characters or spaces other than the plain space: \"Rugged\u00a0X5\" or"
                        + " \"Rugged X5\u200b\" would be other models than \"Rugged X5\" with the same look");
        v.check(
                request.model() == null || PlainText.singleSpacedAndComposed(request.model()),
                prefix + "model",
                "must be written with single spaces and composed accents (Unicode NFC): \"Rugged  X5\" or an"
                        + " \"É\" written E + U+0301 would be other models than the ones they look like");
        v.check(request.kind().isPresent(), prefix + "kind", "is required (PHONE or TABLET)");
        // a pack is billed at its type's price (rule 13): a phone in a tablet pack would bill as a tablet
        request.kind()
                .ifPresent(kind -> request.packType().ifPresent(type -> {
                    DeviceKind holds = type == PackType.SMARTPHONE_INDIVIDUAL ? DeviceKind.PHONE : DeviceKind.TABLET;
                    v.check(
                            kind == holds,
                            prefix + "pack_type",
                            "a " + type + " pack holds a " + holds + ", not a " + kind);
                }));
        request.unitCode()
                .ifPresent(u -> v.check(
                        UNIT_CODE.matcher(u).matches(),
                        prefix + "unit_code",
                        "must be upper-case unit codes joined by '-', e.g. GN-RBRE-GGD35"));
        request.romBuild()
                .ifPresent(r -> v.check(r.length() <= 200, prefix + "rom_build", "must be at most 200 characters"));
    }

    private static Device newDevice(NewDevice d, Instant now) {
        return new Device(
                d.imei(),
                d.serialNumber(),
                d.model(),
                d.kind().orElseThrow(),
                DeviceState.IN_STOCK,
                d.packType(),
                d.unitCode(),
                d.romBuild(),
                LocalDate.ofInstant(now, ZONE),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                now,
                now,
                0,
                d.packType().isPresent() ? d.agreementId() : Optional.empty(),
                Device.Repair.NONE);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The device, if the caller may see it; NOT_FOUND otherwise (existence is not revealed). */
    @Transactional(readOnly = true)
    public Device get(String imei, Caller caller) {
        return visible(imei, units.reachOf(caller), "imei");
    }

    /** A device the caller may see; NOT_FOUND otherwise, INVALID_ARGUMENT for a malformed IMEI. */
    Device visible(String imei, Reach reach, String field) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of(field, problem);
        }
        return devices.findByImei(imei)
                .filter(d -> reach.coversHolder(d.unitCode().flatMap(units::pathOf)))
                .orElseThrow(() -> new NotFoundException("no device with IMEI " + imei));
    }

    /**
     * A device the caller may change: as {@link #visible}, its unit's row held until the change commits when the
     * caller is restricted to a subtree (a unit moved out of the caller's reach meanwhile waits for the change).
     */
    Device changeable(String imei, Reach reach, String field) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of(field, problem);
        }
        return devices.findByImei(imei)
                .filter(d -> reach.coversHolder(d.unitCode().flatMap(u -> units.pathForChange(u, reach))))
                .orElseThrow(() -> new NotFoundException("no device with IMEI " + imei));
    }

    /** What a device listing asks for; empty values match everything. */
    public record Search(
            Optional<DeviceState> state,
            Optional<PackType> packType,
            Optional<String> unitCode,
            Optional<String> model,
            Optional<String> holderAgentId,
            Optional<String> romBuild,
            boolean notReturned,
            Optional<String> orderBy,
            Optional<String> agreementId) {}

    /** A page of the devices the caller may see, filtered and sorted. */
    @Transactional(readOnly = true)
    public Page<Device> list(Search search, int pageSize, String pageToken, Caller caller) {
        Optional<String> subtree = subtreeFor(search.unitCode(), caller);
        DeviceOrder order = DeviceOrder.parse(search.orderBy());
        DeviceQuery filters = new DeviceQuery(
                search.state(),
                search.packType(),
                subtree,
                search.model(),
                search.holderAgentId(),
                search.romBuild(),
                search.notReturned(),
                search.agreementId(),
                order,
                Optional.empty(),
                0);
        PageRequest page = PageRequest.of(pageSize, pageToken, filters.filterKey());
        return page.toPage(
                devices.find(new DeviceQuery(
                        search.state(),
                        search.packType(),
                        subtree,
                        search.model(),
                        search.holderAgentId(),
                        search.romBuild(),
                        search.notReturned(),
                        search.agreementId(),
                        order,
                        page.afterKey(),
                        page.fetchSize())),
                order::keyOf,
                filters.filterKey());
    }

    /** Per-state, per-unit and per-pack-type counts of the devices the caller may see (optionally one subtree). */
    @Transactional(readOnly = true)
    public DeviceCounts count(Optional<String> unitCode, Optional<String> agreementId, Caller caller) {
        return devices.count(new DeviceRepository.Scope(subtreeFor(unitCode, caller), agreementId));
    }

    /**
     * End of term (rule 12): devices not yet RETURNED per unit and state, within the caller's reach;
     * for one agreement, those of its running packs.
     */
    @Transactional(readOnly = true)
    public EndOfTermReport endOfTerm(Optional<String> unitCode, Optional<String> agreementId, Caller caller) {
        return EndOfTermReport.of(devices.notReturnedByUnitAndState(
                new DeviceRepository.Scope(subtreeFor(unitCode, caller), agreementId)));
    }

    /**
     * Where the devices not yet RETURNED are (with {@code includeReturned}, the RETURNED ones too, as {@link
     * #visible} shows them), within the caller's reach (or one subtree of it), in batches ordered by IMEI — for
     * telemetry's fleet views and the repairs a unit manager lists. Read in one read-only transaction.
     */
    @Transactional(readOnly = true)
    public void placements(
            Optional<String> unitCode,
            boolean includeReturned,
            Caller caller,
            int batchSize,
            java.util.function.Consumer<List<DeviceRepository.Placement>> batches) {
        devices.forEachPlacement(
                new DeviceRepository.Scope(subtreeFor(unitCode, caller), Optional.empty()),
                includeReturned,
                batchSize,
                batches);
    }

    /** The history of a device the caller may see, oldest first. */
    @Transactional(readOnly = true)
    public Page<HistoryEntry> history(String imei, int pageSize, String pageToken, Caller caller) {
        visible(imei, units.reachOf(caller), "imei");
        PageRequest page = PageRequest.of(pageSize, pageToken, imei);
        Optional<Long> after;
        try {
            after = page.afterKey().map(Long::parseLong);
        } catch (NumberFormatException e) {
            throw InvalidArgumentException.of("page_token", "is not a token of this listing");
        }
        return page.toPage(history.forDevice(imei, after, page.fetchSize()), e -> Long.toString(e.id()), imei);
    }

    /** A pack the caller may see; NOT_FOUND otherwise. */
    @Transactional(readOnly = true)
    public Pack pack(String id, Caller caller) {
        if (id == null || !id.matches("PK-[0-9]{7,12}")) {
            throw InvalidArgumentException.of("id", "is not a pack id (PK- and 7 digits)");
        }
        Reach reach = units.reachOf(caller);
        return packs.find(id)
                .filter(p -> reach.coversHolder(p.unitCode().flatMap(units::pathOf)))
                .orElseThrow(() -> new NotFoundException("no pack " + id));
    }

    /** The subtree a query covers (as a path): the one asked for (inside the caller's reach) or the caller's own. */
    private Optional<String> subtreeFor(Optional<String> unitCode, Caller caller) {
        Reach reach = units.reachOf(caller);
        if (unitCode.isPresent()) {
            String code = unitCode.get();
            if (!UNIT_CODE.matcher(code).matches()) {
                throw InvalidArgumentException.of("unit_code", "is not a unit code");
            }
            String path = units.pathOf(code).orElseThrow(() -> new NotFoundException("no unit " + code));
            if (!reach.covers(path)) {
                throw new AccessDeniedException("unit " + code + " is outside your unit "
                        + caller.unitCode().orElse("(none)"));
            }
            return Optional.of(path);
        }
        return reach.pathPrefix();
    }
}
