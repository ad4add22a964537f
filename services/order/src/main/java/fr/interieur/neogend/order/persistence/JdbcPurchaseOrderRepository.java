package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

/** PurchaseOrder rows in PostgreSQL (table {@code purchase_order}). */
@Repository
class JdbcPurchaseOrderRepository implements PurchaseOrderRepository {

    private static final RowMapper<PurchaseOrder> ROW = (rs, n) -> new PurchaseOrder(
            rs.getString("number"),
            rs.getString("state"),
            rs.getLong("pack_count"));

    private final JdbcClient jdbc;

    JdbcPurchaseOrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<PurchaseOrder> page(Optional<String> after, int limit) {
        return jdbc.sql("select number, state, pack_count from purchase_order where (:after::text is null or number > :after) "
                        + "order by number limit :limit")
                .param("after", after.orElse(null))
                .param("limit", limit)
                .query(ROW).list();
    }
}
