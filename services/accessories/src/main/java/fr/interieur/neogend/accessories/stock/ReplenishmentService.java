package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a stock alert into a replenishment draft order in the order service (DOMAIN rule 15): one alert,
 * one draft. The first proposal of an alert (the draft's line, site and day) is recorded in a transaction of
 * its own before the order service is asked; every proposal of the alert then asks, with the alert locked,
 * for that draft under the key {@code stock-alert-<id>}. The order service keeps the keys this service sends
 * on its users' behalf per service, not per user (ADR 0030), so when its answer is lost whoever proposes the
 * alert again — the same fleet manager or another — is given the draft the lost call made, never a second.
 * A repeat once the draft is recorded (even concurrent with the first: it waits on the alert's lock)
 * answers with the alert and the draft already proposed, exactly as the first call did, whatever
 * quantity or site it asks for, and even once stock has cleared the alert meanwhile. The fleet manager then submits and approves the draft in the order
 * service as any other order.
 */
@Service
public class ReplenishmentService {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    /** How far ahead the draft asks for delivery; the fleet manager may change it before submitting. */
    static final int LEAD_DAYS = 14;

    private final StockService stock;
    private final CatalogueItemCatalog catalogue;
    private final ReplenishmentOrders orders;
    private final ReplenishmentProposals proposals;
    private final TransactionTemplate tx;
    private final Clock clock;

    public ReplenishmentService(
            StockService stock,
            CatalogueItemCatalog catalogue,
            ReplenishmentOrders orders,
            ReplenishmentProposals proposals,
            TransactionTemplate tx,
            Optional<Clock> clock) {
        this.stock = stock;
        this.catalogue = catalogue;
        this.orders = orders;
        this.proposals = proposals;
        this.tx = tx;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /**
     * Proposes the draft order for an open alert.
     *
     * @param quantity units to order; empty: enough to bring the stock back to twice the minimum
     * @param proposedBy the fleet manager's user name, kept with the first proposal
     */
    public StockService.Alert propose(
            long alertId,
            String agreementId,
            Optional<Long> quantity,
            Optional<String> deliverySite,
            String proposedBy) {
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of("agreement_id", "is required: the agreement to order under");
        }
        quantity.ifPresent(q -> {
            if (q < 1 || q > 1_000_000) {
                throw InvalidArgumentException.of("quantity", "must be 1 to 1,000,000");
            }
        });
        deliverySite.ifPresent(s -> {
            if (!TEXT.matcher(s).matches()) {
                throw InvalidArgumentException.of("delivery_site", "1 to 200 characters");
            }
        });
        // the first proposal is recorded on its own: it outlives an order call whose answer is lost
        StockService.Alert proposed = tx.execute(status -> {
            StockService.Alert alert = stock.lockAlert(alertId);
            if (alert.draftOrderNumber().isEmpty() && proposals.find(alertId).isEmpty()) {
                requireOpen(alert);
                proposals.insert(firstProposal(alert, agreementId.trim(), quantity, deliverySite, proposedBy));
            }
            return alert;
        });
        if (proposed.draftOrderNumber().isPresent()) {
            // a repeat (or a caller that waited on the lock behind the first): the same answer
            return proposed;
        }
        ReplenishmentProposals.Proposal[] asked = new ReplenishmentProposals.Proposal[1];
        try {
            return tx.execute(status -> {
                StockService.Alert alert = stock.lockAlert(alertId);
                if (alert.draftOrderNumber().isPresent()) {
                    return alert;
                }
                // no open check here: the proposal was recorded while the alert was open, and an earlier call's
                // draft may exist already (its answer lost) though stock has cleared the alert since; it is
                // finished as one successful call would have left it, its draft recorded on the alert
                ReplenishmentProposals.Proposal p = proposals.find(alertId).orElseThrow();
                asked[0] = p;
                String number = orders.draft(
                        p.agreementId(),
                        p.deliverySite(),
                        p.requestedDate(),
                        p.agreementItemCode(),
                        p.quantity(),
                        p.idempotencyKey());
                stock.recordDraftOrder(alertId, number);
                return stock.lockAlert(alertId);
            });
        } catch (RuntimeException e) {
            if (asked[0] != null && orders.refused(e)) {
                // no draft was made: the proposal is forgotten, so the next one (its values corrected) is asked
                // for; a call whose outcome is unknown keeps it, so the next one asks for the same draft
                tx.executeWithoutResult(status -> {
                    if (stock.lockAlert(alertId).draftOrderNumber().isEmpty()) {
                        proposals.delete(asked[0]);
                    }
                });
            }
            throw e;
        }
    }

    private void requireOpen(StockService.Alert alert) {
        if (!alert.open()) {
            StockService.Level level = stock.level(alert.depotCode(), alert.itemCode());
            throw new PreconditionFailedException("alert " + alert.id() + " is cleared: " + alert.itemCode() + " in "
                    + alert.depotCode() + " is back at " + level.quantity() + " (minimum " + level.minimum() + ")");
        }
    }

    private ReplenishmentProposals.Proposal firstProposal(
            StockService.Alert alert,
            String agreementId,
            Optional<Long> quantity,
            Optional<String> deliverySite,
            String proposedBy) {
        StockService.Level level = stock.level(alert.depotCode(), alert.itemCode());
        CatalogueItem item = catalogue.find(alert.itemCode()).orElseThrow();
        // back to twice the minimum (a minimum set before it was bounded: never beyond one order's quantity)
        long twice = Math.min(level.minimum(), StockService.MAX_MINIMUM) * 2;
        long units = quantity.orElse(Math.clamp(twice - level.quantity(), 1, StockService.MAX_MOVED));
        return new ReplenishmentProposals.Proposal(
                alert.id(),
                proposedBy,
                agreementId,
                deliverySite.orElse(stock.depotName(alert.depotCode())),
                LocalDate.now(clock.withZone(PARIS)).plusDays(LEAD_DAYS),
                item.agreementItemCode(),
                units,
                clock.instant());
    }
}
