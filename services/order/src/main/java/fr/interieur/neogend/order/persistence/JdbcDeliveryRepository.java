package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.delivery.Delivery;
import fr.interieur.neogend.order.delivery.DeliveryRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Deliveries, delivered devices and items in PostgreSQL. */
@Repository
class JdbcDeliveryRepository implements DeliveryRepository {

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    JdbcDeliveryRepository(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public String nextId() {
        return String.format(
                "BL-%06d",
                jdbc.sql("select nextval('delivery_number')").query(Long.class).single());
    }

    @Override
    public boolean insert(Delivery d, String actor) {
        int rows = jdbc.sql("""
                        insert into delivery (id, order_number, agreement_id, delivery_note_number, state, created_at,
                                              created_by)
                        values (?, ?, ?, ?, ?, ?, ?) on conflict (agreement_id, delivery_note_number) do nothing""")
                .params(
                        d.id(),
                        d.orderNumber(),
                        d.agreementId(),
                        d.deliveryNoteNumber(),
                        d.state().name(),
                        Timestamp.from(d.createdAt()),
                        actor)
                .update();
        if (rows == 0) {
            return false;
        }
        jdbcTemplate.batchUpdate("""
                insert into delivered_device (imei, delivery_id, item_code, serial_number, model, kind)
                values (?, ?, ?, ?, ?, ?)""", d.devices(), 1000, (ps, dev) -> {
            ps.setString(1, dev.imei());
            ps.setString(2, d.id());
            ps.setString(3, dev.itemCode());
            ps.setString(4, dev.serialNumber());
            ps.setString(5, dev.model());
            ps.setString(6, dev.kind());
        });
        for (Delivery.Item item : d.items()) {
            jdbc.sql("insert into delivered_item (delivery_id, item_code, quantity) values (?, ?, ?)")
                    .params(d.id(), item.itemCode(), item.quantity())
                    .update();
        }
        return true;
    }

    @Override
    public Optional<Delivery> find(String id) {
        List<Delivery.Device> devices = jdbc.sql("""
                        select imei, serial_number, model, kind, item_code, received_on from delivered_device
                        where delivery_id = ? order by imei""")
                .param(id)
                .query((rs, n) -> new Delivery.Device(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        Optional.ofNullable(rs.getDate(6)).map(Date::toLocalDate)))
                .list();
        List<Delivery.Item> items = jdbc.sql("""
                        select item_code, quantity, received_quantity from delivered_item where delivery_id = ?
                        order by item_code""")
                .param(id)
                .query((rs, n) -> new Delivery.Item(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                .list();
        return jdbc.sql("select * from delivery where id = ?")
                .param(id)
                .query((rs, n) -> new Delivery(
                        rs.getString("id"),
                        rs.getString("order_number"),
                        rs.getString("agreement_id"),
                        rs.getString("delivery_note_number"),
                        Delivery.State.valueOf(rs.getString("state")),
                        devices,
                        items,
                        rs.getTimestamp("created_at").toInstant()))
                .optional();
    }

    @Override
    public List<Delivery> ofOrder(String orderNumber) {
        return jdbc
                .sql("select id from delivery where order_number = ? order by id")
                .param(orderNumber)
                .query(String.class)
                .list()
                .stream()
                .map(id -> find(id).orElseThrow())
                .toList();
    }

    @Override
    public Map<String, Long> deliveredPerLine(String orderNumber) {
        return perLine(orderNumber, "count(*)", "quantity", "");
    }

    @Override
    public Map<String, Long> receivedPerLine(String orderNumber) {
        return perLine(orderNumber, "count(*)", "received_quantity", " and dd.received_on is not null");
    }

    private Map<String, Long> perLine(String orderNumber, String deviceCount, String itemColumn, String deviceFilter) {
        Map<String, Long> units = new HashMap<>();
        jdbc.sql("select dd.item_code, " + deviceCount
                        + " from delivered_device dd join delivery d on d.id = dd.delivery_id "
                        + "where d.order_number = ?" + deviceFilter + " group by dd.item_code")
                .param(orderNumber)
                .query((rs, n) -> units.merge(rs.getString(1), rs.getLong(2), Long::sum))
                .list();
        jdbc.sql("select di.item_code, sum(di." + itemColumn + ") from delivered_item di join delivery d "
                        + "on d.id = di.delivery_id where d.order_number = ? group by di.item_code")
                .param(orderNumber)
                .query((rs, n) -> units.merge(rs.getString(1), rs.getLong(2), Long::sum))
                .list();
        return units;
    }

    @Override
    public Set<String> deliveredImeis(Collection<String> imeis) {
        if (imeis.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("select imei from delivered_device where imei = any(?::char(15)[])")
                .param(imeis.toArray(String[]::new))
                .query(String.class)
                .list());
    }

    @Override
    public void receive(
            String deliveryId, Collection<String> imeis, Map<String, Long> items, LocalDate day, Delivery.State state) {
        if (!imeis.isEmpty()) {
            jdbc.sql("update delivered_device set received_on = ? where delivery_id = ? and imei = any(?::char(15)[]) "
                            + "and received_on is null")
                    .params(Date.valueOf(day), deliveryId, imeis.toArray(String[]::new))
                    .update();
        }
        items.forEach((code, qty) -> {
            jdbc.sql("update delivered_item set received_quantity = received_quantity + ? "
                            + "where delivery_id = ? and item_code = ?")
                    .params(qty, deliveryId, code)
                    .update();
            jdbc.sql("insert into item_reception (delivery_id, item_code, quantity, received_on) values (?, ?, ?, ?)")
                    .params(deliveryId, code, qty, Date.valueOf(day))
                    .update();
        });
        jdbc.sql("update delivery set state = ? where id = ?")
                .params(state.name(), deliveryId)
                .update();
    }
}
