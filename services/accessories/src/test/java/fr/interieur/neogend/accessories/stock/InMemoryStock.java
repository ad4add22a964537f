package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemRepository;
import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.accessories.stock.StockHistory.AlertState;
import fr.interieur.neogend.accessories.stock.StockHistory.Movement;
import fr.interieur.neogend.accessories.stock.StockService.Alert;
import fr.interieur.neogend.accessories.stock.StockService.Level;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The stock's ports in memory, for unit tests of its rules (the JDBC adapter is tested by StockIT). */
final class InMemoryStock implements StockRepository {

    final Map<String, String> depots = new TreeMap<>();
    final Map<String, Level> levels = new TreeMap<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<Movement> movements = new ArrayList<>();
    final Map<String, CatalogueItem> items = new TreeMap<>();

    final CatalogueItemRepository catalogue = new CatalogueItemRepository() {
        @Override
        public Optional<CatalogueItem> find(String code) {
            return Optional.ofNullable(code == null ? null : items.get(code));
        }

        @Override
        public boolean insert(
                String code,
                String label,
                ItemCategory category,
                List<String> fitsModels,
                Optional<String> agreementItemCode) {
            return items.putIfAbsent(
                            code, new CatalogueItem(code, label, category, fitsModels, agreementItemCode.orElse(code)))
                    == null;
        }

        @Override
        public List<CatalogueItem> page(Optional<String> after, int limit) {
            return items.values().stream()
                    .filter(i -> after.isEmpty() || i.code().compareTo(after.get()) > 0)
                    .limit(limit)
                    .toList();
        }
    };

    private static String key(String depot, String item) {
        return depot + "|" + item;
    }

    private Level at(String depot, String item) {
        return levels.getOrDefault(key(depot, item), new Level(depot, item, 0, 0, false));
    }

    @Override
    public boolean insertDepot(String code, String name) {
        return depots.putIfAbsent(code, name) == null;
    }

    @Override
    public Optional<String> depotName(String code) {
        return Optional.ofNullable(code == null ? null : depots.get(code));
    }

    @Override
    public void setMinimum(String depot, String item, long minimum) {
        Level l = at(depot, item);
        levels.put(key(depot, item), new Level(depot, item, l.quantity(), minimum, l.belowMinimum()));
    }

    @Override
    public void add(String depot, String item, long quantity) {
        Level l = at(depot, item);
        levels.put(key(depot, item), new Level(depot, item, l.quantity() + quantity, l.minimum(), l.belowMinimum()));
    }

    @Override
    public boolean take(String depot, String item, long quantity) {
        Level l = at(depot, item);
        if (l.quantity() < quantity) {
            return false;
        }
        levels.put(key(depot, item), new Level(depot, item, l.quantity() - quantity, l.minimum(), l.belowMinimum()));
        return true;
    }

    @Override
    public Optional<Level> lockLevel(String depot, String item) {
        return level(depot, item);
    }

    @Override
    public void lockForTransfer(String item, String from, String to) {
        // one thread: nothing to lock
    }

    @Override
    public Optional<Level> level(String depot, String item) {
        return Optional.ofNullable(levels.get(key(depot, item)));
    }

    @Override
    public List<Level> levels(String depot) {
        return levels.values().stream().filter(l -> l.depotCode().equals(depot)).toList();
    }

    @Override
    public void markBelowMinimum(String depot, String item, boolean below) {
        Level l = at(depot, item);
        levels.put(key(depot, item), new Level(depot, item, l.quantity(), l.minimum(), below));
    }

    @Override
    public void raiseAlert(String depot, String item, long quantity, long minimum) {
        alerts.add(new Alert(
                alerts.size() + 1, depot, item, quantity, minimum, Instant.now(), Optional.empty(), Optional.empty()));
    }

    @Override
    public void clearAlerts(String depot, String item) {
        alerts.replaceAll(
                a -> a.open() && a.depotCode().equals(depot) && a.itemCode().equals(item)
                        ? new Alert(
                                a.id(),
                                depot,
                                item,
                                a.quantity(),
                                a.minimum(),
                                a.raisedAt(),
                                a.draftOrderNumber(),
                                Optional.of(Instant.now()))
                        : a);
    }

    @Override
    public void recordMovement(
            MovementKind kind,
            String item,
            String depot,
            Optional<String> toDepot,
            long quantity,
            Optional<String> reference,
            Optional<String> repairId,
            String actor) {
        movements.add(new Movement(
                movements.size() + 1, kind, item, depot, toDepot, quantity, reference, repairId, actor, Instant.now()));
    }

    @Override
    public List<Alert> openAlerts(Optional<String> depot) {
        return alerts.stream()
                .filter(Alert::open)
                .filter(a -> depot.isEmpty() || a.depotCode().equals(depot.get()))
                .toList();
    }

    @Override
    public Optional<Alert> lockAlert(long id) {
        return alerts.stream().filter(a -> a.id() == id).findFirst();
    }

    @Override
    public void recordDraftOrder(long alertId, String orderNumber) {
        alerts.replaceAll(a -> a.id() == alertId
                ? new Alert(
                        a.id(),
                        a.depotCode(),
                        a.itemCode(),
                        a.quantity(),
                        a.minimum(),
                        a.raisedAt(),
                        Optional.of(orderNumber),
                        a.clearedAt())
                : a);
    }

    @Override
    public List<Movement> movements(
            Optional<String> depot,
            Optional<String> item,
            Optional<String> repairId,
            Optional<String> actor,
            Optional<Instant> from,
            Optional<Instant> until,
            long after,
            int limit) {
        return movements.stream()
                .filter(m -> m.id() > after)
                .filter(m -> depot.isEmpty()
                        || m.depotCode().equals(depot.get())
                        || m.toDepotCode().equals(depot))
                .filter(m -> item.isEmpty() || m.itemCode().equals(item.get()))
                .filter(m -> repairId.isEmpty() || m.repairId().equals(repairId))
                .filter(m -> actor.isEmpty() || m.actor().equals(actor.get()))
                .filter(m -> from.isEmpty() || !m.at().isBefore(from.get()))
                .filter(m -> until.isEmpty() || m.at().isBefore(until.get()))
                .limit(limit)
                .toList();
    }

    @Override
    public List<Alert> alerts(Optional<String> depot, AlertState state, long after, int limit) {
        return alerts.stream()
                .filter(a -> a.id() > after)
                .filter(a -> depot.isEmpty() || a.depotCode().equals(depot.get()))
                .filter(a -> state == AlertState.ANY || (state == AlertState.OPEN) == a.open())
                .limit(limit)
                .toList();
    }
}
