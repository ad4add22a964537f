package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementRepository;
import fr.interieur.neogend.order.agreement.AgreementService;
import fr.interieur.neogend.order.agreement.CatalogueItem;
import fr.interieur.neogend.order.money.Money;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Purchase orders through their life (DOMAIN rules 1–4). Approval runs with the agreement's row
 * locked, so the maximum (rule 2) and the yearly envelope (rule 3) are checked against every other
 * approval, never against a stale sum: two orders approved at the same moment cannot jointly cross.
 */
@Service
public class PurchaseOrderService {

    /** As {@code nextNumber} writes it: one sequence over all years, at least six digits (BC-2026-1000000 too). */
    private static final Pattern NUMBER = Pattern.compile("BC-[0-9]{4}-[0-9]{6,12}");

    private static final Pattern PLAIN_TEXT = Pattern.compile("[^\\p{Cntrl}]{1,500}");
    private static final int MAX_LINES = 200;
    /** The largest amount in euros the contract takes (12 digits before the point), budgets included. */
    static final Money MAX_AMOUNT = Money.of("999999999999.99");

    /** Who moves an order to SENT in its history: the relay, once the supplier received it. */
    public static final String SUPPLIER_RELAY = "system:supplier-relay";

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private final PurchaseOrderRepository orders;
    private final AgreementRepository agreements;
    private final AgreementService agreementService;
    private final SupplierQueue supplierOutbox;
    private final Clock clock;

    public PurchaseOrderService(
            PurchaseOrderRepository orders,
            AgreementRepository agreements,
            AgreementService agreementService,
            SupplierQueue supplierOutbox,
            Optional<Clock> clock) {
        this.orders = orders;
        this.agreements = agreements;
        this.agreementService = agreementService;
        this.supplierOutbox = supplierOutbox;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** What a caller asks for in a new order. */
    public record NewLine(String itemCode, long quantity) {}

    /** Creates an order in DRAFT, priced from the agreement's schedule (rule 1). */
    @Transactional
    public PurchaseOrder create(
            String agreementId, String deliverySite, LocalDate requestedDate, List<NewLine> lines, Caller caller) {
        return create(agreementId, deliverySite, requestedDate, lines, Optional.empty(), caller);
    }

    /**
     * Creates an order in DRAFT, priced from the agreement's schedule (rule 1); under the Idempotency-Key a
     * service sent on its own behalf ({@code <service>:<key>}, ADR 0030), once for good: the order created under
     * that key before, whenever it was, is the answer (accessories' {@code stock-alert-<id>}: one draft per alert,
     * rule 15, however long after a lost answer the alert is proposed again; the kit forgets keys after 24 h).
     */
    @Transactional
    public PurchaseOrder create(
            String agreementId,
            String deliverySite,
            LocalDate requestedDate,
            List<NewLine> lines,
            Optional<String> serviceKey,
            Caller caller) {
        Optional<String> before = serviceKey.flatMap(orders::numberOfServiceKey);
        if (before.isPresent()) {
            return get(before.get(), caller);
        }
        Agreement agreement = agreementService.get(agreementId, caller);
        List<OrderLine> priced = checkAndPrice(agreement, deliverySite, requestedDate, lines);
        requireTermNotOver(agreement, "no order is created under it");
        int fiscalYear = requestedDate.getYear();
        Instant now = now();
        String number = orders.nextNumber(fiscalYear);
        OrderTransition created =
                new OrderTransition(Optional.empty(), OrderState.DRAFT, caller.username(), now, Optional.empty());
        PurchaseOrder order = new PurchaseOrder(
                number,
                agreement.id(),
                OrderState.DRAFT,
                deliverySite.trim(),
                requestedDate,
                fiscalYear,
                OrderPricing.amount(priced, requestedDate),
                OrderPricing.packs(priced),
                priced,
                List.of(created),
                now,
                0);
        orders.insert(order, caller.username());
        if (serviceKey.isPresent() && !orders.keepServiceKey(number, serviceKey.get())) {
            throw new ConcurrentChangeException("another request with Idempotency-Key "
                    + serviceKey.get().substring(serviceKey.get().indexOf(':') + 1)
                    + " created an order meanwhile; retry to be given it");
        }
        return orders.find(number).orElseThrow();
    }

    /**
     * The checks of a new order that need nothing but its agreement (site, date in the term, lines
     * from the price schedule, no repeats, quantities within the maximum), and its lines priced:
     * no database, so every hostile request can be tried on it (fuzz tests).
     *
     * @throws InvalidArgumentException naming every bad field
     */
    public static List<OrderLine> checkAndPrice(
            Agreement agreement, String deliverySite, LocalDate requestedDate, List<NewLine> lines) {
        Validation v = new Validation();
        v.check(
                deliverySite != null
                        && PLAIN_TEXT.matcher(deliverySite.trim()).matches()
                        && deliverySite.length() <= 300,
                "order.delivery_site",
                "is required: 1 to 300 characters of plain text");
        v.check(requestedDate != null, "order.requested_date", "is required");
        v.check(
                requestedDate == null || agreement.inTerm(requestedDate),
                "order.requested_date",
                "must fall inside the agreement's term, " + agreement.notifiedOn() + " to "
                        + agreement.termEnd().minusDays(1));
        v.check(!lines.isEmpty(), "order.lines", "at least one line is required");
        v.check(lines.size() <= MAX_LINES, "order.lines", "at most " + MAX_LINES + " lines");
        List<OrderLine> priced = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size() && i < MAX_LINES; i++) {
            NewLine line = lines.get(i);
            String at = "order.lines[" + i + "].";
            Optional<CatalogueItem> item = agreement.item(line.itemCode() == null ? "" : line.itemCode());
            v.check(item.isPresent(), at + "item_code", "is not in the price schedule of " + agreement.id());
            v.check(
                    line.itemCode() == null || seen.add(line.itemCode()),
                    at + "item_code",
                    "repeats an earlier line; put the quantities together");
            v.check(
                    line.quantity() > 0 && line.quantity() <= agreement.maxPacks(),
                    at + "quantity",
                    "must be 1 to " + agreement.maxPacks());
            item.ifPresent(it ->
                    priced.add(new OrderLine(it.code(), it.kind(), it.packType(), line.quantity(), it.unitPrice())));
        }
        if (requestedDate != null && priced.size() == lines.size()) {
            // what the order commits is an amount in euros as budgets, statements and invoices hold them
            Money amount = OrderPricing.amount(priced, requestedDate);
            v.check(
                    !amount.isGreaterThan(MAX_AMOUNT),
                    "order.lines",
                    "would commit " + amount + " excl. tax in " + requestedDate.getYear()
                            + "; an order commits at most " + MAX_AMOUNT);
        }
        v.throwIfInvalid();
        return priced;
    }

