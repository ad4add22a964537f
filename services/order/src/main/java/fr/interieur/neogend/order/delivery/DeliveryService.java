package fr.interieur.neogend.order.delivery;

import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.kit.validation.PlainText;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementRepository;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.purchaseorder.OrderLine;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Delivery notes and their reception (DOMAIN rule 5): a delivery never brings more than ordered per
 * line over all the order's deliveries, a device (IMEI) is delivered once, and reception registers
 * the devices in inventory as packs whose lease starts that day.
 */
@Service
public class DeliveryService {

    public static final ZoneId ZONE = ZoneId.of("Europe/Paris");
    private static final Pattern NOTE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,100}");
    private static final int MAX_DEVICES = 20_000;

    private final DeliveryRepository deliveries;
    private final PurchaseOrderService orders;
    private final AgreementRepository agreements;
    private final InventoryRegistrar inventory;
    private final TransactionTemplate tx;
    private final Clock clock;

    public DeliveryService(
            DeliveryRepository deliveries,
            PurchaseOrderService orders,
            AgreementRepository agreements,
            InventoryRegistrar inventory,
            TransactionTemplate tx,
            Optional<Clock> clock) {
        this.deliveries = deliveries;
        this.orders = orders;
        this.agreements = agreements;
        this.inventory = inventory;
        this.tx = tx;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The supplier posts a delivery note for one of its acknowledged orders. */
    @Transactional
    public Delivery post(
            String orderNumber,
            String noteNumber,
            List<Delivery.Device> devices,
            List<Delivery.Item> items,
            Caller caller) {
        PurchaseOrder order = orders.lockVisible(orderNumber, caller);
        if (order.state() != OrderState.ACKNOWLEDGED && order.state() != OrderState.PARTIALLY_DELIVERED) {
            throw new PreconditionFailedException("order " + orderNumber + " is " + order.state()
                    + "; deliveries are posted once it is ACKNOWLEDGED");
        }
        Map<String, OrderLine> lines = order.lines().stream()
                .collect(Collectors.toMap(OrderLine::itemCode, l -> l, (a, b) -> a, LinkedHashMap::new));
        Validation v = new Validation();
        v.check(
                noteNumber != null && NOTE.matcher(noteNumber).matches(),
                "delivery.delivery_note_number",
                "is required: 1 to 64 letters, digits, '.', '_', '/' or '-'");
        v.check(!devices.isEmpty() || !items.isEmpty(), "delivery", "delivers no device and no item");
        v.check(devices.size() <= MAX_DEVICES, "delivery.devices", "at most " + MAX_DEVICES + " per note");
        Map<String, Long> now = new HashMap<>();
        Set<String> imeis = new HashSet<>();
        // as inventory registers the note's devices together at reception (rule 7): one spelling per model, a
        // serial number once per model, whatever their case
        Map<String, Integer> rowOfModel = new HashMap<>();
        Map<String, Integer> rowOfSerial = new HashMap<>();
        for (int i = 0; i < devices.size() && i < MAX_DEVICES; i++) {
            Delivery.Device d = devices.get(i);
            String at = "delivery.devices[" + i + "].";
            String problem = Imei.problem(d.imei());
            v.check(problem == null, at + "imei", problem);
            v.check(d.imei() == null || imeis.add(d.imei()), at + "imei", "repeats an earlier device of this note");
            v.check(
                    d.serialNumber() != null
                            && TEXT.matcher(d.serialNumber()).matches()
                            && d.serialNumber().length() <= 64,
                    at + "serial_number",
                    "is required: 1 to 64 characters");
            v.check( // as inventory will register it (rule 7): a serial number holds no space
                    d.serialNumber() == null || d.serialNumber().strip().chars().noneMatch(Character::isWhitespace),
                    at + "serial_number",
                    "must not hold spaces: a serial number is written as on the device's label");
            v.check(
                    d.model() != null && TEXT.matcher(d.model()).matches(),
                    at + "model",
                    "is required: 1 to 100 characters");
            v.check( // as inventory will register it: no invisible character, no space but the plain one
                    d.model() == null || d.model().codePoints().noneMatch(PlainText::invisibleOrOddSpace),
                    at + "model",
                    "must not hold invisible characters or spaces other than the plain space");
            v.check( // as inventory will register it: one space at a time, accents composed (NFC)
                    d.model() == null || PlainText.singleSpacedAndComposed(d.model()),
                    at + "model",
                    "must be written with single spaces and composed accents (Unicode NFC), as inventory registers it");
            if (d.model() != null && !d.model().isBlank()) {
                String model = d.model().trim();
                String folded = model.toUpperCase(java.util.Locale.ROOT).toLowerCase(java.util.Locale.ROOT);
                Integer first = rowOfModel.putIfAbsent(folded, i);
                String firstModel =
                        first == null ? model : devices.get(first).model().trim();
                v.check(
                        firstModel.equals(model),
                        at + "model",
                        "is written \"" + firstModel + "\" in delivery.devices[" + first + "]: a model in another"
                                + " case would be another model, as inventory registers it");
                if (d.serialNumber() != null && !d.serialNumber().isBlank()) {
                    Integer same = rowOfSerial.putIfAbsent(
                            folded + '\0' + d.serialNumber().trim().toUpperCase(java.util.Locale.ROOT), i);
                    v.check(
                            same == null,
                            at + "serial_number",
                            "repeats the serial number of delivery.devices[" + same + "] (whatever its case): a"
                                    + " serial number is unique per model");
                }
            }
            v.check(
                    "PHONE".equals(d.kind()) || "TABLET".equals(d.kind()),
                    at + "kind",
                    "is required: DEVICE_KIND_PHONE or DEVICE_KIND_TABLET");
            OrderLine line = d.itemCode() == null ? null : lines.get(d.itemCode());
            v.check(
                    line != null && line.kind() == ItemKind.PACK_LEASE,
                    at + "item_code",
                    "is not a pack-lease line of order " + orderNumber);
            if (line != null
                    && line.packType().isPresent()
                    && ("PHONE".equals(d.kind()) || "TABLET".equals(d.kind()))) {
                boolean phonePack = line.packType().get().startsWith("SMARTPHONE");
                v.check(
                        phonePack == "PHONE".equals(d.kind()),
                        at + "kind",
                        "a " + d.kind() + " does not fit a " + line.packType().get() + " pack (line " + line.itemCode()
                                + ")");
            }
            if (line != null) {
                now.merge(line.itemCode(), 1L, Long::sum);
            }
        }
        Set<String> itemCodes = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Delivery.Item it = items.get(i);
            String at = "delivery.items[" + i + "].";
            OrderLine line = it.itemCode() == null ? null : lines.get(it.itemCode());
            v.check(
                    line != null && line.kind() != ItemKind.PACK_LEASE,
                    at + "item_code",
                    line != null
                            ? "is a pack-lease line: deliver its devices one by one"
                            : "is not a line of order " + orderNumber);
            v.check(it.itemCode() == null || itemCodes.add(it.itemCode()), at + "item_code", "repeats an earlier item");
            v.check(it.quantity() > 0, at + "quantity", "must be at least 1");
            if (line != null && it.quantity() > 0) {
                now.merge(line.itemCode(), it.quantity(), DeliveryService::saturatedSum);
            }
        }
        Map<String, Long> before = deliveries.deliveredPerLine(orderNumber);
        now.forEach((code, n) -> {
            long ordered = lines.get(code).quantity();
            long earlier = before.getOrDefault(code, 0L);
            // compared with what is left, never summed first: a hostile quantity must not wrap past the
            // ordered one (the request rules bound it too; this check holds without them)
            v.check(
                    n <= ordered - earlier,
                    "delivery.lines[" + code + "]",
                    "would bring " + saturatedSum(earlier, n) + " delivered for " + ordered + " ordered (" + earlier
                            + " delivered before)");
        });
        Set<String> known = deliveries.deliveredImeis(imeis);
        for (int i = 0; i < devices.size() && i < MAX_DEVICES; i++) {
            v.check(!known.contains(devices.get(i).imei()), "delivery.devices[" + i + "].imei", "was delivered before");
        }
        v.throwIfInvalid();
        // a device already in the fleet (registered by hand, a spare, another supplier's delivery)
        // cannot arrive again as a new pack: refused line by line before anything is recorded
        Set<String> inFleet = inventory.inFleet(imeis);
        for (int i = 0; i < devices.size(); i++) {
            v.check(
                    !inFleet.contains(devices.get(i).imei()),
                    "delivery.devices[" + i + "].imei",
                    "is in the fleet already; it cannot be delivered as a new pack");
        }
        v.throwIfInvalid();
        Delivery delivery = new Delivery(
                deliveries.nextId(),
                orderNumber,
                order.agreementId(),
                noteNumber,
                Delivery.State.POSTED,
                devices.stream()
                        .map(d -> new Delivery.Device(
                                d.imei(),
                                d.serialNumber().trim(),
                                d.model().trim(),
                                d.kind(),
                                d.itemCode(),
                                Optional.empty()))
                        .toList(),
                items.stream()
                        .map(i -> new Delivery.Item(i.itemCode(), i.quantity(), 0))
                        .toList(),
                now());
        if (!deliveries.insert(delivery, caller.username())) {
            throw new AlreadyExistsException(
                    "delivery note " + noteNumber + " was posted already for agreement " + order.agreementId());
        }
        return deliveries.find(delivery.id()).orElseThrow();
    }

    /** The deliveries of an order the caller may see. */
    @Transactional(readOnly = true)
    public List<Delivery> ofOrder(String orderNumber, Caller caller) {
        orders.get(orderNumber, caller);
        return deliveries.ofOrder(orderNumber);
    }

    /**
     * Receives a delivery, whole or part: the devices are registered in inventory first (idempotent:
     * a retry after a failure registers nothing twice), then the reception is recorded with the
     * order's progress in one transaction.
     *
     * @param imeis devices received now
     * @param items quantities received now per line; both empty: everything not received yet
     */
    public Delivery receive(String id, List<String> imeis, Map<String, Long> items, Caller caller) {
        Delivery delivery = find(id);
        PurchaseOrder order = orders.get(delivery.orderNumber(), caller);
        Map<String, Delivery.Device> waiting = delivery.devices().stream()
                .filter(d -> d.receivedOn().isEmpty())
                .collect(Collectors.toMap(Delivery.Device::imei, d -> d, (a, b) -> a, LinkedHashMap::new));
        Map<String, Delivery.Item> itemLines =
                delivery.items().stream().collect(Collectors.toMap(Delivery.Item::itemCode, i -> i));
        Validation v = new Validation();
        boolean everything = imeis.isEmpty() && items.isEmpty();
        List<Delivery.Device> chosen = new ArrayList<>();
        if (everything) {
            chosen.addAll(waiting.values());
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < imeis.size(); i++) {
                Delivery.Device d = waiting.get(imeis.get(i));
                v.check(
                        d != null && seen.add(imeis.get(i)),
                        "imeis[" + i + "]",
                        "is not a device of " + id + " waiting for reception");
                if (d != null) {
                    chosen.add(d);
                }
            }
        }
        Map<String, Long> chosenItems = new LinkedHashMap<>();
        if (everything) {
            itemLines.values().forEach(i -> {
                if (i.quantity() > i.receivedQuantity()) {
                    chosenItems.put(i.itemCode(), i.quantity() - i.receivedQuantity());
                }
            });
        } else {
            items.forEach((code, qty) -> {
                Delivery.Item line = itemLines.get(code);
                v.check(line != null, "items[" + code + "]", "is not an item of " + id);
                v.check(
                        line == null || (qty > 0 && qty <= line.quantity() - line.receivedQuantity()),
                        "items[" + code + "].quantity",
                        line == null
                                ? ""
                                : "must be 1 to " + (line.quantity() - line.receivedQuantity())
                                        + " (still to receive)");
                chosenItems.put(code, qty);
            });
        }
        v.throwIfInvalid();
        if (chosen.isEmpty() && chosenItems.isEmpty()) {
            throw new PreconditionFailedException(
                    "delivery " + id + " is " + delivery.state() + "; nothing is waiting for reception");
        }
        // what is received is billed under the order's agreement in the month of its reception (rule 13), so only
        // on a day of its term (in Paris): a statement covers the term's months only, and inventory leases no pack
        // outside the term either
        LocalDate today = LocalDate.now(clock.withZone(ZONE));
        Agreement agreement = agreements.find(order.agreementId()).orElseThrow();
        if (!agreement.inTerm(today)) {
            throw new PreconditionFailedException("agreement " + agreement.id() + " (in force from "
                    + agreement.notifiedOn() + " to " + agreement.termEnd().minusDays(1) + ") is not in force on "
                    + today + " (Paris): nothing of order " + order.number() + " is received under it that day");
        }
        Map<String, String> packTypes = order.lines().stream()
                .filter(l -> l.packType().isPresent())
                .collect(Collectors.toMap(OrderLine::itemCode, l -> l.packType().get()));
        List<InventoryRegistrar.ReceivedDevice> toRegister = chosen.stream()
                .map(d -> new InventoryRegistrar.ReceivedDevice(
                        d.imei(),
                        d.serialNumber(),
                        d.model(),
                        d.kind(),
                        packTypes.get(d.itemCode()),
                        order.agreementId()))
                .toList();
        for (int from = 0; from < toRegister.size(); from += MAX_DEVICES) {
            inventory.register(toRegister.subList(from, Math.min(toRegister.size(), from + MAX_DEVICES)));
        }
        return tx.execute(status -> {
            PurchaseOrder locked = orders.lockVisible(delivery.orderNumber(), caller);
            // read again under the order's lock (every reception of its deliveries takes it): another
            // reception of this delivery that ended meanwhile is seen now, so the delivery's state is
            // worked out from what is really left — never from the copy read before inventory was called
            Delivery current = find(id);
            Set<String> waitingNow = current.devices().stream()
                    .filter(d -> d.receivedOn().isEmpty())
                    .map(Delivery.Device::imei)
                    .collect(Collectors.toSet());
            List<String> receivedNow = chosen.stream()
                    .map(Delivery.Device::imei)
                    .filter(waitingNow::contains)
                    .toList();
            Map<String, Long> itemsNow = new LinkedHashMap<>();
            for (Delivery.Item line : current.items()) {
                long left = line.quantity() - line.receivedQuantity();
                long asked = everything ? left : chosenItems.getOrDefault(line.itemCode(), 0L);
                if (asked > left) {
                    throw new ConcurrentChangeException("delivery " + id + " was received meanwhile: " + left + " "
                            + line.itemCode() + " left to receive, not " + asked + "; read it again");
                }
                if (asked > 0) {
                    itemsNow.put(line.itemCode(), asked);
                }
            }
            if (receivedNow.isEmpty() && itemsNow.isEmpty()) {
                throw new PreconditionFailedException("delivery " + id + " is " + current.state()
                        + "; nothing is waiting for reception (received meanwhile)");
            }
            boolean itemsDone = current.items().stream()
                    .allMatch(i -> i.receivedQuantity() + itemsNow.getOrDefault(i.itemCode(), 0L) == i.quantity());
            deliveries.receive(
                    id,
                    receivedNow,
                    itemsNow,
                    today,
                    waitingNow.size() == receivedNow.size() && itemsDone
                            ? Delivery.State.RECEIVED
                            : Delivery.State.PARTIALLY_RECEIVED);
            Map<String, Long> received = deliveries.receivedPerLine(locked.number());
            boolean complete =
                    locked.lines().stream().allMatch(l -> received.getOrDefault(l.itemCode(), 0L) >= l.quantity());
            orders.recordReception(locked.number(), complete, caller);
            return deliveries.find(id).orElseThrow();
        });
    }

    private Delivery find(String id) {
        if (id == null || !id.matches("BL-[0-9]{6,12}")) {
            throw InvalidArgumentException.of("id", "is not a delivery id (BL- and 6 digits)");
        }
        return deliveries.find(id).orElseThrow(() -> new NotFoundException("no delivery " + id));
    }

    /** {@code a + b}, or Long.MAX_VALUE where the sum would overflow (for messages only). */
    static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
