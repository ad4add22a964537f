package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.catalogue.CatalogueItemRepository;
import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.PlainText;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Catalogue, depots and stock (DOMAIN rule 15). Stock leaves a depot with one conditional update
 * ({@code quantity = quantity - n where quantity >= n}): the row lock orders concurrent movements and
 * a movement that would go below zero changes nothing and is refused. Crossing below the minimum
 * raises one alert; climbing back clears it; the next crossing raises a new one.
 */
@Service
public class StockService {

    private static final Pattern CODE = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,63}");
    /** A depot's code: 40 characters at most, as its table holds them (the request allows 64). */
    private static final Pattern DEPOT_CODE = Pattern.compile("[A-Z0-9][A-Z0-9-]{1,39}");

    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");

    /** Units one movement (or one replenishment) moves at most. */
    public static final long MAX_MOVED = 1_000_000;
    /** The highest minimum level: a replenishment back to twice it is still one order's quantity. */
    public static final long MAX_MINIMUM = MAX_MOVED / 2;

    private final StockRepository stock;
    private final CatalogueItemRepository catalogue;

    public StockService(StockRepository stock, CatalogueItemRepository catalogue) {
        this.stock = stock;
        this.catalogue = catalogue;
    }

    /** The stock of an item in a depot. */
    public record Level(String depotCode, String itemCode, long quantity, long minimum, boolean belowMinimum) {}

    /** An alert (open until the stock climbs back), and the replenishment draft order proposed for it. */
    public record Alert(
            long id,
            String depotCode,
            String itemCode,
            long quantity,
            long minimum,
            Instant raisedAt,
            Optional<String> draftOrderNumber,
            Optional<Instant> clearedAt) {

        public boolean open() {
            return clearedAt.isEmpty();
        }
    }

    @Transactional
    public void createItem(
            String code, String label, ItemCategory category, List<String> fitsModels, String agreementItemCode) {
        Validation v = new Validation();
        v.check(
                code != null && CODE.matcher(code).matches(),
                "item.code",
                "must be 2 to 64 upper-case letters, digits, '-'");
        v.check(
                label != null && TEXT.matcher(label).matches() && PlainText.visible(label),
                "item.label",
                "is required: 1 to 200 characters, not spaces alone");
        v.check(category != null, "item.category", "is required: ACCESSORY or SPARE_PART");
        fitsModels.forEach(m -> v.check(TEXT.matcher(m).matches(), "item.fits_models", "1 to 200 characters each"));
        // a name fits the models it starts; inventory's models hold plain spaces only, no invisible character, and
        // never begin with a space: a name that does fits no model, its parts refused by every repair
        fitsModels.forEach(m -> v.check(
                PlainText.beginsAModelName(m),
                "item.fits_models",
                "must each begin a model's name as inventory writes it: no space first, no space but U+0020, no"
                        + " invisible character (a no-break or zero-width space would fit no model)"));
        v.check(
                agreementItemCode == null
                        || agreementItemCode.isEmpty()
                        || CODE.matcher(agreementItemCode).matches(),
                "item.agreement_item_code",
                "must be 2 to 64 upper-case letters, digits, '-'");
        v.throwIfInvalid();
        if (!catalogue.insert(
                code,
                label.trim(),
                category,
                fitsModels,
                agreementItemCode == null || agreementItemCode.isEmpty()
                        ? Optional.empty()
                        : Optional.of(agreementItemCode))) {
            throw new AlreadyExistsException("a catalogue item " + code + " exists already");
        }
    }

    @Transactional
    public void createDepot(String code, String name) {
        Validation v = new Validation();
        v.check(
                code != null && DEPOT_CODE.matcher(code).matches(),
                "code",
                "must be 2 to 40 upper-case letters, digits, '-'");
        v.check(
                name != null && TEXT.matcher(name).matches() && PlainText.visible(name),
                "name",
                "is required: 1 to 200 characters, not spaces alone");
        v.throwIfInvalid();
        if (!stock.insertDepot(code, name.trim())) {
            throw new AlreadyExistsException("a depot " + code + " exists already");
        }
    }

    @Transactional
    public Level setMinimum(String depot, String item, long minimum) {
        if (minimum < 0 || minimum > MAX_MINIMUM) {
            throw InvalidArgumentException.of(
                    "minimum",
                    "must be 0 to " + MAX_MINIMUM + ": a replenishment brings the stock back to twice the minimum, "
                            + "at most " + MAX_MOVED + " units");
        }
        requireDepotAndItem(depot, item, "depot_code");
        stock.setMinimum(depot, item, minimum);
        return checkMinimum(depot, item);
    }

    /** Records a movement and returns the levels it changed. */
    @Transactional
    public List<Level> move(
            MovementKind kind,
            String item,
            String depot,
            Optional<String> toDepot,
            long quantity,
            Optional<String> reference,
            Caller caller) {
        return move(kind, item, depot, toDepot, quantity, reference, Optional.empty(), caller);
    }

    /** Records a movement (a part consumed in {@code repairId}, if given) and returns the levels it changed. */
    @Transactional
    public List<Level> move(
            MovementKind kind,
            String item,
            String depot,
            Optional<String> toDepot,
            long quantity,
            Optional<String> reference,
            Optional<String> repairId,
            Caller caller) {
        Validation v = new Validation();
        v.check(kind != null, "kind", "is required: RECEIPT, ISSUE, TRANSFER or CONSUMPTION");
        v.check(quantity >= 1 && quantity <= 1_000_000, "quantity", "must be 1 to 1,000,000");
        v.check(
                kind == MovementKind.TRANSFER == toDepot.isPresent(),
                "to_depot_code",
                "is required for a transfer and only for one");
        v.check(toDepot.filter(depot::equals).isEmpty(), "to_depot_code", "must be another depot");
        reference.ifPresent(r -> v.check(TEXT.matcher(r).matches(), "reference", "at most 200 characters"));
        v.throwIfInvalid();
        requireDepotAndItem(depot, item, "depot_code");
        toDepot.ifPresent(t -> requireDepotAndItem(t, item, "to_depot_code"));
        List<Level> changed = new ArrayList<>();
        if (kind == MovementKind.RECEIPT) {
            changed.add(add(depot, item, quantity));
        } else {
            toDepot.ifPresent(t -> stock.lockForTransfer(item, depot, t));
            takeOnly(depot, item, quantity);
            toDepot.ifPresent(t -> stock.add(t, item, quantity));
            // the receiving depot's minimum first: clearing its alert may wait for a replenishment holding it,
            // which must not happen once the ids' lock is taken (raising an alert or recording a movement takes it)
            Optional<Level> received = toDepot.map(t -> checkMinimum(t, item));
            changed.add(checkMinimum(depot, item));
            received.ifPresent(changed::add);
        }
        stock.recordMovement(kind, item, depot, toDepot, quantity, reference, repairId, caller.username());
        return changed;
    }

    private Level add(String depot, String item, long quantity) {
        stock.add(depot, item, quantity);
        return checkMinimum(depot, item);
    }

    private void takeOnly(String depot, String item, long quantity) {
        if (!stock.take(depot, item, quantity)) {
            long there = stock.level(depot, item).map(Level::quantity).orElse(0L);
            throw new PreconditionFailedException(
                    "only " + there + " of " + item + " in " + depot + "; cannot take " + quantity);
        }
    }

    /** Raises an alert on crossing below the minimum, clears it when back at or above (row already locked). */
    private Level checkMinimum(String depot, String item) {
        Level l = stock.lockLevel(depot, item).orElseThrow();
        boolean below = l.quantity() < l.minimum();
        if (below && !l.belowMinimum()) {
            stock.raiseAlert(depot, item, l.quantity(), l.minimum());
        } else if (!below && l.belowMinimum()) {
            stock.clearAlerts(depot, item);
        }
        if (below != l.belowMinimum()) {
            stock.markBelowMinimum(depot, item, below);
        }
        return new Level(depot, item, l.quantity(), l.minimum(), below);
    }

    @Transactional(readOnly = true)
    public List<Level> stock(String depot) {
        if (stock.depotName(depot).isEmpty()) {
            throw new NotFoundException("no depot " + depot);
        }
        return stock.levels(depot);
    }

    @Transactional(readOnly = true)
    public List<Alert> openAlerts(Optional<String> depot) {
        return stock.openAlerts(depot);
    }

    /** An alert, open or not, locked until the transaction ends. */
    public Alert lockAlert(long id) {
        return stock.lockAlert(id).orElseThrow(() -> new NotFoundException("no stock alert " + id));
    }

    /** The current level of an item in a depot (zero when never stocked). */
    @Transactional(readOnly = true)
    public Level level(String depot, String item) {
        return stock.level(depot, item).orElse(new Level(depot, item, 0, 0, false));
    }

    /** A depot's name. */
    @Transactional(readOnly = true)
    public String depotName(String depot) {
        return stock.depotName(depot).orElseThrow(() -> new NotFoundException("no depot " + depot));
    }

    /** Records the draft order proposed for an alert (the alert row is locked by the caller). */
    public void recordDraftOrder(long alertId, String orderNumber) {
        stock.recordDraftOrder(alertId, orderNumber);
    }

    private void requireDepotAndItem(String depot, String item, String field) {
        if (stock.depotName(depot).isEmpty()) {
            throw InvalidArgumentException.of(field, "no depot " + depot);
        }
        if (catalogue.find(item).isEmpty()) {
            throw InvalidArgumentException.of("item_code", "no catalogue item " + item);
        }
    }
}
