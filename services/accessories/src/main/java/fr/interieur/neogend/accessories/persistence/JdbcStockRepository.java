package fr.interieur.neogend.accessories.persistence;

import fr.interieur.neogend.accessories.stock.MovementKind;
import fr.interieur.neogend.accessories.stock.StockHistory.AlertState;
import fr.interieur.neogend.accessories.stock.StockHistory.Movement;
import fr.interieur.neogend.accessories.stock.StockRepository;
import fr.interieur.neogend.accessories.stock.StockService.Alert;
import fr.interieur.neogend.accessories.stock.StockService.Level;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Depots, levels, movements and alerts in PostgreSQL (tables {@code depot}, {@code stock_level},
 * {@code stock_movement}, {@code stock_alert}: their only writer).
 */
@Repository
class JdbcStockRepository implements StockRepository {

    private static final RowMapper<Alert> ALERT = (rs, n) -> new Alert(
            rs.getLong("id"),
            rs.getString("depot_code"),
            rs.getString("item_code"),
            rs.getLong("quantity"),
            rs.getLong("minimum"),
            rs.getTimestamp("raised_at").toInstant(),
            Optional.ofNullable(rs.getString("draft_order_number")),
            Optional.ofNullable(rs.getTimestamp("cleared_at")).map(Timestamp::toInstant));

    private static final RowMapper<Level> LEVEL = (rs, n) -> new Level(
            rs.getString("depot_code"),
            rs.getString("item_code"),
            rs.getLong("quantity"),
            rs.getLong("minimum"),
            rs.getBoolean("below_minimum"));

    private static final RowMapper<Movement> MOVEMENT = (rs, n) -> new Movement(
            rs.getLong("id"),
            MovementKind.valueOf(rs.getString("kind")),
            rs.getString("item_code"),
            rs.getString("depot_code"),
            Optional.ofNullable(rs.getString("to_depot_code")),
            rs.getLong("quantity"),
            Optional.ofNullable(rs.getString("reference")),
            Optional.ofNullable(rs.getString("repair_id")),
            rs.getString("actor"),
            rs.getTimestamp("at").toInstant());

    private final JdbcClient jdbc;

    JdbcStockRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean insertDepot(String code, String name) {
        return jdbc.sql("insert into depot (code, name, created_at) values (?, ?, now()) on conflict (code) do nothing")
                        .params(code, name)
                        .update()
                == 1;
    }

    @Override
    public Optional<String> depotName(String code) {
        return jdbc.sql("select name from depot where code = ?")
                .param(code == null ? "" : code)
                .query(String.class)
                .optional();
    }

    @Override
    public void setMinimum(String depot, String item, long minimum) {
        jdbc.sql("""
                        insert into stock_level (depot_code, item_code, minimum) values (?, ?, ?)
                        on conflict (depot_code, item_code) do update set minimum = excluded.minimum""").params(depot, item, minimum).update();
    }

    @Override
    public void add(String depot, String item, long quantity) {
        jdbc.sql("""
                        insert into stock_level (depot_code, item_code, quantity) values (?, ?, ?)
                        on conflict (depot_code, item_code) do update set quantity = stock_level.quantity + excluded.quantity""").params(depot, item, quantity).update();
    }

    @Override
    public boolean take(String depot, String item, long quantity) {
        return jdbc.sql("update stock_level set quantity = quantity - ? where depot_code = ? and item_code = ? "
                                + "and quantity >= ?")
                        .params(quantity, depot, item, quantity)
                        .update()
                == 1;
    }

    @Override
    public void lockForTransfer(String item, String from, String to) {
        jdbc.sql("insert into stock_level (depot_code, item_code, quantity) values (?, ?, 0) on conflict do nothing")
                .params(to, item)
                .update();
        // rows are locked as the sorted result is read: in depot order whatever the transfer's direction
        jdbc.sql("""
                        select depot_code from stock_level where item_code = ? and depot_code in (?, ?)
                        order by depot_code for update""").params(item, from, to).query(String.class).list();
    }

    @Override
    public Optional<Level> lockLevel(String depot, String item) {
        return jdbc.sql("select * from stock_level where depot_code = ? and item_code = ? for update")
                .params(depot, item)
                .query(LEVEL)
                .optional();
    }

