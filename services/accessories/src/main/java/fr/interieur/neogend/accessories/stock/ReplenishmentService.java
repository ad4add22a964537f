package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a stock alert into a replenishment draft order in the order service (DOMAIN rule 15). The
 * alert stays locked while the order service is called, so one alert gives one draft; the call
 * carries the key {@code stock-alert-<id>}, so a repeat after a lost answer returns the same order.
 * A repeat once the draft is recorded (even concurrent with the first: it waits on the alert's lock)
 * answers with the alert and the draft already proposed, exactly as the first call did, whatever
 * quantity or site it asks for: one alert, one draft.
 * The fleet manager then submits and approves the draft in the order service as any other order.
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
    private final Clock clock;

    public ReplenishmentService(
            StockService stock, CatalogueItemCatalog catalogue, ReplenishmentOrders orders, Optional<Clock> clock) {
        this.stock = stock;
        this.catalogue = catalogue;
        this.orders = orders;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /**
     * Proposes the draft order for an open alert.
     *
     * @param quantity units to order; empty: enough to bring the stock back to twice the minimum
     */
    @Transactional
    public StockService.Alert propose(
            long alertId, String agreementId, Optional<Long> quantity, Optional<String> deliverySite) {
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
        StockService.Alert alert = stock.lockAlert(alertId);
        if (alert.draftOrderNumber().isPresent()) {
            // a repeat (or a caller that waited on the lock behind the first): the same answer
            return alert;
        }
        StockService.Level level = stock.level(alert.depotCode(), alert.itemCode());
        if (!alert.open()) {
            throw new PreconditionFailedException("alert " + alertId + " is cleared: " + alert.itemCode() + " in "
                    + alert.depotCode() + " is back at " + level.quantity() + " (minimum " + level.minimum() + ")");
        }
        CatalogueItem item = catalogue.find(alert.itemCode()).orElseThrow();
        // back to twice the minimum (a minimum set before it was bounded: never beyond one order's quantity)
        long twice = Math.min(level.minimum(), StockService.MAX_MINIMUM) * 2;
        long units = quantity.orElse(Math.clamp(twice - level.quantity(), 1, StockService.MAX_MOVED));
        String number = orders.draft(
                agreementId.trim(),
                deliverySite.orElse(stock.depotName(alert.depotCode())),
                LocalDate.now(clock.withZone(PARIS)).plusDays(LEAD_DAYS),
                item.agreementItemCode(),
                units,
                "stock-alert-" + alertId);
        stock.recordDraftOrder(alertId, number);
        return stock.lockAlert(alertId);
    }
}
