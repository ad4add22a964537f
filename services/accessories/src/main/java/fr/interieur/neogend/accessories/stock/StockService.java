package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final Set<String> KINDS = Set.of("RECEIPT", "ISSUE", "TRANSFER", "CONSUMPTION");

    private final JdbcClient jdbc;

    public StockService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The stock of an item in a depot. */
    public record Level(String depotCode, String itemCode, long quantity, long minimum, boolean belowMinimum) {
    }

    /** An alert (open until the stock climbs back), and the replenishment draft order proposed for it. */
    public record Alert(long id, String depotCode, String itemCode, long quantity, long minimum, Instant raisedAt,
                        Optional<String> draftOrderNumber, Optional<Instant> clearedAt) {

        public boolean open() {
            return clearedAt.isEmpty();
        }
    }

    static final RowMapper<Alert> ALERT = (rs, n) -> new Alert(rs.getLong("id"), rs.getString("depot_code"),
            rs.getString("item_code"), rs.getLong("quantity"), rs.getLong("minimum"),
            rs.getTimestamp("raised_at").toInstant(), Optional.ofNullable(rs.getString("draft_order_number")),
            Optional.ofNullable(rs.getTimestamp("cleared_at")).map(java.sql.Timestamp::toInstant));

    private static final RowMapper<Level> LEVEL = (rs, n) -> new Level(rs.getString("depot_code"),
            rs.getString("item_code"), rs.getLong("quantity"), rs.getLong("minimum"), rs.getBoolean("below_minimum"));

    @Transactional
    public void createItem(String code, String label, String category, List<String> fitsModels,
                           String agreementItemCode) {
        Validation v = new Validation();
        v.check(code != null && CODE.matcher(code).matches(), "item.code", "must be 2 to 64 upper-case letters, digits, '-'");
        v.check(label != null && TEXT.matcher(label).matches(), "item.label", "is required: 1 to 200 characters");
        v.check("ACCESSORY".equals(category) || "SPARE_PART".equals(category), "item.category",
                "must be ACCESSORY or SPARE_PART");
        fitsModels.forEach(m -> v.check(TEXT.matcher(m).matches(), "item.fits_models", "1 to 200 characters each"));
        v.check(agreementItemCode == null || agreementItemCode.isEmpty() || CODE.matcher(agreementItemCode).matches(),
                "item.agreement_item_code", "must be 2 to 64 upper-case letters, digits, '-'");
        v.throwIfInvalid();
        if (jdbc.sql("insert into catalogue_item (code, label, category, fits_models, agreement_item_code) "
                        + "values (?, ?, ?, ?, ?) on conflict (code) do nothing")
                .params(code, label.trim(), category, fitsModels.toArray(String[]::new),
                        agreementItemCode == null || agreementItemCode.isEmpty() ? null : agreementItemCode)
                .update() == 0) {
            throw new AlreadyExistsException("a catalogue item " + code + " exists already");
        }
    }

    @Transactional
    public void createDepot(String code, String name) {
        Validation v = new Validation();
        v.check(code != null && CODE.matcher(code).matches(), "code", "must be 2 to 40 upper-case letters, digits, '-'");
        v.check(name != null && TEXT.matcher(name).matches(), "name", "is required: 1 to 200 characters");
        v.throwIfInvalid();
        if (jdbc.sql("insert into depot (code, name, created_at) values (?, ?, now()) on conflict (code) do nothing")
                .params(code, name.trim()).update() == 0) {
            throw new AlreadyExistsException("a depot " + code + " exists already");
        }
    }

    @Transactional
    public Level setMinimum(String depot, String item, long minimum) {
        if (minimum < 0) {
            throw InvalidArgumentException.of("minimum", "must not be negative");
        }
        requireDepotAndItem(depot, item, "depot_code");
        jdbc.sql("""
                        insert into stock_level (depot_code, item_code, minimum) values (?, ?, ?)
                        on conflict (depot_code, item_code) do update set minimum = excluded.minimum""")
                .params(depot, item, minimum).update();
        return checkMinimum(depot, item);
    }

    /** Records a movement and returns the levels it changed. */
    @Transactional
    public List<Level> move(String kind, String item, String depot, Optional<String> toDepot, long quantity,
                            Optional<String> reference, Caller caller) {
        return move(kind, item, depot, toDepot, quantity, reference, Optional.empty(), caller);
    }

    /** Records a movement (a part consumed in {@code repairId}, if given) and returns the levels it changed. */
    @Transactional
    public List<Level> move(String kind, String item, String depot, Optional<String> toDepot, long quantity,
                            Optional<String> reference, Optional<String> repairId, Caller caller) {
        Validation v = new Validation();
        v.check(kind != null && KINDS.contains(kind), "kind", "must be RECEIPT, ISSUE, TRANSFER or CONSUMPTION");
        v.check(quantity >= 1 && quantity <= 1_000_000, "quantity", "must be 1 to 1,000,000");
        v.check("TRANSFER".equals(kind) == toDepot.isPresent(), "to_depot_code",
                "is required for a transfer and only for one");
        v.check(toDepot.filter(depot::equals).isEmpty(), "to_depot_code", "must be another depot");
        reference.ifPresent(r -> v.check(TEXT.matcher(r).matches(), "reference", "at most 200 characters"));
        v.throwIfInvalid();
        requireDepotAndItem(depot, item, "depot_code");
        toDepot.ifPresent(t -> requireDepotAndItem(t, item, "to_depot_code"));
        List<Level> changed = new ArrayList<>();
        if (kind.equals("RECEIPT")) {
            changed.add(add(depot, item, quantity));
        } else {
            changed.add(take(depot, item, quantity));
            toDepot.ifPresent(t -> changed.add(add(t, item, quantity)));
        }
        jdbc.sql("""
                        insert into stock_movement (kind, item_code, depot_code, to_depot_code, quantity, reference,
                                                    repair_id, actor, at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, now())""")
                .params(kind, item, depot, toDepot.orElse(null), quantity, reference.orElse(null),
                        repairId.orElse(null), caller.username())
                .update();
        return changed;
    }

    private Level add(String depot, String item, long quantity) {
        jdbc.sql("""
                        insert into stock_level (depot_code, item_code, quantity) values (?, ?, ?)
                        on conflict (depot_code, item_code) do update set quantity = stock_level.quantity + excluded.quantity""")
                .params(depot, item, quantity).update();
        return checkMinimum(depot, item);
    }

    private Level take(String depot, String item, long quantity) {
        int rows = jdbc.sql("update stock_level set quantity = quantity - ? where depot_code = ? and item_code = ? "
                        + "and quantity >= ?")
                .params(quantity, depot, item, quantity).update();
        if (rows == 0) {
            long there = jdbc.sql("select coalesce(max(quantity), 0) from stock_level where depot_code = ? and item_code = ?")
                    .params(depot, item).query(Long.class).single();
            throw new PreconditionFailedException("only " + there + " of " + item + " in " + depot + "; cannot take "
                    + quantity);
        }
        return checkMinimum(depot, item);
    }

    /** Raises an alert on crossing below the minimum, clears it when back at or above (row already locked). */
    private Level checkMinimum(String depot, String item) {
        Level l = jdbc.sql("select * from stock_level where depot_code = ? and item_code = ? for update")
                .params(depot, item).query(LEVEL).single();
        boolean below = l.quantity() < l.minimum();
        if (below && !l.belowMinimum()) {
            jdbc.sql("insert into stock_alert (depot_code, item_code, quantity, minimum, raised_at) values (?, ?, ?, ?, now())")
                    .params(depot, item, l.quantity(), l.minimum()).update();
        } else if (!below && l.belowMinimum()) {
            jdbc.sql("update stock_alert set cleared_at = now() where depot_code = ? and item_code = ? and cleared_at is null")
                    .params(depot, item).update();
        }
        if (below != l.belowMinimum()) {
            jdbc.sql("update stock_level set below_minimum = ? where depot_code = ? and item_code = ?")
                    .params(below, depot, item).update();
        }
        return new Level(depot, item, l.quantity(), l.minimum(), below);
    }

    @Transactional(readOnly = true)
    public List<Level> stock(String depot) {
        if (!jdbc.sql("select exists(select 1 from depot where code = ?)").param(depot).query(Boolean.class).single()) {
            throw new NotFoundException("no depot " + depot);
        }
        return jdbc.sql("select * from stock_level where depot_code = ? order by item_code").param(depot)
                .query(LEVEL).list();
    }

    @Transactional(readOnly = true)
    public List<Alert> openAlerts(Optional<String> depot) {
        return jdbc.sql("select * from stock_alert where cleared_at is null and (? = '' or depot_code = ?) "
                        + "order by raised_at, id")
                .params(depot.orElse(""), depot.orElse(""))
                .query(ALERT).list();
    }

    /** An alert, open or not, locked until the transaction ends. */
    public Alert lockAlert(long id) {
        return jdbc.sql("select * from stock_alert where id = ? for update").param(id).query(ALERT).optional()
                .orElseThrow(() -> new NotFoundException("no stock alert " + id));
    }

    /** The current level of an item in a depot (zero when never stocked). */
    @Transactional(readOnly = true)
    public Level level(String depot, String item) {
        return jdbc.sql("select * from stock_level where depot_code = ? and item_code = ?").params(depot, item)
                .query(LEVEL).optional().orElse(new Level(depot, item, 0, 0, false));
    }

    /** A depot's name. */
    @Transactional(readOnly = true)
    public String depotName(String depot) {
        return jdbc.sql("select name from depot where code = ?").param(depot).query(String.class).optional()
                .orElseThrow(() -> new NotFoundException("no depot " + depot));
    }

    /** Records the draft order proposed for an alert (the alert row is locked by the caller). */
    public void recordDraftOrder(long alertId, String orderNumber) {
        jdbc.sql("update stock_alert set draft_order_number = ? where id = ?").params(orderNumber, alertId).update();
    }

    private void requireDepotAndItem(String depot, String item, String field) {
        if (!jdbc.sql("select exists(select 1 from depot where code = ?)").param(depot == null ? "" : depot)
                .query(Boolean.class).single()) {
            throw InvalidArgumentException.of(field, "no depot " + depot);
        }
        if (!jdbc.sql("select exists(select 1 from catalogue_item where code = ?)").param(item == null ? "" : item)
                .query(Boolean.class).single()) {
            throw InvalidArgumentException.of("item_code", "no catalogue item " + item);
        }
    }
}
