package fr.interieur.neogend.telemetry.rom;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.PlainText;
import fr.interieur.neogend.telemetry.enrolment.InventoryDevices;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ROM releases (the supplier publishes them with the hash of the kernel sources it handed over and
 * the kernel config; a fleet manager approves one per model) and patch compliance (DOMAIN rule 19):
 * a device whose security patch level is below the approved release of its model is non-compliant.
 * A device's model is the one inventory registered, whatever build it reports.
 */
@Service
public class RomService {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final int MAX_CONFIG = 256 * 1024;
    /** An https URL: a host, then printable ASCII without spaces, quotes or angle brackets. */
    private static final Pattern OTA_URL = Pattern.compile("https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!#-&(-;=?-~]*)?");

    private final RomReleaseRepository releases;

    public RomService(RomReleaseRepository releases) {
        this.releases = releases;
    }

    /** A release as stored. */
    public record Release(
            String id,
            String supplierId,
            String model,
            String buildFingerprint,
            LocalDate patchLevel,
            String kernelSourceSha256,
            String kernelConfig,
            LocalDate bulletinDate,
            Instant publishedAt,
            boolean approved,
            Optional<String> otaUrl,
            Optional<String> otaSha256) {}

    @Transactional
    public Release publish(
            String model,
            String fingerprint,
            String patchLevel,
            String sha256,
            String config,
            LocalDate bulletinDate,
            String otaUrl,
            String otaSha256,
            Caller caller) {
        String supplier = caller.supplierId()
                .orElseThrow(() ->
                        new AccessDeniedException("only a supplier client with a supplier_id publishes releases"));
        Validation v = new Validation();
        v.check(
                model != null && TEXT.matcher(model).matches() && model.length() <= 100,
                "release.model",
                "is required: 1 to 100 characters");
        v.check(
                model == null || PlainText.writtenAsModel(model.trim()),
                "release.model",
                "must be written as inventory registers the model: no invisible character, no space but the plain"
                        + " one and never two in a row, accents composed (Unicode NFC) — \"Rugged\u00a0X5\" would be"
                        + " the approved release of no device");
        v.check(
                fingerprint != null && TEXT.matcher(fingerprint).matches(),
                "release.build_fingerprint",
                "is required: 1 to 200 characters");
        LocalDate patch = date(patchLevel, "release.security_patch_level", v);
        v.check(bulletinDate != null, "release.bulletin_date", "is required");
        LocalDate bulletin = bulletinDate;
        // The bulletin a patch level answers is its month's (Android: patch levels YYYY-MM-01 and -05 are those of
        // the bulletin of YYYY-MM). The patch SLA is counted from this date, so a release cannot claim a later one.
        v.check(
                bulletin == null
                        || patch == null
                        || java.time.YearMonth.from(bulletin).equals(java.time.YearMonth.from(patch)),
                "release.bulletin_date",
                patch == null
                        ? ""
                        : "must be the date of the security bulletin the patch level answers, in "
                                + java.time.YearMonth.from(patch) + " (between " + patch.withDayOfMonth(1) + " and "
                                + patch.withDayOfMonth(patch.lengthOfMonth()) + ")");
        v.check(
                sha256 != null && SHA256.matcher(sha256).matches(),
                "release.kernel_source_sha256",
                "must be 64 lower-case hex digits");
        v.check(
                config != null && !config.isBlank() && config.length() <= MAX_CONFIG,
                "release.kernel_config",
                "is required: the kernel .config, at most 256 KiB");
        Optional<String> url = Optional.ofNullable(otaUrl).filter(u -> !u.isEmpty());
        Optional<String> otaSum = Optional.ofNullable(otaSha256).filter(h -> !h.isEmpty());
        v.check(
                url.isPresent() == otaSum.isPresent(),
                url.isPresent() ? "release.ota_sha256" : "release.ota_url",
                "give the OTA package's URL and its SHA-256 together, or neither");
        v.check(
                url.map(u -> OTA_URL.matcher(u).matches() && u.length() <= 2000).orElse(true),
                "release.ota_url",
                "must be an https:// URL without spaces or quotes, at most 2,000 characters");
        v.check(
                otaSum.map(h -> SHA256.matcher(h).matches()).orElse(true),
                "release.ota_sha256",
                "must be 64 lower-case hex digits");
        v.throwIfInvalid();
        // a model written in another case is the model (rule 7): a release under another spelling would be approved
        // for no device of it, and end none of its approvals
        releases.otherCaseOf(model.trim())
                .ifPresent(known -> v.check(
                        false,
                        "release.model",
                        "is written \"" + known + "\" in the releases published for it: a model in another case"
                                + " would be another model, its approval ending none of theirs and judging none"
                                + " of its devices"));
        v.throwIfInvalid();
        String id = releases.nextId();
        boolean stored = releases.insert(
                id, supplier, model.trim(), fingerprint.trim(), patch, sha256, config, bulletin, url, otaSum);
        if (!stored) { // only ever the caller's own release: another supplier's fingerprint is no conflict
            throw new AlreadyExistsException("you published a release with this build fingerprint already");
        }
        return find(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<Release> list(Optional<String> model, Caller caller) {
        // a supplier sees its own releases only (a supplier client without an id: none)
        Optional<String> supplier = caller.hasRole(Caller.SUPPLIER)
                ? Optional.of(caller.supplierId().orElse("\u0000"))
                : Optional.empty();
        return releases.list(model, supplier);
    }

    /** Approves a release for its model; the model's previous approval ends in the same transaction. */
    @Transactional
    public Release approve(String id, Caller caller) {
        Release r = find(id == null ? "" : id).orElseThrow(() -> new NotFoundException("no ROM release " + id));
        releases.approve(id, r.model(), caller.username());
        return find(id).orElseThrow();
    }

    /** Share of a release's targeted devices that must be confirmed for the fleet to count as updated. */
    public static final int FLEET_CONFIRMED_PERCENT = 95;

    private static final java.time.ZoneId PARIS = java.time.ZoneId.of("Europe/Paris");

    /**
     * The patch timeline of one release (issue 20, the supplier's patch SLA): the bulletin it answers,
     * when it was published and first approved, the devices its campaigns targeted (distinct) and
     * confirmed on the release (readings, not the device's word), and when {@value
     * #FLEET_CONFIRMED_PERCENT} % of the targeted devices were confirmed (the confirmation of the
     * ceil(95 % × targeted)-th device), if they were.
     */
    public record PatchTimeline(
            String releaseId,
            String supplierId,
            String model,
            String buildFingerprint,
            LocalDate patchLevel,
            LocalDate bulletinDate,
            Instant publishedAt,
            Optional<Instant> firstApprovedAt,
            long targeted,
            long confirmed,
            Optional<Instant> fleetConfirmedAt) {}

    /**
     * The timelines of the releases published from {@code from} to before {@code before} (days in
     * Europe/Paris, each optional), oldest first. A supplier reads its own releases only: asking for
     * another supplier's is refused.
     */
    @Transactional(readOnly = true)
    public List<PatchTimeline> timelines(
            Optional<String> supplierId, Optional<LocalDate> from, Optional<LocalDate> before, Caller caller) {
        Optional<String> supplier = supplierId;
        if (caller.hasRole(Caller.SUPPLIER)) {
            String own = caller.supplierId()
                    .orElseThrow(
                            () -> new AccessDeniedException("a supplier client without a supplier_id has no releases"));
            if (supplierId.filter(s -> !s.equals(own)).isPresent()) {
                throw new AccessDeniedException("a supplier reads the timelines of its own releases only");
            }
            supplier = Optional.of(own);
        }
        if (from.isPresent() && before.isPresent() && !from.get().isBefore(before.get())) {
            throw fr.interieur.neogend.kit.error.InvalidArgumentException.of(
                    "published_before", "must come after published_from");
        }
        Instant start = from.map(d -> d.atStartOfDay(PARIS).toInstant()).orElse(Instant.EPOCH);
        Instant end = before.map(d -> d.atStartOfDay(PARIS).toInstant()).orElse(Instant.parse("9999-01-01T00:00:00Z"));
        return releases.timelines(supplier, start, end, FLEET_CONFIRMED_PERCENT);
    }

    /** Compliance of one model in one holding unit. */
    public record UnitModelCompliance(
            String unitCode,
            String model,
            long devices,
            long reporting,
            long nonCompliant,
            int maxGapDays,
            Optional<LocalDate> approvedPatchLevel,
            List<String> nonCompliantImeis,
            long sumGapDays,
            long devicesWithGap) {}

    /**
     * Compliance per holding unit and model of some devices (those in service within the caller's reach,
     * from inventory): their models are inventory's, their patch levels those of their latest states. A
     * reporting device below its model's approved level — or that never told its level — is
     * non-compliant, whatever build it reports.
     */
    @Transactional(readOnly = true)
    public List<UnitModelCompliance> unitCompliance(List<InventoryDevices.Placed> devices) {
        java.util.Map<String, LocalDate> approved = approvedLevels();
        java.util.Map<String, Optional<LocalDate>> reported = releases.reportedPatchLevels(
                devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new));
        // unit, model -> devices, reporting, non-compliant, max gap, sum of gaps, devices with a gap
        java.util.Map<String, long[]> lines = new java.util.TreeMap<>();
        java.util.Map<String, List<java.util.Map.Entry<String, Long>>> late = new java.util.HashMap<>(); // -> imei, gap
        for (InventoryDevices.Placed d : devices) {
            // unit code, then model: '\0' sorts before any character of a code
            String key = d.unitCode() + '\0' + d.model();
            long[] l = lines.computeIfAbsent(key, k -> new long[6]);
            l[0]++;
            if (!reported.containsKey(d.imei())) {
                continue;
            }
            l[1]++;
            LocalDate target = approved.get(d.model());
            LocalDate level = reported.get(d.imei()).orElse(null);
            if (target != null && (level == null || level.isBefore(target))) {
                l[2]++;
                long gap = level == null ? Long.MAX_VALUE : java.time.temporal.ChronoUnit.DAYS.between(level, target);
                if (level != null) {
                    l[3] = Math.max(l[3], gap);
                    l[4] += gap;
                    l[5]++;
                }
                late.computeIfAbsent(key, k -> new ArrayList<>()).add(java.util.Map.entry(d.imei(), gap));
            }
        }
        List<UnitModelCompliance> out = new ArrayList<>();
        lines.forEach((key, l) -> {
            String unit = key.substring(0, key.indexOf('\0'));
            String model = key.substring(key.indexOf('\0') + 1);
            List<String> imeis = late.getOrDefault(key, List.of()).stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue()
                            .reversed()
                            .thenComparing(java.util.Map.Entry.comparingByKey()))
                    .limit(200)
                    .map(java.util.Map.Entry::getKey)
                    .toList();
            out.add(new UnitModelCompliance(
                    unit,
                    model,
                    l[0],
                    l[1],
                    l[2],
                    (int) l[3],
                    Optional.ofNullable(approved.get(model)),
                    imeis,
                    l[4],
                    l[5]));
        });
        return out;
    }

