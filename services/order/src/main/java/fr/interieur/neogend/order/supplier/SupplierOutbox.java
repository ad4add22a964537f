package fr.interieur.neogend.order.supplier;

import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.SupplierQueue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;

/**
 * Approved orders waiting to reach the supplier, written in the approval's transaction (rule 6: an
 * approved order is never lost); {@link SupplierRelay} sends them.
 */
@Component
class SupplierOutbox implements SupplierQueue {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    SupplierOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void enqueue(PurchaseOrder order, Instant at) {
        var message = new SupplierOrderIntakeClient.OrderMessage(order.number(), order.agreementId(),
                order.deliverySite(), order.requestedDate().toString(), order.lines().stream()
                .map(l -> new SupplierOrderIntakeClient.Line(l.itemCode(), l.quantity(), l.unitPrice().toPlainString()))
                .toList());
        jdbc.sql("""
                        insert into supplier_outbox (order_number, payload, created_at, next_attempt_at)
                        values (?, ?::jsonb, ?, ?)""")
                .params(order.number(), JSON.writeValueAsString(message), Timestamp.from(at), Timestamp.from(at))
                .update();
    }

    @Override
    public void cancelled(PurchaseOrder order, String reason, Instant at) {
        // an order being sent right now is locked by the relay: this waits, then sees it delivered
        jdbc.sql("delete from supplier_outbox where order_number = ? and kind = 'ORDER' and delivered_at is null")
                .param(order.number()).update();
        boolean received = jdbc.sql("select exists(select 1 from supplier_outbox where order_number = ? "
                + "and kind = 'ORDER' and delivered_at is not null)").param(order.number()).query(Boolean.class).single();
        if (received) {
            var message = new SupplierOrderIntakeClient.CancellationMessage(order.number(), order.agreementId(), reason,
                    at.toString());
            jdbc.sql("""
                            insert into supplier_outbox (order_number, kind, payload, created_at, next_attempt_at)
                            values (?, 'CANCELLATION', ?::jsonb, ?, ?) on conflict do nothing""")
                    .params(order.number(), JSON.writeValueAsString(message), Timestamp.from(at), Timestamp.from(at))
                    .update();
        }
    }
}
