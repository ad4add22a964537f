package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementService;
import fr.interieur.neogend.order.agreement.CatalogueItem;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Monthly lease statements (DOMAIN rule 13) and the reconciliation of the supplier's invoices against
 * them (rule 14), in exact decimal arithmetic: a pack-lease line is its monthly price × the month's
 * pack-days ÷ the days in the month, rounded half up to the cent once per line; the total is the sum
 * of the lines; items received in the month are billed at their ordered price, training days
 * delivered in the month (the training service) at the agreement's training-day price; the VAT is
 * the total × the rate, rounded half up to the cent.
 */
@Service
public class BillingService implements fr.interieur.neogend.order.agreement.InvoicedMonths {

    private static final Pattern NUMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");

    /** Item code of the patch SLA deduction line; no price schedule may use it. */
    public static final String PATCH_SLA_CODE = "PATCH-SLA";

    static final String CSV_TOTAL_EXCL_TAX = "TOTAL_EXCL_TAX";
    static final String CSV_VAT = "VAT";
    static final String CSV_TOTAL_INCL_TAX = "TOTAL_INCL_TAX";

    /**
     * The statement CSV's totals rows, labelled in its item-code column: no price-schedule item may be coded as
     * one, or a reader could not tell the item from the totals.
     */
    public static final java.util.Set<String> CSV_TOTALS_ROWS =
            java.util.Set.of(CSV_TOTAL_EXCL_TAX, CSV_VAT, CSV_TOTAL_INCL_TAX);

    private final AgreementService agreements;
    private final LeaseIntervalSource leases;
    private final TrainingDaysSource training;
    private final BillingRepository billing;
    private final PatchSlaService patchSla;
    private final Clock clock;

