package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/** Reads purchase orders page by page (keyset pagination on number). */
@Service
public class PurchaseOrderCatalog {

    private static final String FILTERS = "purchase_order";

    /** One page and the token of the next (empty on the last page). */
    public record Page(List<PurchaseOrder> items, String nextPageToken) {
    }

    private final PurchaseOrderRepository repository;

    public PurchaseOrderCatalog(PurchaseOrderRepository repository) {
        this.repository = repository;
    }

    @Transactional(readOnly = true)
    public Page list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        List<PurchaseOrder> rows = repository.page(page.afterKey(), page.size() + 1);
        if (rows.size() <= page.size()) {
            return new Page(rows, "");
        }
        List<PurchaseOrder> shown = List.copyOf(rows.subList(0, page.size()));
        return new Page(shown, PageRequest.tokenAfter(String.valueOf(shown.get(shown.size() - 1).number()), FILTERS));
    }
}