    /** The order, if the caller may see it (a supplier: its agreement's orders once sent); NOT_FOUND otherwise. */
    @Transactional(readOnly = true)
    public PurchaseOrder get(String number, Caller caller) {
        if (number == null || !NUMBER.matcher(number).matches()) {
            throw InvalidArgumentException.of("number", "is not an order number (BC-yyyy-nnnnnn, six digits or more)");
        }
        return orders.find(number)
                .filter(o -> visibleTo(o, caller))
                .orElseThrow(() -> new NotFoundException("no purchase order " + number));
    }

    private boolean visibleTo(PurchaseOrder order, Caller caller) {
        if (!caller.hasRole(Caller.SUPPLIER)) {
            return true;
        }
        boolean reachedIt = OrderState.SUPPLIER_VISIBLE.contains(order.state())
                || order.state() == OrderState.CANCELLED
                        && order.transitions().stream().anyMatch(t -> t.to() == OrderState.SENT);
        return reachedIt
                && caller.supplierId()
                        .map(agreements::idsOfSupplier)
                        .orElse(List.of())
                        .contains(order.agreementId());
    }

    private boolean ofCallersAgreements(PurchaseOrder order, Caller caller) {
        return caller.hasRole(Caller.SUPPLIER)
                && caller.supplierId()
                        .map(agreements::idsOfSupplier)
                        .orElse(List.of())
                        .contains(order.agreementId());
    }

    @Transactional(readOnly = true)
    public Page<PurchaseOrder> list(
            Optional<OrderState> state, Optional<String> agreementId, int pageSize, String pageToken, Caller caller) {
        String filters = PageRequest.filters(state.map(Enum::name).orElse(""), agreementId.orElse(""));
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        List<String> ids;
        Set<OrderState> states;
        if (caller.hasRole(Caller.SUPPLIER)) {
            ids = caller.supplierId().map(agreements::idsOfSupplier).orElse(List.of());
            states = EnumSet.copyOf(OrderState.SUPPLIER_VISIBLE);
            states.add(OrderState.CANCELLED); // those cancelled after they were sent (the repository checks)
        } else {
            ids = List.of();
            states = EnumSet.allOf(OrderState.class);
        }
        if (agreementId.isPresent()) {
            if (caller.hasRole(Caller.SUPPLIER) && !ids.contains(agreementId.get())) {
                return page.toPage(List.of(), PurchaseOrderService::cursor, filters);
            }
            ids = List.of(agreementId.get());
        } else if (caller.hasRole(Caller.SUPPLIER) && ids.isEmpty()) {
            return page.toPage(List.of(), PurchaseOrderService::cursor, filters);
        }
        return page.toPage(
                orders.list(state, ids, states, caller.hasRole(Caller.SUPPLIER), page.afterKey(), page.fetchSize()),
                PurchaseOrderService::cursor,
                filters);
    }

