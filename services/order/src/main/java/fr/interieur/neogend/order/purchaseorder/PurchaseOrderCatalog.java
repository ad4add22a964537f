package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads purchase orders page by page (keyset pagination on number). */
@Service
public class PurchaseOrderCatalog {

    private static final String FILTERS = "purchase_order";

    private final PurchaseOrderRepository repository;

    public PurchaseOrderCatalog(PurchaseOrderRepository repository) {
        this.repository = repository;
    }

    /** One page of PurchaseOrder rows and the token of the next (empty on the last page). */
    @Transactional(readOnly = true)
    public Page<PurchaseOrder> list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        return page.toPage(repository.page(page.afterKey(), page.fetchSize()), item -> String.valueOf(item.number()),
                FILTERS);
    }
}
