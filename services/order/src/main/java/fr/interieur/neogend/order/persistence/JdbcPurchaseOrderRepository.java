package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderLine;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import fr.interieur.neogend.order.purchaseorder.OrderTransition;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Purchase orders, lines and transitions in PostgreSQL. */
@Repository
class JdbcPurchaseOrderRepository implements PurchaseOrderRepository {

    /** A listing's cursor as {@code PurchaseOrderService.cursor} writes it: creation time in µs, then the number. */
    private static final java.util.regex.Pattern CURSOR =
            java.util.regex.Pattern.compile("(-?[0-9]{1,19})\\|(BC-[0-9]{4}-[0-9]{6,19})");

    private static final Instant FIRST_CURSOR_TIME = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST_CURSOR_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final JdbcClient jdbc;

    JdbcPurchaseOrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    private static RowMapper<PurchaseOrder> row(List<OrderLine> lines, List<OrderTransition> transitions) {
        return (rs, n) -> new PurchaseOrder(
                rs.getString("number"),
                rs.getString("agreement_id"),
                OrderState.valueOf(rs.getString("state")),
                rs.getString("delivery_site"),
                rs.getDate("requested_date").toLocalDate(),
                rs.getInt("fiscal_year"),
                new Money(rs.getBigDecimal("amount")),
                rs.getLong("pack_count"),
                lines,
                transitions,
                rs.getTimestamp("created_at").toInstant(),
                rs.getLong("version"));
    }

    @Override
    public String nextNumber(int fiscalYear) {
        long n = jdbc.sql("select nextval('purchase_order_number')")
                .query(Long.class)
                .single();
        return String.format("BC-%04d-%06d", fiscalYear, n);
    }

    @Override
    public boolean keepServiceKey(String number, String serviceKey) {
        try {
            return jdbc.sql("update purchase_order set service_key = ? where number = ?")
                            .params(serviceKey, number)
                            .update()
                    == 1;
        } catch (org.springframework.dao.DuplicateKeyException e) { // a concurrent first call committed it first
            return false;
        }
    }

    @Override
    public Optional<String> numberOfServiceKey(String serviceKey) {
        return jdbc.sql("select number from purchase_order where service_key = ?")
                .param(serviceKey)
                .query(String.class)
                .optional();
    }

