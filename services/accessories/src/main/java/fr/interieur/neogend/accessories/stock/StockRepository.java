package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.stock.StockHistory.AlertState;
import fr.interieur.neogend.accessories.stock.StockHistory.Movement;
import fr.interieur.neogend.accessories.stock.StockService.Alert;
import fr.interieur.neogend.accessories.stock.StockService.Level;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Storage of depots, stock levels, movements and alerts (tables {@code depot}, {@code stock_level},
 * {@code stock_movement}, {@code stock_alert}, owned by the persistence adapter implementing this port).
 */
public interface StockRepository {

    /** Stores a new depot; false when one of that code exists already (nothing changed). */
    boolean insertDepot(String code, String name);

    /** A depot's name. */
    Optional<String> depotName(String code);

    /** Sets the minimum of an item in a depot (a level of zero is created if there was none). */
    void setMinimum(String depot, String item, long minimum);

    /** Adds to the level of an item in a depot (created if there was none). */
    void add(String depot, String item, long quantity);

    /**
     * Takes from the level only if as much is there, in one conditional update (the row lock orders
     * concurrent movements); false when it would go below zero (nothing changed).
     */
    boolean take(String depot, String item, long quantity);

    /** The level of an item in a depot, locked until the transaction ends. */
    Optional<Level> lockLevel(String depot, String item);

    /**
     * Locks the item's levels in both depots of a transfer, in the order of their codes (the destination's
     * created at zero if there was none): two transfers between the same depots in opposite directions then
     * wait for each other instead of deadlocking.
     */
    void lockForTransfer(String item, String from, String to);

    /** The level of an item in a depot. */
    Optional<Level> level(String depot, String item);

    /** A depot's levels by item code. */
    List<Level> levels(String depot);

    /** Marks whether a level is below its minimum (so the next crossing is known). */
    void markBelowMinimum(String depot, String item, boolean below);

    /** Raises an alert for a level that crossed below its minimum. */
    void raiseAlert(String depot, String item, long quantity, long minimum);

    /** Clears the open alerts of an item in a depot (it climbed back). */
    void clearAlerts(String depot, String item);

    /** Records a movement, stamped now. */
    void recordMovement(
            MovementKind kind,
            String item,
            String depot,
            Optional<String> toDepot,
            long quantity,
            Optional<String> reference,
            Optional<String> repairId,
            String actor);

    /** Open alerts, of one depot when given, oldest first. */
    List<Alert> openAlerts(Optional<String> depot);

    /** An alert, locked until the transaction ends. */
    Optional<Alert> lockAlert(long id);

    /** Records the draft order proposed for an alert. */
    void recordDraftOrder(long alertId, String orderNumber);

    /**
     * Movements after the id {@code after} matching every filter given (a depot: in or out), recorded in
     * [{@code from}, {@code until}) when given, in the order recorded, at most {@code limit}.
     */
    List<Movement> movements(
            Optional<String> depot,
            Optional<String> item,
            Optional<String> repairId,
            Optional<String> actor,
            Optional<Instant> from,
            Optional<Instant> until,
            long after,
            int limit);

    /** Alerts after the id {@code after}, of one depot when given, in a state, oldest first. */
    List<Alert> alerts(Optional<String> depot, AlertState state, long after, int limit);
}
