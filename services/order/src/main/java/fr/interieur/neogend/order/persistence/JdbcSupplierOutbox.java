package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.supplier.SupplierMessage;
import fr.interieur.neogend.order.supplier.SupplierOutbox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The supplier outbox in PostgreSQL (table {@code supplier_outbox}: its only writer); payloads as JSON. */
@Repository
class JdbcSupplierOutbox implements SupplierOutbox {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    JdbcSupplierOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void enqueue(SupplierMessage message, Instant at, Instant due) {
        String payload = JSON.writeValueAsString(message);
        switch (message) {
            case SupplierMessage.OrderMessage o ->
                jdbc.sql("""
                            insert into supplier_outbox (order_number, payload, created_at, next_attempt_at)
                            values (?, ?::jsonb, ?, ?)""")
                        .params(o.orderNumber(), payload, Timestamp.from(at), Timestamp.from(due))
                        .update();
            case SupplierMessage.CancellationMessage c ->
                jdbc.sql("""
                            insert into supplier_outbox (order_number, kind, payload, created_at, next_attempt_at)
                            values (?, 'CANCELLATION', ?::jsonb, ?, ?) on conflict do nothing""")
                        .params(c.orderNumber(), payload, Timestamp.from(at), Timestamp.from(due))
                        .update();
            case SupplierMessage.ExchangeMessage e ->
                jdbc.sql("""
                            insert into supplier_outbox (exchange_number, kind, payload, created_at, next_attempt_at)
                            values (?, 'EXCHANGE', ?::jsonb, ?, ?)""")
                        .params(e.exchangeNumber(), payload, Timestamp.from(at), Timestamp.from(due))
                        .update();
        }
    }

    @Override
    public void lockOrder(String orderNumber) {
        jdbc.sql("select id from supplier_outbox where order_number = ? and kind = 'ORDER' for update")
                .param(orderNumber)
                .query(Long.class)
                .list();
    }

    @Override
    public boolean withdrawOrder(String orderNumber) {
        return jdbc.sql(
                                "delete from supplier_outbox where order_number = ? and kind = 'ORDER' and delivered_at is null")
                        .param(orderNumber)
                        .update()
                > 0;
    }

    @Override
    public boolean orderDelivered(String orderNumber) {
        return jdbc.sql("select exists(select 1 from supplier_outbox where order_number = ? "
                        + "and kind = 'ORDER' and delivered_at is not null)")
                .param(orderNumber)
                .query(Boolean.class)
                .single();
    }

    @Override
    public boolean orderMayHaveReached(String orderNumber) {
        return jdbc.sql("select exists(select 1 from supplier_outbox where order_number = ? and kind = 'ORDER' "
                        + "and (delivered_at is not null or (attempts > 0 and refused_at is null)))")
                .param(orderNumber)
                .query(Boolean.class)
                .single();
    }

    @Override
    public List<Due> lockDue(int limit) {
        return jdbc.sql("""
                        select id, kind, payload::text, attempts from supplier_outbox
                        where delivered_at is null and refused_at is null and next_attempt_at <= now()
                        order by id limit ? for update skip locked""")
                .param(limit)
                .query((rs, n) -> new Due(rs.getLong(1), message(rs.getString(2), rs.getString(3)), rs.getInt(4)))
                .list();
    }

    private static SupplierMessage message(String kind, String payload) {
        return switch (kind) {
            case "ORDER" -> JSON.readValue(payload, SupplierMessage.OrderMessage.class);
            case "CANCELLATION" -> JSON.readValue(payload, SupplierMessage.CancellationMessage.class);
            case "EXCHANGE" -> JSON.readValue(payload, SupplierMessage.ExchangeMessage.class);
            default -> throw new IllegalStateException("supplier_outbox holds an unknown kind " + kind);
        };
    }

    @Override
    public void delivered(long id, String supplierReference) {
        jdbc.sql("""
                        update supplier_outbox set delivered_at = now(), attempts = attempts + 1,
                               supplier_reference = ?, last_error = null where id = ?""").params(supplierReference, id).update();
    }

    @Override
    public void orderReceived(String orderNumber, String supplierReference) {
        jdbc.sql("""
                        update supplier_outbox set delivered_at = now(), supplier_reference = ?, last_error = null
                        where order_number = ? and kind = 'ORDER' and delivered_at is null""").params(supplierReference, orderNumber).update();
    }

    @Override
    public void refused(long id, String reason) {
        jdbc.sql("update supplier_outbox set refused_at = now(), attempts = attempts + 1, last_error = ? where id = ?")
                .params(reason, id)
                .update();
    }

    @Override
    public void retryLater(long id, String reason, Duration wait) {
        jdbc.sql("""
                        update supplier_outbox set attempts = attempts + 1, last_error = ?,
                               next_attempt_at = now() + ? * interval '1 millisecond' where id = ?""").params(reason, wait.toMillis(), id).update();
    }
}
