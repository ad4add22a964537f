package fr.interieur.neogend.accessories.repair;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.accessories.stock.MovementKind;
import fr.interieur.neogend.accessories.stock.StockService;
import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.kit.validation.PlainText;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Repairs (DOMAIN rule 16). Only a technician holding a valid certification for the device's model
 * opens, works on or closes a repair (the training service decides, on every step). The device's
 * state lives in inventory and changes there on the technician's behalf; parts consumed leave the
 * repair's depot stock in the same transaction as the repair's part row. A failed repair asks the
 * order service for an exchange with the supplier, then sends the device PENDING_RETURN.
 *
 * <p>Inventory records the open repair on the device: the device leaves repair only when this
 * service closes that repair (EndDeviceRepair naming it), never by a manager's return from repair,
 * fail, mark for return, exchange or write-off, so a repair and its device never diverge; a device
 * declared lost or stolen meanwhile keeps the repair link, which the close releases.
 *
 * <p>Calls to other services are made before the local change is committed, and every step checks
 * what is already done, so a close interrupted by an unavailable service is simply repeated: nothing
 * is done twice (the exchange request is idempotent per repair) and nothing is recorded as done
 * before it is.
 */
@Service
public class RepairService {

    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,500}");
    private static final Set<String> REPAIRABLE = Set.of("IN_STOCK", "ASSIGNED", "IN_REPAIR");
    /**
     * Inventory states in which a repair may be closed as failed: under the repair, PENDING_RETURN once
     * inventory ended it (a close repeated after a lost answer), or lost or stolen meanwhile (the only
     * routes inventory leaves open out of a repair; such a device is still in its pack, and the
     * supplier still replaces it).
     */
    private static final Set<String> FAILABLE = Set.of("IN_REPAIR", "PENDING_RETURN", "LOST", "STOLEN");

    private final RepairRepository repairs;
    private final TransactionTemplate tx;
    private final StockService stock;
    private final CatalogueItemCatalog catalogue;
    private final Peers.Fleet fleet;
    private final Peers.Certifications certifications;
    private final Peers.Exchanges exchanges;
    private final Clock clock;

    public RepairService(
            RepairRepository repairs,
            TransactionTemplate tx,
            StockService stock,
            CatalogueItemCatalog catalogue,
            Peers.Fleet fleet,
            Peers.Certifications certifications,
            Peers.Exchanges exchanges,
            Optional<Clock> clock) {
        this.repairs = repairs;
        this.tx = tx;
        this.stock = stock;
        this.catalogue = catalogue;
        this.fleet = fleet;
        this.certifications = certifications;
        this.exchanges = exchanges;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Opens a repair: the technician is certified for the model, the device goes IN_REPAIR. */
    public Repair open(String imei, String depotCode, String fault, Caller caller) {
        Validation v = new Validation();
        String imeiProblem = Imei.problem(imei);
        v.check(imeiProblem == null, "imei", imeiProblem);
        v.check(
                fault != null && PlainText.visible(fault) && TEXT.matcher(fault).matches(),
                "fault",
                "is required: 1 to 500 characters");
        v.check(depotCode != null && !depotCode.isBlank(), "depot_code", "is required");
        v.throwIfInvalid();
        try {
            stock.depotName(depotCode);
        } catch (NotFoundException e) {
            throw InvalidArgumentException.of("depot_code", "no depot " + depotCode);
        }
        Peers.Device device = fleet.device(imei);
        requireCertified(caller, device.model());
        if (!REPAIRABLE.contains(device.state())) {
            throw new PreconditionFailedException("device " + imei + " is " + device.state()
                    + " in inventory; only IN_STOCK or ASSIGNED devices are repaired");
        }
        String id = tx.execute(status -> {
            String next = repairs.nextId();
            if (!repairs.insertOpen(next, imei, device.model(), depotCode, caller.username(), fault.trim(), now())) {
                String open = repairs.openRepairOf(imei).orElse("?");
                throw new AlreadyExistsException("repair " + open + " is open for device " + imei + " already");
            }
            // inside the transaction: if inventory refuses, no repair is recorded. Inventory records the
            // repair on the device: from then on it leaves repair only when this repair is closed. A
            // repair the device is under although none is open here (an open interrupted after
            // inventory's change, before this commit) is replaced, by name: inventory checks it still is.
            // Read again now that this open holds the device's row: an open of the same device still running
            // when the device was read first (a repeat sent while the first was stuck) may have taken it in
            // inventory, then rolled back here.
            fleet.startRepair(imei, next, fleet.device(imei).repairId());
            return next;
        });
        return get(id);
    }

    /** Records a spare part consumed: it leaves the repair's depot stock with the part row. */
    public Repair consumePart(String repairId, String itemCode, long quantity, Caller caller) {
        Repair r = get(repairId);
        visibleDevice(r); // the technician may still see the device
        requireOpen(r);
        requireCertified(caller, r.model());
        CatalogueItem item = catalogue
                .find(itemCode)
                .orElseThrow(() -> InvalidArgumentException.of("item_code", "no catalogue item " + itemCode));
        if (item.category() != ItemCategory.SPARE_PART) {
            throw InvalidArgumentException.of("item_code", itemCode + " is an accessory, not a spare part");
        }
        if (!item.fits(r.model())) {
            throw new PreconditionFailedException(itemCode + " does not fit " + r.model() + " (it fits "
                    + String.join(", ", item.fitsModels()) + ")");
        }
        tx.executeWithoutResult(status -> {
            requireOpen(lock(repairId));
            // once a close has started (the device may be back with its holder, or its exchange asked of the
            // supplier) the repair's work is over: no part is consumed for it any more
            repairs.closingOutcome(repairId).ifPresent(closing -> {
                throw new PreconditionFailedException("repair " + repairId + " is being closed as " + closing
                        + "; no part is consumed in it any more (repeat that close to finish it)");
            });
            stock.move(
                    MovementKind.CONSUMPTION,
                    itemCode,
                    r.depotCode(),
                    Optional.empty(),
                    quantity,
                    Optional.of("repair " + repairId),
                    Optional.of(repairId),
                    caller);
            repairs.addPart(repairId, itemCode, quantity, caller.username(), now());
        });
        return get(repairId);
    }

    /**
     * Closes a repair. Repaired: the device goes back. Failed: an exchange is requested from the
     * supplier, then the device goes PENDING_RETURN. A device declared lost or stolen meanwhile stays
     * so in inventory, released from the repair, whatever the outcome.
     */
    public Repair close(String repairId, Repair.State outcome, String diagnosis, Caller caller) {
        Validation v = new Validation();
        v.check(
                outcome == Repair.State.REPAIRED || outcome == Repair.State.FAILED,
                "outcome",
                "must be REPAIR_OUTCOME_REPAIRED or REPAIR_OUTCOME_FAILED");
        v.check(
                diagnosis != null
                        && PlainText.visible(diagnosis)
                        && TEXT.matcher(diagnosis).matches(),
                "diagnosis",
                "is required: 1 to 500 characters");
        v.throwIfInvalid();
        Repair r = get(repairId);
        Peers.Device device = visibleDevice(r);
        requireOpen(r);
        requireCertified(caller, r.model());
        // a close repeated after inventory ended the repair: the device may have been exchanged out and given back
        // since (RETURNED), which only finishing this close may follow
        boolean repeated =
                repairs.closingOutcome(repairId).filter(outcome::equals).isPresent();
        if (outcome == Repair.State.FAILED && !repeated && !FAILABLE.contains(device.state())) {
            // refused before the outcome is claimed: the repair can still be closed otherwise
            throw new PreconditionFailedException("device " + r.imei() + " is " + device.state()
                    + " in inventory; the repair cannot be closed as failed");
        }
        // the outcome is claimed before anything is asked of the supplier or inventory: a close interrupted
        // half-way is finished by its repeat, never turned into the other outcome, and of two closes at once
        // only one outcome is carried out (an exchange is never asked for a device then declared repaired)
        if (!tx.execute(status -> repairs.claimClose(repairId, outcome))) {
            Repair now = get(repairId);
            requireOpen(now);
            Repair.State other = repairs.closingOutcome(repairId).orElse(outcome);
            throw new PreconditionFailedException(
                    "repair " + repairId + " is being closed as " + other + "; repeat that close to finish it");
        }
        if (device.repairId().isEmpty() && device.state().equals("IN_REPAIR")) {
            // opened before inventory recorded repairs on devices: taken under this repair first
            fleet.startRepair(r.imei(), repairId, Optional.empty());
        }
        Optional<String> exchange = Optional.empty();
        if (outcome == Repair.State.REPAIRED) {
            // inventory refuses if the device is not under this repair (and did not end it already)
            fleet.endRepair(r.imei(), repairId, true, null);
        } else if (r.exchangeRequestNumber().isPresent()) {
            // asked by an earlier try of this close (the device may have left its pack since, exchanged out)
            exchange = r.exchangeRequestNumber();
            fleet.endRepair(r.imei(), repairId, false, inventoryReason(repairId, diagnosis.trim()));
        } else if (device.inPack()) {
            String asked = exchanges.request(r.imei(), r.model(), diagnosis.trim(), repairId);
            tx.executeWithoutResult(status -> repairs.recordExchangeAsked(repairId, asked));
            exchange = Optional.of(asked);
            fleet.endRepair(r.imei(), repairId, false, inventoryReason(repairId, diagnosis.trim()));
        } else {
            // a spare outside any pack is leased under no agreement: there is no pack to exchange its device in,
            // it goes back to the supplier (PENDING_RETURN) and the repair closes without an exchange
            fleet.endRepair(
                    r.imei(), repairId, false, inventoryReason(repairId, "spare, no exchange: " + diagnosis.trim()));
        }
        Optional<String> exchangeNumber = exchange;
        tx.executeWithoutResult(status -> {
            boolean closed =
                    repairs.close(repairId, outcome, diagnosis.trim(), now(), caller.username(), exchangeNumber);
            if (!closed) {
                throw new ConcurrentChangeException("repair " + repairId + " was closed meanwhile; read it again");
            }
        });
        return get(repairId);
    }

    /** Inventory keeps a reason of at most 100 characters in the device's history. */
    private static String inventoryReason(String repairId, String diagnosis) {
        String reason = "repair " + repairId + " failed: " + diagnosis.replaceAll("\\s+", " ");
        return reason.length() <= 100 ? reason : reason.substring(0, 99) + "…";
    }

    /** A repair with its parts; NOT_FOUND when unknown or its device is outside the caller's reach. */
    public Repair get(String id, Caller caller) {
        Repair r = get(id);
        if (!caller.hasRole(Caller.FLEET_MANAGER) && !caller.hasRole(Caller.AUDITOR)) {
            visibleDevice(r); // inventory decides whether this technician may see the device
        }
        return r;
    }

    /**
     * The repair's device as inventory shows it to the caller. A repair whose device the caller may not see is,
     * to that caller, a repair that does not exist: neither its device, nor its state, nor its model is told
     * (so this comes before any other check).
     */
    private Peers.Device visibleDevice(Repair r) {
        try {
            return fleet.device(r.imei());
        } catch (NotFoundException e) {
            throw new NotFoundException("no repair " + r.id());
        }
    }

    /**
     * Repairs newest first: all of them for fleet managers and auditors; for a unit manager those of
     * the devices inventory places within its unit subtree (asked on its behalf); a technician's own
     * otherwise.
     */
    public Page<Repair> list(
            Optional<Repair.State> state, Optional<String> imei, int pageSize, String pageToken, Caller caller) {
        boolean all = caller.hasRole(Caller.FLEET_MANAGER) || caller.hasRole(Caller.AUDITOR);
        boolean reach = !all && caller.hasRole(Caller.UNIT_MANAGER);
        Optional<String> technician = all || reach ? Optional.empty() : Optional.of(caller.username());
        String filters = PageRequest.filters(
                state.map(Enum::name).orElse(""),
                imei.orElse(""),
                technician.orElse(""),
                reach ? caller.username() : "");
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        Optional<List<String>> devices = reach ? Optional.of(fleet.imeisInReach()) : Optional.empty();
        List<Repair> rows = repairs.page(state, imei, technician, devices, page.afterKey(), page.fetchSize());
        return page.toPage(rows, Repair::id, filters);
    }

    private Repair get(String id) {
        return repairs.find(id).orElseThrow(() -> new NotFoundException("no repair " + id));
    }

    private Repair lock(String id) {
        return repairs.lock(id).orElseThrow(() -> new NotFoundException("no repair " + id));
    }

    private static void requireOpen(Repair r) {
        if (r.state() != Repair.State.OPEN) {
            throw new PreconditionFailedException("repair " + r.id() + " is " + r.state() + "; it is closed");
        }
    }

    private void requireCertified(Caller caller, String model) {
        Peers.Check check = certifications.check(caller.username(), model);
        if (!check.certified()) {
            throw new AccessDeniedException("not certified to repair " + model + ": " + check.reason());
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