    public BillingService(
            AgreementService agreements,
            LeaseIntervalSource leases,
            TrainingDaysSource training,
            BillingRepository billing,
            PatchSlaService patchSla,
            Optional<Clock> clock) {
        this.patchSla = patchSla;
        this.agreements = agreements;
        this.leases = leases;
        this.training = training;
        this.billing = billing;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The statement of a month; packs come from inventory on the caller's behalf. */
    @Transactional(readOnly = true)
    public Statement statement(String agreementId, int year, int month, Caller caller) {
        Agreement agreement = agreements.get(agreementId, caller);
        YearMonth ym = inTerm(agreement, month(year, month));
        Map<String, long[]> perType = new TreeMap<>(); // pack type -> {packs with a billed day, days}
        for (LeaseIntervalSource.TypeDays t : leases.sumPerType(agreement.id(), year, month)) {
            perType.put(t.packType(), new long[] {t.packs(), t.billedDays()});
        }
        int days = ym.lengthOfMonth();
        List<Statement.Line> lines = new ArrayList<>();
        for (Map.Entry<String, long[]> e : perType.entrySet()) {
            CatalogueItem item = agreement.priceSchedule().stream()
                    .filter(i -> i.kind() == ItemKind.PACK_LEASE
                            && i.packType().filter(e.getKey()::equals).isPresent())
                    .findFirst()
                    .orElseThrow(() -> new PreconditionFailedException("packs of type " + e.getKey()
                            + " are leased but agreement " + agreement.id() + " has no price for them"));
            Money amount = item.unitPrice().prorated(e.getValue()[1], days);
            lines.add(new Statement.Line(
                    item.code(),
                    item.kind(),
                    item.label(),
                    e.getValue()[0],
                    e.getValue()[1],
                    item.unitPrice(),
                    amount));
        }
        Map<String, Statement.Line> items = new TreeMap<>();
        for (BillingRepository.Received r : billing.receivedIn(agreement.id(), ym)) {
            CatalogueItem item = agreement.item(r.itemCode()).orElseThrow();
            Money amount = r.unitPrice().times(r.quantity());
            // the same item bought at one price on every order of the agreement: lines merge by code
            items.merge(
                    r.itemCode(),
                    new Statement.Line(r.itemCode(), item.kind(), item.label(), r.quantity(), 0, r.unitPrice(), amount),
                    (a, b) -> new Statement.Line(
                            a.itemCode(),
                            a.kind(),
                            a.label(),
                            a.quantity() + b.quantity(),
                            0,
                            a.unitPrice(),
                            a.amount().plus(b.amount())));
        }
        lines.addAll(items.values());
        lines.addAll(trainingLines(agreement, ym));
        patchSlaDeduction(agreement, ym).ifPresent(lines::add);
        Money total = lines.stream().map(Statement.Line::amount).reduce(Money.ZERO, Money::plus);
        Money vat = total.at(agreement.vatRate());
        return new Statement(
                agreement.id(), year, month, days, lines, total, agreement.vatRate(), vat, total.plus(vat));
    }

    /**
     * Training days delivered in the month for the courses billed to this agreement, one line per
     * course (rule 13): its days × the price of its TRAINING_DAY line.
     */
    private List<Statement.Line> trainingLines(Agreement agreement, YearMonth ym) {
        Map<String, long[]> days = new TreeMap<>(); // course -> {days}
        Map<String, TrainingDaysSource.Delivered> courses = new TreeMap<>();
        training.delivered(agreement.id(), ym.getYear(), ym.getMonthValue()).forEach(d -> {
            days.computeIfAbsent(d.courseCode(), c -> new long[1])[0] += d.days();
            courses.putIfAbsent(d.courseCode(), d);
        });
        List<Statement.Line> lines = new ArrayList<>();
        days.forEach((course, n) -> {
            TrainingDaysSource.Delivered d = courses.get(course);
            // courses are checked against the agreement when created: a line missing since is a data error
            CatalogueItem item = agreement
                    .item(d.agreementItemCode())
                    .filter(i -> i.kind() == ItemKind.TRAINING_DAY)
                    .orElseThrow(() -> new PreconditionFailedException("course " + course + " is billed at "
                            + d.agreementItemCode() + " but agreement " + agreement.id() + " has no training-day price "
                            + "with that code"));
            lines.add(new Statement.Line(
                    item.code(),
                    item.kind(),
                    d.courseTitle().isBlank() ? item.label() : d.courseTitle(),
                    n[0],
                    0,
                    item.unitPrice(),
                    item.unitPrice().times(n[0]),
                    Optional.of(course)));
        });
        return lines;
    }

    /**
     * The deduction for the supplier's late days (issue 20) when the agreement's patch SLA clause has a
     * rate: the late days of the releases published in the month × the rate, as one negative line naming
     * the late releases. Telemetry is asked only then.
     */
    private Optional<Statement.Line> patchSlaDeduction(Agreement agreement, YearMonth ym) {
        Optional<Money> rate = agreement.patchSla().flatMap(Agreement.PatchSlaClause::penaltyPerDay);
        if (rate.isEmpty()) {
            return Optional.empty();
        }
        PatchSla sla = patchSla.of(agreement);
        return sla.month(ym).filter(m -> m.lateDays() > 0).map(m -> {
            StringBuilder late = new StringBuilder();
            sla.releases().stream()
                    .filter(r ->
                            r.lateDays() > 0 && YearMonth.from(r.publishedOn()).equals(ym))
                    .forEach(r -> late.append(late.isEmpty() ? "" : ", ")
                            .append(r.timeline().releaseId())
                            .append(' ')
                            .append(r.lateDays())
                            .append(" d"));
            String label = "Patch SLA: " + m.lateDays() + " late days (" + late + ")";
            return new Statement.Line(
                    PATCH_SLA_CODE,
                    ItemKind.PATCH_SLA_DEDUCTION,
                    label.length() > 200 ? label.substring(0, 199) + "…" : label,
                    m.lateDays(),
                    0,
                    rate.get(),
                    Money.ZERO.minus(m.penalty()));
        });
    }

    /** The month, if the agreement's term covers at least one of its days; INVALID_ARGUMENT otherwise. */
    static YearMonth inTerm(Agreement agreement, YearMonth ym) {
        YearMonth first = YearMonth.from(agreement.notifiedOn());
        YearMonth last = YearMonth.from(agreement.termEnd().minusDays(1));
        if (ym.isBefore(first) || ym.isAfter(last)) {
            throw InvalidArgumentException.of(
                    "month",
                    "agreement " + agreement.id() + " runs from "
                            + agreement.notifiedOn() + " to "
                            + agreement.termEnd().minusDays(1) + ": " + ym
                            + " is outside its term");
        }
        return ym;
    }

    /** Size of the pieces the detail export is handed out in. */
    static final int DETAIL_CHUNK_CHARS = 64 * 1024;

    /**
     * The per-pack detail of a month's statement (rule 13) as CSV: every pack with days billed to the
     * agreement, its type, unit, device(s), first and last billed day, billed days and monthly price.
     * Handed to {@code chunks} piece by piece (about 64 KB each) as inventory streams the packs, so
     * the whole fleet is never held in memory; nothing is handed out before the request is checked
     * (a supplier gets its own agreements', NOT_FOUND otherwise; a month outside the term is refused).
     */
    public void detailCsv(String agreementId, int year, int month, Caller caller, Consumer<String> chunks) {
        Agreement agreement = agreements.get(agreementId, caller);
        inTerm(agreement, month(year, month));
        Map<String, String> prices = new HashMap<>();
        agreement.priceSchedule().stream()
                .filter(i -> i.kind() == ItemKind.PACK_LEASE)
                .forEach(i ->
                        i.packType().ifPresent(t -> prices.put(t, i.unitPrice().toString())));
        StringBuilder out = new StringBuilder(DETAIL_CHUNK_CHARS + 512)
                .append(
                        "pack_id,pack_type,unit_code,device_imeis,billed_from,billed_until,billed_days,monthly_price\r\n");
        leases.forEach(agreement.id(), year, month, i -> {
            out.append(i.packId())
                    .append(',')
                    .append(i.packType())
                    .append(',')
                    .append(i.unitCode())
                    .append(',')
                    .append(String.join(" ", i.deviceImeis()))
                    .append(',')
                    .append(i.from() == null ? "" : i.from())
                    .append(',')
                    .append(i.until() == null ? "" : i.until().minusDays(1))
                    .append(',')
                    .append(i.billedDays())
                    .append(',')
                    .append(prices.getOrDefault(i.packType(), ""))
                    .append("\r\n");
            if (out.length() >= DETAIL_CHUNK_CHARS) {
                chunks.accept(out.toString());
                out.setLength(0);
            }
        });
        if (!out.isEmpty()) {
            chunks.accept(out.toString());
        }
    }

    /** The supplier posts its invoice of a month for its own agreement. */
    @Transactional
    public Invoice createInvoice(String agreementId, Invoice request, Caller caller) {
        Agreement agreement = agreements.get(agreementId, caller);
        Validation v = new Validation();
        v.check(
                request.invoiceNumber() != null
                        && NUMBER.matcher(request.invoiceNumber()).matches(),
                "invoice.invoice_number",
                "is required: 1 to 64 letters, digits, '.', '_', '/' or '-'");
        v.check(request.month() >= 1 && request.month() <= 12, "invoice.month", "must be 1 to 12");
        v.check(request.year() >= 2000 && request.year() <= 2100, "invoice.year", "must be 2000 to 2100");
        v.check(!request.lines().isEmpty(), "invoice.lines", "at least one line is required");
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < request.lines().size(); i++) {
            Invoice.Line l = request.lines().get(i);
            String at = "invoice.lines[" + i + "].";
            // the patch SLA deduction, when the agreement's clause has a rate, is the one line below zero
            boolean deduction = PATCH_SLA_CODE.equals(l.itemCode())
                    && agreement
                            .patchSla()
                            .flatMap(Agreement.PatchSlaClause::penaltyPerDay)
                            .isPresent();
            v.check(
                    l.itemCode() != null
                            && (deduction || agreement.item(l.itemCode()).isPresent()),
                    at + "item_code",
                    "is not in the price schedule of " + agreement.id());
            v.check(l.itemCode() == null || codes.add(l.itemCode()), at + "item_code", "repeats an earlier line");
            // no statement line is of nothing (rule 14): a line of 0 could only be a difference from it
            v.check(
                    l.quantity() >= 1,
                    at + "quantity",
                    "must be at least 1: leave out an item this invoice does not bill (no statement line is of"
                            + " quantity 0)");
            v.check(
                    l.amount() != null
                            && (deduction
                                    ? !l.amount().isGreaterThan(Money.ZERO)
                                    : !l.amount().isNegative()),
                    at + "amount",
                    deduction ? "the patch SLA deduction must not be positive" : "must not be negative");
        }
        if (request.month() >= 1 && request.month() <= 12 && request.year() >= 2000 && request.year() <= 2100) {
            YearMonth ym = YearMonth.of(request.year(), request.month());
            v.check(
                    !ym.isBefore(YearMonth.from(agreement.notifiedOn()))
                            && !ym.isAfter(YearMonth.from(agreement.termEnd().minusDays(1))),
                    "invoice.month",
                    "is outside the term of " + agreement.id() + " (" + agreement.notifiedOn() + " to "
                            + agreement.termEnd().minusDays(1) + ")");
            // a month is billed by its days (rule 13), so it is invoiced once it is over — and an invoice of a
            // month to come would also hold every transfer of packs until then
            YearMonth current = YearMonth.now(clock.withZone(PatchSla.PARIS));
            v.check(
                    ym.isBefore(current),
                    "invoice.month",
                    ym + " is not over (Paris time): it is invoiced from "
                            + ym.plusMonths(1).atDay(1));
        }
        Money sum = request.lines().stream()
                .map(Invoice.Line::amount)
                .filter(java.util.Objects::nonNull)
                .reduce(Money.ZERO, Money::plus);
        v.check(
                sum.equals(request.totalExclTax()),
                "invoice.total_excl_tax",
                "must be the sum of the lines' amounts, " + sum);
        v.throwIfInvalid();
        Invoice invoice = new Invoice(
                billing.nextInvoiceId(),
                agreement.id(),
                request.invoiceNumber(),
                request.year(),
                request.month(),
                request.lines(),
                request.totalExclTax(),
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        if (!billing.insert(invoice, caller.username())) {
            throw new AlreadyExistsException(
                    "invoice " + request.invoiceNumber() + " was posted already for " + agreement.id());
        }
        return billing.findInvoice(invoice.id()).orElseThrow();
    }

    /** Compares an invoice with our statement of its month, line by line (rule 14). */
    @Transactional(readOnly = true)
    public Reconciliation reconcile(String invoiceId, Caller caller) {
        if (invoiceId == null || !invoiceId.matches("INV-[0-9]{6,12}")) {
            throw InvalidArgumentException.of("id", "is not an invoice id (INV- and 6 digits)");
        }
        Invoice invoice =
                billing.findInvoice(invoiceId).orElseThrow(() -> new NotFoundException("no invoice " + invoiceId));
        Statement statement = statement(invoice.agreementId(), invoice.year(), invoice.month(), caller);
        Map<String, Statement.Line> ours = byCode(statement);
        List<Reconciliation.Line> lines = compare(ours, invoice);
        // the first invoice of the month that matches is the month's: a later one matching too would be paid twice
        java.util.Optional<String> invoicedBy = billing.invoicesPostedBefore(invoice).stream()
                .filter(earlier -> matches(compare(ours, earlier), statement, earlier))
                .map(Invoice::id)
                .findFirst();
        boolean matches = invoicedBy.isEmpty() && matches(lines, statement, invoice);
        return new Reconciliation(
                invoice.id(), matches, lines, statement.totalExclTax(), invoice.totalExclTax(), invoicedBy);
    }

    /**
     * Per year, each invoiced month's invoice in force: the first posted that matches the statement (the one
     * reconciliation takes as the month's: one posted after it never matches); when none does, the latest
     * posted (an invoice that did not match is replaced by the corrected one under a new number). A month
     * with one invoice counts it without a statement.
     */
    @Override
    @Transactional(readOnly = true)
    public Map<Integer, Money> invoicedPerYear(Agreement agreement, Caller caller) {
        Map<YearMonth, List<Invoice>> byMonth = new TreeMap<>();
        billing.invoicesOf(agreement.id())
                .forEach(i -> byMonth.computeIfAbsent(YearMonth.of(i.year(), i.month()), m -> new ArrayList<>())
                        .add(i));
        Map<Integer, Money> perYear = new TreeMap<>();
        byMonth.forEach((ym, posted) ->
                perYear.merge(ym.getYear(), inForce(agreement, posted, caller).totalExclTax(), Money::plus));
        return perYear;
    }

    private Invoice inForce(Agreement agreement, List<Invoice> posted, Caller caller) {
        if (posted.size() == 1) {
            return posted.getFirst();
        }
        Statement statement = statement(
                agreement.id(), posted.getFirst().year(), posted.getFirst().month(), caller);
        Map<String, Statement.Line> ours = byCode(statement);
        return posted.stream()
                .filter(i -> matches(compare(ours, i), statement, i))
                .findFirst()
                .orElse(posted.getLast());
    }

    /** The statement's lines by item code: courses of one price line together, as invoices have them. */
    private static Map<String, Statement.Line> byCode(Statement statement) {
        Map<String, Statement.Line> ours = new TreeMap<>();
        statement
                .lines()
                .forEach(l -> ours.merge(
                        l.itemCode(),
                        l,
                        (a, b) -> new Statement.Line(
                                a.itemCode(),
                                a.kind(),
                                a.label(),
                                a.quantity() + b.quantity(),
                                a.billedDays() + b.billedDays(),
                                a.unitPrice(),
                                a.amount().plus(b.amount()))));
        return ours;
    }

    private static boolean matches(List<Reconciliation.Line> lines, Statement statement, Invoice invoice) {
        return lines.stream().allMatch(l -> l.status() == Reconciliation.Status.MATCHES)
                && statement.totalExclTax().equals(invoice.totalExclTax());
    }

    private static List<Reconciliation.Line> compare(Map<String, Statement.Line> ours, Invoice invoice) {
        Map<String, Invoice.Line> theirs = new TreeMap<>();
        invoice.lines().forEach(l -> theirs.put(l.itemCode(), l));
        Set<String> codes = new TreeSet<>(ours.keySet());
        codes.addAll(theirs.keySet());
        List<Reconciliation.Line> lines = new ArrayList<>();
        for (String code : codes) {
            Statement.Line o = ours.get(code);
            Invoice.Line t = theirs.get(code);
            long oq = o == null ? 0 : o.quantity();
            long tq = t == null ? 0 : t.quantity();
            Money oa = o == null ? Money.ZERO : o.amount();
            Money ta = t == null ? Money.ZERO : t.amount();
            Reconciliation.Status status = o == null
                    ? Reconciliation.Status.NOT_IN_STATEMENT
                    : t == null
                            ? Reconciliation.Status.NOT_INVOICED
                            : oq == tq && oa.equals(ta) ? Reconciliation.Status.MATCHES : Reconciliation.Status.DIFFERS;
            lines.add(new Reconciliation.Line(code, oq, tq, oa, ta, status));
        }
        return lines;
    }

    private static YearMonth month(int year, int month) {
        try {
            if (year < 2000 || year > 2100) {
                throw InvalidArgumentException.of("year", "must be 2000 to 2100");
            }
            return YearMonth.of(year, month);
        } catch (DateTimeException e) {
            throw InvalidArgumentException.of("month", "must be 1 to 12");
        }
    }

    /**
     * The statement as CSV (RFC 4180, UTF-8, '.' decimals): a header, the lines, then the totals. The
     * last column names the course of a training line (one line per course, several may share a price).
     */
    public static String csv(Statement s) {
        StringBuilder out = new StringBuilder(
                "item_code,kind,label,quantity,billed_days,unit_price,amount_excl_tax,course_code\r\n");
        for (Statement.Line l : s.lines()) {
            out.append(l.itemCode())
                    .append(',')
                    .append(l.kind())
                    .append(',')
                    .append(quote(l.label()))
                    .append(',')
                    .append(l.quantity())
                    .append(',')
                    .append(l.billedDays())
                    .append(',')
                    .append(l.unitPrice())
                    .append(',')
                    .append(l.amount())
                    .append(',')
                    .append(l.courseCode().orElse(""))
                    .append("\r\n");
        }
        out.append(CSV_TOTAL_EXCL_TAX).append(",,,,,,").append(s.totalExclTax()).append(",\r\n");
        out.append(CSV_VAT)
                .append(",,")
                .append(quote("VAT " + s.vatRate().stripTrailingZeros().toPlainString()))
                .append(",,,,")
                .append(s.vat())
                .append(",\r\n");
        out.append(CSV_TOTAL_INCL_TAX).append(",,,,,,").append(s.totalInclTax()).append(",\r\n");
        return out.toString();
    }

    private static String quote(String text) {
        String safe = text.startsWith("=") || text.startsWith("+") || text.startsWith("-") || text.startsWith("@")
                ? "'" + text
                : text; // no formula injection when opened in a spreadsheet
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
}