    @Override
    public Optional<Level> level(String depot, String item) {
        return jdbc.sql("select * from stock_level where depot_code = ? and item_code = ?")
                .params(depot, item)
                .query(LEVEL)
                .optional();
    }

    @Override
    public List<Level> levels(String depot) {
        return jdbc.sql("select * from stock_level where depot_code = ? order by item_code")
                .param(depot)
                .query(LEVEL)
                .list();
    }

    @Override
    public void markBelowMinimum(String depot, String item, boolean below) {
        jdbc.sql("update stock_level set below_minimum = ? where depot_code = ? and item_code = ?")
                .params(below, depot, item)
                .update();
    }

    /**
     * Movements and alerts are listed page after page by id, a page starting after the last id of the
     * previous one: an id taken by a transaction still running (a consumption whose part row is not written
     * yet) would commit behind a page already past it and never be listed. Their writers take ids one
     * transaction at a time, from the first id to the commit (the lock is released with the transaction),
     * so rows become visible in the order of their ids. It is taken after the stock rows' locks (every
     * writer locks its levels first), so it never waits in a cycle with them.
     */
    private void takeIdsInCommitOrder() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('stock_movement and stock_alert ids'))")
                .query((rs, n) -> 1)
                .list();
    }

    @Override
    public void raiseAlert(String depot, String item, long quantity, long minimum) {
        takeIdsInCommitOrder();
        jdbc.sql(
                        "insert into stock_alert (depot_code, item_code, quantity, minimum, raised_at) values (?, ?, ?, ?, now())")
                .params(depot, item, quantity, minimum)
                .update();
    }

    @Override
    public void clearAlerts(String depot, String item) {
        jdbc.sql(
                        "update stock_alert set cleared_at = now() where depot_code = ? and item_code = ? and cleared_at is null")
                .params(depot, item)
                .update();
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
        takeIdsInCommitOrder();
        jdbc.sql("""
                        insert into stock_movement (kind, item_code, depot_code, to_depot_code, quantity, reference,
                                                    repair_id, actor, at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, now())""")
                .params(
                        kind.name(),
                        item,
                        depot,
                        toDepot.orElse(null),
                        quantity,
                        reference.orElse(null),
                        repairId.orElse(null),
                        actor)
                .update();
    }

    @Override
    public List<Alert> openAlerts(Optional<String> depot) {
        return jdbc.sql("select * from stock_alert where cleared_at is null and (? = '' or depot_code = ?) "
                        + "order by raised_at, id")
                .params(depot.orElse(""), depot.orElse(""))
                .query(ALERT)
                .list();
    }

    @Override
    public Optional<Alert> lockAlert(long id) {
        return jdbc.sql("select * from stock_alert where id = ? for update")
                .param(id)
                .query(ALERT)
                .optional();
    }

    @Override
    public void recordDraftOrder(long alertId, String orderNumber) {
        jdbc.sql("update stock_alert set draft_order_number = ? where id = ?")
                .params(orderNumber, alertId)
                .update();
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
        return jdbc.sql("""
                        select * from stock_movement
                        where id > :after
                          and (:depot::text is null or depot_code = :depot or to_depot_code = :depot)
                          and (:item::text is null or item_code = :item)
                          and (:repair::text is null or repair_id = :repair)
                          and (:actor::text is null or actor = :actor)
                          and (:from::timestamptz is null or at >= :from)
                          and (:until::timestamptz is null or at < :until)
                        order by id limit :limit""")
                .param("after", after)
                .param("depot", depot.orElse(null))
                .param("item", item.orElse(null))
                .param("repair", repairId.orElse(null))
                .param("actor", actor.orElse(null))
                .param("from", from.map(Timestamp::from).orElse(null))
                .param("until", until.map(Timestamp::from).orElse(null))
                .param("limit", limit)
                .query(MOVEMENT)
                .list();
    }

    @Override
    public List<Alert> alerts(Optional<String> depot, AlertState state, long after, int limit) {
        return jdbc.sql("""
                        select * from stock_alert
                        where id > :after and (:depot::text is null or depot_code = :depot)
                          and (:state = 'ANY' or (:state = 'OPEN') = (cleared_at is null))
                        order by id limit :limit""")
                .param("after", after)
                .param("depot", depot.orElse(null))
                .param("state", state.name())
                .param("limit", limit)
                .query(ALERT)
                .list();
    }
}