    /** Compliance of one model over some devices. */
    public record ModelCompliance(
            String model,
            Optional<LocalDate> approvedPatchLevel,
            long devices,
            long reporting,
            long nonCompliant,
            int maxGapDays,
            int averageGapDays,
            int supplierDelayDays) {}

    /**
     * The fleet view: per model, the sum of that model's unit lines over the same devices — so the fleet
     * view and the unit views can never disagree.
     */
    @Transactional(readOnly = true)
    public List<ModelCompliance> compliance(List<InventoryDevices.Placed> devices) {
        java.util.Map<String, Integer> delays = releases.approvedSupplierDelays();
        java.util.Map<String, List<UnitModelCompliance>> byModel = new java.util.TreeMap<>();
        unitCompliance(devices)
                .forEach(l -> byModel.computeIfAbsent(l.model(), m -> new ArrayList<>())
                        .add(l));
        List<ModelCompliance> out = new ArrayList<>();
        byModel.forEach((model, lines) -> {
            long gapped = lines.stream()
                    .mapToLong(UnitModelCompliance::devicesWithGap)
                    .sum();
            long sum = lines.stream().mapToLong(UnitModelCompliance::sumGapDays).sum();
            out.add(new ModelCompliance(
                    model,
                    lines.get(0).approvedPatchLevel(),
                    lines.stream().mapToLong(UnitModelCompliance::devices).sum(),
                    lines.stream().mapToLong(UnitModelCompliance::reporting).sum(),
                    lines.stream().mapToLong(UnitModelCompliance::nonCompliant).sum(),
                    lines.stream()
                            .mapToInt(UnitModelCompliance::maxGapDays)
                            .max()
                            .orElse(0),
                    gapped == 0 ? 0 : (int) Math.round((double) sum / gapped),
                    delays.getOrDefault(model, 0)));
        });
        return out;
    }

    /** Reporting devices among these whose build no published release names. */
    @Transactional(readOnly = true)
    public long unknownBuildDevices(List<InventoryDevices.Placed> devices) {
        return releases.unknownBuildDevices(
                devices.stream().map(InventoryDevices.Placed::imei).toArray(String[]::new));
    }

    private java.util.Map<String, LocalDate> approvedLevels() {
        return releases.approvedLevels();
    }

    private Optional<Release> find(String id) {
        return releases.find(id);
    }

    private static LocalDate date(String text, String field, Validation v) {
        try {
            return LocalDate.parse(text == null ? "" : text);
        } catch (DateTimeException e) {
            v.check(false, field, "must be a date YYYY-MM-DD");
            return LocalDate.EPOCH;
        }
    }
}
