package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.order.money.Money;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Framework agreements: record, read (a supplier its own only), consumption. */
@Service
public class AgreementService {

    private static final Pattern ID = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,39}");
    private static final Pattern CODE = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,39}");
    private static final Set<String> PACK_TYPES =
            Set.of("SMARTPHONE_INDIVIDUAL", "TABLET_INDIVIDUAL", "TABLET_COLLECTIVE");

    private final AgreementRepository agreements;
    private final PackMover packs;
    /** Billing's figures; looked up when used (billing reads agreements through this service). */
    private final org.springframework.beans.factory.ObjectProvider<InvoicedMonths> invoiced;

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private final Clock clock;

    /** Runs in a transaction of its own, committed at once whatever the caller's does. */
    private final org.springframework.transaction.support.TransactionTemplate apart;

    public AgreementService(
            AgreementRepository agreements,
            PackMover packs,
            org.springframework.beans.factory.ObjectProvider<InvoicedMonths> invoiced,
            org.springframework.transaction.PlatformTransactionManager transactions,
            Optional<Clock> clock) {
        this.agreements = agreements;
        this.packs = packs;
        this.invoiced = invoiced;
        this.apart = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.apart.setPropagationBehavior(
                org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /**
     * Packs an agreement answers for against its maximum: those of its approved (or later) orders,
     * and those transferred in from a predecessor. Call it with the agreement's row locked.
     */
    public long committedPacks(Agreement a) {
        return agreements.committedPacks(a.id())
                + transferredIn(a.id(), true).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
    }

    /**
     * Packs transferred in, per type: as stored after the last transfer into the agreement — or, while a transfer
     * into it is unconfirmed (cut after inventory may have moved packs, before their count was stored), as
     * inventory counts them now, stored again when {@code store} (the agreement's row locked).
     */
    private Map<String, Long> transferredIn(String agreementId, boolean store) {
        if (!agreements.transferUnconfirmed(agreementId)) {
            return agreements.transferredPacks(agreementId);
        }
        Map<String, Long> now = packs.transferredInNow(agreementId);
        if (store) {
            agreements.replaceTransferredPacks(agreementId, now, clock.instant().truncatedTo(ChronoUnit.MICROS));
        }
        return now;
    }

    /**
     * What a transfer to a successor did: packs moved, and the successor. Its consumption is read once the
     * transfer is committed: reading it may ask inventory for statements (the successor's months invoiced more
     * than once), and a failure there must not undo the record of packs inventory has moved.
     */
    public record Transfer(long moved, String successorId) {}

    /**
     * Renewal (rule 13): from {@code date}, the packs of {@code agreementId} (all, or one type, or one
     * unit subtree) bill to {@code successorId}. The successor must be in force that day and the day
     * within this agreement's term or its end; it must price every pack type of this agreement's running
     * packs that would move (rule 13: a pack is billed at its type's price), and have room for them under
     * its maximum (rule 2: its packs as its consumption counts them, plus this agreement's running packs of
     * the types moved — with a unit filter all of them, an upper bound of those in the subtree), and an
     * effective date in a month already invoiced under either agreement (its statement is the invoice's). Refused,
     * nothing moves. Then inventory moves the packs (a repeat moves nothing), and the successor's count of
     * packs transferred in is read back and kept for its consumption.
     */
    @Transactional
    public Transfer transferToSuccessor(
            String agreementId,
            String successorId,
            LocalDate date,
            Optional<String> packType,
            Optional<String> unitCode,
            Caller caller) {
        Agreement from = get(agreementId, caller);
        Validation v = new Validation();
        v.check(date != null, "effective_date", "is required: the first day billed to the successor");
        v.check(
                successorId != null && !successorId.isBlank() && !successorId.equals(from.id()),
                "successor_id",
                "is required: another agreement");
        packType.ifPresent(t -> v.check(
                PACK_TYPES.contains(t),
                "pack_type",
                "must be SMARTPHONE_INDIVIDUAL, TABLET_INDIVIDUAL or TABLET_COLLECTIVE"));
        v.throwIfInvalid();
        // both agreements locked (in the order of their ids: two opposite transfers never deadlock): an invoice
        // posted for either waits for this transfer, and one posted before is seen below
        agreements.lockAll(List.of(from.id(), successorId));
        Agreement to = agreements
                .findForUpdate(successorId)
                .orElseThrow(() -> InvalidArgumentException.of("successor_id", "no agreement " + successorId));
        v.check(
                to.inTerm(date),
                "successor_id",
                "agreement " + to.id() + " is not in force on " + date + " (from " + to.notifiedOn() + " to "
                        + to.termEnd().minusDays(1) + ")");
        v.check(
                !date.isBefore(from.notifiedOn()) && !date.isAfter(from.termEnd()),
                "effective_date",
                "must fall within the term of " + from.id() + " (" + from.notifiedOn() + " to "
                        + from.termEnd().minusDays(1) + ") or be the day after it");
        v.throwIfInvalid();
        // a month the supplier has invoiced keeps its statement (rule 14): no day of it moves between agreements
        for (Agreement a : List.of(from, to)) {
            agreements
                    .latestInvoicedMonth(a.id())
                    .ifPresent(invoiced -> v.check(
                            java.time.YearMonth.from(date).isAfter(invoiced.month()),
                            "effective_date",
                            "moves days of " + java.time.YearMonth.from(date) + ", but " + a.id()
                                    + " is invoiced up to "
                                    + invoiced.month() + " (invoice " + invoiced.invoiceNumber()
                                    + "): a month invoiced keeps its statement, so the packs move on "
                                    + invoiced.month().plusMonths(1).atDay(1) + " at the earliest"));
        }
        v.throwIfInvalid();
        // what would move: this agreement's running packs of the type(s) asked (inventory counts the whole
        // agreement, not a unit subtree: with unit_code this is an upper bound)
        Map<String, Long> running = packs.running(from.id());
        Map<String, Long> moving = new TreeMap<>();
        running.forEach((type, n) -> {
            if (n > 0 && packType.map(type::equals).orElse(true)) {
                moving.put(type, n);
            }
        });
        Set<String> priced = new HashSet<>();
        to.priceSchedule().stream()
                .filter(i -> i.kind() == ItemKind.PACK_LEASE)
                .forEach(i -> i.packType().ifPresent(priced::add));
        moving.forEach((type, n) -> v.check(
                priced.contains(type),
                packType.isPresent() ? "pack_type" : "successor_id",
                to.id() + " prices no " + type + " pack (" + n + " running under " + from.id()
                        + " would be billed nowhere): transfer the other types by pack_type; " + type
                        + " packs go to an agreement with a pack-lease price for them"));
        v.throwIfInvalid();
        long incoming = moving.values().stream().mapToLong(Long::longValue).sum();
        long committed = committedPacks(to);
        if (incoming > 0 && incoming > to.maxPacks() - committed) {
            throw new PreconditionFailedException("transferring " + incoming + " running "
                    + String.join(", ", moving.keySet()) + " packs of " + from.id() + " would bring agreement "
                    + to.id() + " to " + (committed + incoming) + " packs, over its maximum of " + to.maxPacks()
                    + " (headroom " + (to.maxPacks() - committed) + ")"
                    + unitCode.map(u -> " (with unit_code " + u + " every running pack of " + from.id()
                                    + " of the type(s) moved is counted, an upper bound of those under " + u + ")")
                            .orElse(""));
        }
        // from here packs may move: should this call be cut before their count is stored below, the successor's
        // maximum and consumption ask inventory for it until a transfer into it completes
        apart.executeWithoutResult(
                s -> agreements.markTransferUnconfirmed(to.id(), clock.instant().truncatedTo(ChronoUnit.MICROS)));
        long moved = packs.move(from.id(), to.id(), date, packType, unitCode);
        agreements.replaceTransferredPacks(
                to.id(), packs.transferredIn(to.id()), clock.instant().truncatedTo(ChronoUnit.MICROS));
        agreements.confirmTransfer(to.id());
        return new Transfer(moved, to.id());
    }

    @Transactional
    public Agreement create(Agreement a, Caller caller) {
        Validation v = new Validation();
        v.check(
                a.id() != null && ID.matcher(a.id()).matches(),
                "agreement.id",
                "must be 2 to 40 upper-case letters, digits or '-'");
        v.required(a.title(), "agreement.title");
        v.check(
                a.supplierId() != null && ID.matcher(a.supplierId()).matches(),
                "agreement.supplier_id",
                "must be the supplier's id (upper-case letters, digits, '-')");
        v.required(a.supplierName(), "agreement.supplier_name");
        v.check(a.notifiedOn() != null, "agreement.notified_on", "is required");
        v.check(a.termMonths() >= 1 && a.termMonths() <= 120, "agreement.term_months", "must be 1 to 120");
        v.check(a.minPacks() >= 0, "agreement.min_packs", "must not be negative");
        v.check(
                a.maxPacks() >= a.minPacks() && a.maxPacks() > 0,
                "agreement.max_packs",
                "must be positive and at least min_packs");
        v.check(
                a.estimatedValue() != null && !a.estimatedValue().isNegative(),
                "agreement.estimated_value",
                "must be a non-negative amount");
        v.check(
                a.vatRate() != null && a.vatRate().signum() >= 0 && a.vatRate().compareTo(BigDecimal.ONE) < 0,
                "agreement.vat_rate",
                "must be a rate from 0 to 1, e.g. 0.20");
        a.budgets()
                .forEach((year, amount) -> v.check(
                        !amount.isNegative() && year >= 2000 && year <= 2100,
                        "agreement.budgets[" + year + "]",
                        "must be a non-negative amount for a year 2000..2100"));
        v.check(!a.priceSchedule().isEmpty(), "agreement.price_schedule", "must hold at least one item");
        Set<String> codes = new HashSet<>();
        // rule 13: a pack is billed at its type's price, so a type has one pack-lease line; a second one would
        // have the statement bill at one price and the detail export at the other
        Map<String, Integer> packLines = new HashMap<>();
        for (int i = 0; i < a.priceSchedule().size(); i++) {
            CatalogueItem item = a.priceSchedule().get(i);
            String at = "agreement.price_schedule[" + i + "].";
            v.check(
                    item.code() != null && CODE.matcher(item.code()).matches(),
                    at + "code",
                    "must be 2 to 40 upper-case letters, digits or '-'");
            v.check(item.code() == null || codes.add(item.code()), at + "code", "repeats an earlier item");
            v.check(item.kind() != null, at + "kind", "is required");
            v.check(
                    item.kind() != ItemKind.PATCH_SLA_DEDUCTION,
                    at + "kind",
                    "the patch SLA deduction is computed on statements, never priced");
            v.check(
                    !fr.interieur.neogend.order.billing.BillingService.PATCH_SLA_CODE.equals(item.code()),
                    at + "code",
                    "PATCH-SLA is the statements' patch SLA deduction line");
            v.check(
                    !fr.interieur.neogend.order.billing.BillingService.CSV_TOTALS_ROWS.contains(item.code()),
                    at + "code",
                    item.code() + " labels a totals row of the statement CSV, in the item-code column");
            v.required(item.label(), at + "label");
            v.check(
                    item.unitPrice() != null && !item.unitPrice().isNegative(),
                    at + "unit_price",
                    "must be a non-negative amount");
            if (item.kind() == ItemKind.PACK_LEASE) {
                v.check(
                        item.packType().filter(PACK_TYPES::contains).isPresent(),
                        at + "pack_type",
                        "is required for a pack lease: SMARTPHONE_INDIVIDUAL, TABLET_INDIVIDUAL or TABLET_COLLECTIVE");
                if (item.packType().filter(PACK_TYPES::contains).isPresent()) {
                    String type = item.packType().get();
                    Integer first = packLines.putIfAbsent(type, i);
                    v.check(
                            first == null,
                            at + "pack_type",
                            first == null
                                    ? ""
                                    : type + " is priced already by price_schedule[" + first + "] ("
                                            + a.priceSchedule().get(first).code()
                                            + "): one pack-lease line per pack type");
                }
            } else {
                v.check(item.packType().isEmpty(), at + "pack_type", "is only for pack leases");
            }
        }
        a.patchSla().ifPresent(sla -> {
            v.check(
                    sla.delayDays() >= 0 && sla.delayDays() <= 3650,
                    "agreement.patch_sla.delay_days",
                    "must be 0 to 3650 days");
            v.check(
                    sla.penaltyPerDay().map(p -> !p.isNegative()).orElse(true),
                    "agreement.patch_sla.penalty_per_day",
                    "must be a non-negative amount");
        });
        v.throwIfInvalid();
        if (!agreements.insert(a, caller.username())) {
            throw new AlreadyExistsException("an agreement " + a.id() + " exists already");
        }
        return agreements.find(a.id()).orElseThrow();
    }

    /** The agreement, if the caller may see it: staff see all; a supplier its own only (NOT_FOUND otherwise). */
    @Transactional(readOnly = true)
    public Agreement get(String id, Caller caller) {
        return agreements
                .find(id == null ? "" : id)
                .filter(a -> visibleTo(a, caller))
                .orElseThrow(() -> new NotFoundException("no agreement " + id));
    }

    /** One page of the agreements the caller may see: staff all of them, a supplier its own. */
    @Transactional(readOnly = true)
    public Page<Agreement> list(int pageSize, String pageToken, Caller caller) {
        PageRequest page = PageRequest.of(pageSize, pageToken, "");
        if (page.afterKey().filter(id -> !ID.matcher(id).matches()).isPresent()) { // forged: never sent to the database
            throw InvalidArgumentException.of("page_token", "is not a token of this listing");
        }
        Optional<String> supplier = caller.hasRole(Caller.SUPPLIER)
                ? Optional.of(caller.supplierId().filter(id -> !id.isBlank()).orElse("(no supplier id)"))
                : Optional.empty();
        List<Agreement> rows = agreements.ids(page.afterKey(), supplier, page.fetchSize()).stream()
                .map(id -> agreements.find(id).orElseThrow())
                .toList();
        return page.toPage(rows, Agreement::id, "");
    }

    public static boolean visibleTo(Agreement a, Caller caller) {
        if (!caller.hasRole(Caller.SUPPLIER)) {
            return true;
        }
        return caller.supplierId().filter(a.supplierId()::equals).isPresent();
    }

    @Transactional(readOnly = true)
    public Consumption consumption(String id, Caller caller) {
        Agreement a = get(id, caller);
        Map<String, Long> transferredIn = transferredIn(a.id(), false);
        long moved = transferredIn.values().stream().mapToLong(Long::longValue).sum();
        long ordered = agreements.committedPacks(a.id()) + moved;
        LocalDate today = LocalDate.now(clock.withZone(PARIS)); // the months begun, counted in Paris days
        // a month of the term begins on notified_on + k months, as the term end is counted (notified on 31 January:
        // 28 February, 31 March, 30 April…)
        long between = Math.max(0, ChronoUnit.MONTHS.between(a.notifiedOn(), today));
        if (!a.notifiedOn().plusMonths(between + 1).isAfter(today)) {
            between++; // ChronoUnit counts a month only once its day-of-month is reached: 30 April is not 31
        }
        long elapsed = Math.min(a.termMonths(), Math.max(1, between + 1));
        long forecast = ordered * a.termMonths() / elapsed;
        // every year with an envelope, a commitment or an invoice; each month invoiced counts its invoice in force
        Map<Integer, Money> committed = agreements.committedAmounts(a.id());
        Map<Integer, Money> invoiced = this.invoiced.getObject().invoicedPerYear(a, caller);
        Set<Integer> fiscalYears = new TreeSet<>(a.budgets().keySet());
        fiscalYears.addAll(committed.keySet());
        fiscalYears.addAll(invoiced.keySet());
        Map<Integer, Consumption.FiscalYear> years = new TreeMap<>();
        fiscalYears.forEach(y -> years.put(
                y,
                new Consumption.FiscalYear(
                        a.budget(y), committed.getOrDefault(y, Money.ZERO), invoiced.getOrDefault(y, Money.ZERO))));
        Map<String, Long> byType = new TreeMap<>(agreements.committedPacksByType(a.id()));
        transferredIn.forEach((type, n) -> byType.merge(type, n, Long::sum));
        return new Consumption(
                a.id(),
                ordered,
                a.maxPacks(),
                a.minPacks(),
                forecast,
                byType,
                years,
                agreements.receivedPacks(a.id()),
                invoiced.values().stream().reduce(Money.ZERO, Money::plus),
                moved);
    }
}