    @Override
    public void insert(PurchaseOrder o, String actor) {
        jdbc.sql("""
                        insert into purchase_order (number, agreement_id, state, delivery_site, requested_date, fiscal_year,
                                                    amount, pack_count, created_at, created_by, updated_at, version)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        o.number(),
                        o.agreementId(),
                        o.state().name(),
                        o.deliverySite(),
                        Date.valueOf(o.requestedDate()),
                        o.fiscalYear(),
                        o.amount().euros(),
                        o.packCount(),
                        Timestamp.from(o.createdAt()),
                        actor,
                        Timestamp.from(o.createdAt()),
                        o.version())
                .update();
        for (int i = 0; i < o.lines().size(); i++) {
            OrderLine l = o.lines().get(i);
            jdbc.sql("""
                            insert into purchase_order_line (order_number, line_no, item_code, kind, pack_type, quantity,
                                                             unit_price)
                            values (?, ?, ?, ?, ?, ?, ?)""")
                    .params(
                            o.number(),
                            i + 1,
                            l.itemCode(),
                            l.kind().name(),
                            l.packType().orElse(null),
                            l.quantity(),
                            l.unitPrice().euros())
                    .update();
        }
        o.transitions().forEach(t -> insertTransition(o.number(), t));
    }

    private void insertTransition(String number, OrderTransition t) {
        jdbc.sql("""
                        insert into purchase_order_transition (order_number, from_state, to_state, actor, at, reason)
                        values (?, ?, ?, ?, ?, ?)""")
                .params(
                        number,
                        t.from().map(Enum::name).orElse(null),
                        t.to().name(),
                        t.actor(),
                        Timestamp.from(t.at()),
                        t.reason().orElse(null))
                .update();
    }

    @Override
    public void lock(String number) {
        jdbc.sql("select number from purchase_order where number = ? for update")
                .param(number)
                .query(String.class)
                .optional();
    }

    @Override
    public Optional<PurchaseOrder> find(String number) {
        List<OrderLine> lines = jdbc.sql("""
                        select item_code, kind, pack_type, quantity, unit_price from purchase_order_line
                        where order_number = ? order by line_no""")
                .param(number)
                .query((rs, n) -> new OrderLine(
                        rs.getString(1),
                        ItemKind.valueOf(rs.getString(2)),
                        Optional.ofNullable(rs.getString(3)),
                        rs.getLong(4),
                        new Money(rs.getBigDecimal(5))))
                .list();
        List<OrderTransition> transitions = jdbc.sql("""
                        select from_state, to_state, actor, at, reason from purchase_order_transition
                        where order_number = ? order by id""")
                .param(number)
                .query((rs, n) -> new OrderTransition(
                        Optional.ofNullable(rs.getString(1)).map(OrderState::valueOf),
                        OrderState.valueOf(rs.getString(2)),
                        rs.getString(3),
                        rs.getTimestamp(4).toInstant(),
                        Optional.ofNullable(rs.getString(5))))
                .list();
        return jdbc.sql("select * from purchase_order where number = ?")
                .param(number)
                .query(row(lines, transitions))
                .optional();
    }

    @Override
    public boolean changeState(String number, long expectedVersion, OrderTransition t) {
        int rows = jdbc.sql("update purchase_order set state = ?, updated_at = ?, version = version + 1 "
                        + "where number = ? and version = ?")
                .params(t.to().name(), Timestamp.from(t.at()), number, expectedVersion)
                .update();
        if (rows != 1) {
            return false;
        }
        insertTransition(number, t);
        return true;
    }

    @Override
    public List<PurchaseOrder> list(
            Optional<OrderState> state,
            Collection<String> agreementIds,
            Collection<OrderState> states,
            boolean reachedSupplier,
            Optional<String> after,
            int limit) {
        StringBuilder sql = new StringBuilder("select * from purchase_order where state = any(?::varchar[])");
        List<Object> args = new ArrayList<>();
        args.add(states.stream().map(Enum::name).toArray(String[]::new));
        if (reachedSupplier) { // a supplier's listing: a cancelled order only if it was sent
            sql.append(" and (state <> 'CANCELLED' or exists (select 1 from purchase_order_transition t"
                    + " where t.order_number = purchase_order.number and t.to_state = 'SENT'))");
        }
        state.ifPresent(s -> {
            sql.append(" and state = ?");
            args.add(s.name());
        });
        if (!agreementIds.isEmpty()) {
            sql.append(" and agreement_id = any(?::varchar[])");
            args.add(agreementIds.toArray(String[]::new));
        }
        after.ifPresent(cursor -> {
            // a token is opaque, not sealed: a forged one (a NUL, a time PostgreSQL cannot hold) is refused here,
            // never sent to the database as it came
            java.util.regex.Matcher key = CURSOR.matcher(cursor);
            Instant at;
            try {
                at = key.matches() ? Instant.EPOCH.plus(Long.parseLong(key.group(1)), ChronoUnit.MICROS) : null;
            } catch (RuntimeException e) {
                at = null;
            }
            if (at == null || at.isBefore(FIRST_CURSOR_TIME) || at.isAfter(LAST_CURSOR_TIME)) {
                throw InvalidArgumentException.of("page_token", "is not a token of this listing");
            }
            sql.append(" and (created_at, number) < (?, ?)");
            args.add(Timestamp.from(at));
            args.add(key.group(2));
        });
        sql.append(" order by created_at desc, number desc limit ?");
        args.add(limit);
        return jdbc.sql(sql.toString())
                .params(args)
                .query(row(List.of(), List.of()))
                .list();
    }
}