    static String cursor(PurchaseOrder o) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, o.createdAt()) + "|" + o.number();
    }

    /**
     * The order, if the caller may see it, with its row locked until the transaction ends (deliveries
     * and receptions of one order then run one after the other).
     */
    @Transactional
    public PurchaseOrder lockVisible(String number, Caller caller) {
        get(number, caller);
        orders.lock(number);
        return orders.find(number).orElseThrow();
    }

    /**
     * The supplier acknowledges one of its sent orders (SENT → ACKNOWLEDGED). Its acknowledgement may overtake
     * our record that it received the order: it waits while the relay is sending the order, and an order the
     * relay tried without a confirmed answer (cut at the time limit, lost, a 5xx) is recorded SENT by this
     * acknowledgement first — never sent again. One never tried, or refused, stays out of the supplier's reach.
     */
    @Transactional
    public PurchaseOrder acknowledge(String number, Optional<String> supplierReference, Caller caller) {
        supplierReference.ifPresent(r -> requireReason(r, "supplier_reference"));
        if (number != null && NUMBER.matcher(number).matches()) {
            Optional<PurchaseOrder> ofItsAgreement = orders.find(number).filter(o -> ofCallersAgreements(o, caller));
            if (ofItsAgreement.isPresent()) {
                supplierOutbox.holdOrder(number); // the outbox row before the order's, as the relay does
                PurchaseOrder order = orders.find(number).orElseThrow();
                if (order.state() == OrderState.APPROVED && supplierOutbox.receivedAsAcknowledged(number)) {
                    OrderTransition sent = new OrderTransition(
                            Optional.of(order.state()),
                            OrderLifecycle.next(number, order.state(), OrderAction.MARK_SENT),
                            caller.username(),
                            now(),
                            Optional.of("received: the supplier acknowledged it before its receipt was confirmed"));
                    if (!orders.changeState(number, order.version(), sent)) {
                        throw new ConcurrentChangeException(
                                "order " + number + " changed meanwhile; read it again and retry");
                    }
                }
            }
        }
        return transition(
                number,
                OrderAction.ACKNOWLEDGE,
                OptionalLong.empty(),
                supplierReference.map(r -> "supplier reference " + r.trim()),
                caller);
    }

    /** A reception of the order's deliveries: DELIVERED when every line is received in full. */
    @Transactional
    public PurchaseOrder recordReception(String number, boolean complete, Caller caller) {
        return transition(
                number,
                complete ? OrderAction.DELIVER_ALL : OrderAction.DELIVER_PART,
                OptionalLong.empty(),
                Optional.empty(),
                caller);
    }

    @Transactional
    public PurchaseOrder submit(String number, OptionalLong expectedVersion, Caller caller) {
        return transition(number, OrderAction.SUBMIT, expectedVersion, Optional.empty(), caller);
    }

    /**
     * Approves a submitted order: within the maximum always (rule 2), within the fiscal year's envelope
     * unless a fleet manager overrides it with a reason (rule 3), recorded with the transition.
     */
    @Transactional
    public PurchaseOrder approve(
            String number, OptionalLong expectedVersion, Optional<String> overrideReason, Caller caller) {
        PurchaseOrder order = get(number, caller);
        overrideReason.ifPresent(r -> requireReason(r, "budget_override_reason"));
        Agreement agreement = agreements.findForUpdate(order.agreementId()).orElseThrow();
        // re-read under the agreement lock: a concurrent change of this order is seen now
        order = orders.find(number).orElseThrow();
        OrderLifecycle.next(number, order.state(), OrderAction.APPROVE);
        requireTermNotOver(agreement, "order " + number + " is not approved under it");
        // its orders' packs and those transferred in from a predecessor both count against the maximum
        long committed = agreementService.committedPacks(agreement);
        if (committed + order.packCount() > agreement.maxPacks()) {
            throw new PreconditionFailedException("approving " + number + " (" + order.packCount()
                    + " packs) would bring agreement " + agreement.id() + " to " + (committed + order.packCount())
                    + " packs, over its maximum of " + agreement.maxPacks() + " (headroom "
                    + (agreement.maxPacks() - committed) + ")");
        }
        Money budget = agreement.budget(order.fiscalYear());
        Money after =
                agreements.committedAmount(agreement.id(), order.fiscalYear()).plus(order.amount());
        Optional<String> reason = Optional.empty();
        if (after.isGreaterThan(budget)) {
            if (overrideReason.isEmpty()) {
                throw new PreconditionFailedException("approving " + number + " (" + order.amount()
                        + " excl. tax) would commit " + after + " in " + order.fiscalYear() + ", over its envelope of "
                        + budget + "; a fleet manager may approve it with budget_override_reason");
            }
            reason = Optional.of(
                    "budget override (" + after + " committed in " + order.fiscalYear() + " for an envelope of "
                            + budget + "): " + overrideReason.get().trim());
        }
        PurchaseOrder approved = apply(order, OrderAction.APPROVE, expectedVersion, reason, caller);
        supplierOutbox.enqueue(approved, now()); // same transaction: approved means queued for the supplier
        return approved;
    }

    /**
     * Records that the supplier received an approved order (APPROVED → SENT), in the relay's
     * transaction. An order cancelled meanwhile stays cancelled.
     */
    @Transactional
    public void markSent(String number, String supplierReference) {
        PurchaseOrder order = orders.find(number).orElseThrow();
        if (order.state() != OrderState.APPROVED) {
            return;
        }
        OrderTransition t = new OrderTransition(
                Optional.of(order.state()),
                OrderLifecycle.next(number, order.state(), OrderAction.MARK_SENT),
                SUPPLIER_RELAY,
                now(),
                Optional.of("supplier reference " + supplierReference));
        if (!orders.changeState(number, order.version(), t)) {
            throw new ConcurrentChangeException("order " + number + " changed while it was being sent; retrying");
        }
    }

    @Transactional
    public PurchaseOrder reject(String number, OptionalLong expectedVersion, String reason, Caller caller) {
        return transition(
                number, OrderAction.REJECT, expectedVersion, Optional.of(requireReason(reason, "reason")), caller);
    }

    /**
     * Cancels an order before acknowledgement. One still waiting for the supplier is withdrawn from the
     * outbox in the same transaction, so it is never sent after its cancellation; one the supplier
     * received already (SENT) has its cancellation queued for the supplier, through the same outbox.
     * The order's outbox row is locked before its own row, as the relay does (outbox row, then
     * markSent): a cancellation arriving while the relay sends the order waits for the send to end,
     * then cancels a SENT order and tells the supplier — never a deadlock.
     */
    @Transactional
    public PurchaseOrder cancel(String number, OptionalLong expectedVersion, String reason, Caller caller) {
        get(number, caller); // a number the caller may see, before any lock
        supplierOutbox.holdOrder(number);
        PurchaseOrder cancelled = transition(
                number, OrderAction.CANCEL, expectedVersion, Optional.of(requireReason(reason, "reason")), caller);
        supplierOutbox.cancelled(cancelled, reason.trim(), now());
        return cancelled;
    }

    @Transactional
    public PurchaseOrder close(String number, OptionalLong expectedVersion, Caller caller) {
        return transition(number, OrderAction.CLOSE, expectedVersion, Optional.empty(), caller);
    }

    private PurchaseOrder transition(
            String number, OrderAction action, OptionalLong expectedVersion, Optional<String> reason, Caller caller) {
        return apply(get(number, caller), action, expectedVersion, reason, caller);
    }

    private PurchaseOrder apply(
            PurchaseOrder order,
            OrderAction action,
            OptionalLong expectedVersion,
            Optional<String> reason,
            Caller caller) {
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != order.version()) {
            throw new ConcurrentChangeException("order " + order.number() + " is at version " + order.version()
                    + ", not " + expectedVersion.getAsLong() + ": it changed since you read it; read it again");
        }
        OrderState next = OrderLifecycle.next(order.number(), order.state(), action);
        OrderTransition t = new OrderTransition(Optional.of(order.state()), next, caller.username(), now(), reason);
        if (!orders.changeState(order.number(), order.version(), t)) {
            throw new ConcurrentChangeException("order " + order.number()
                    + " changed meanwhile (another change came first); read it again and retry");
        }
        return orders.find(order.number()).orElseThrow();
    }

    /**
     * Rule 1: an order is made within its agreement's term. Once the term's last day is over in Paris, an order
     * created or approved would go to the supplier and never be received (receptions are refused outside the
     * term). Before the term starts, orders may be prepared (a successor ordered ahead of its term).
     */
    private void requireTermNotOver(Agreement agreement, String consequence) {
        LocalDate today = LocalDate.now(clock.withZone(PARIS));
        if (!today.isBefore(agreement.termEnd())) {
            throw new PreconditionFailedException("agreement " + agreement.id() + " (in force from "
                    + agreement.notifiedOn() + " to " + agreement.termEnd().minusDays(1) + ") is over on "
                    + today + " (Paris): " + consequence);
        }
    }

    private static String requireReason(String reason, String field) {
        if (reason == null || !PLAIN_TEXT.matcher(reason.trim()).matches()) {
            throw InvalidArgumentException.of(field, "is required: 1 to 500 characters of plain text");
        }
        return reason.trim();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
