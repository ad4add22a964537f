package fr.interieur.neogend.order.purchaseorder;

import java.util.List;
import java.util.Optional;

/** Storage of purchase orders (implemented in the persistence package). */
public interface PurchaseOrderRepository {

    /** At most {@code limit} rows ordered by number, after {@code after} when given. */
    List<PurchaseOrder> page(Optional<String> after, int limit);
}
