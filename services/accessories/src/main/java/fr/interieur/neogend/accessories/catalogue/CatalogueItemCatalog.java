package fr.interieur.neogend.accessories.catalogue;

import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/** Reads catalogue items page by page (keyset pagination on code). */
@Service
public class CatalogueItemCatalog {

    private static final String FILTERS = "catalogue_item";

    /** One page and the token of the next (empty on the last page). */
    public record Page(List<CatalogueItem> items, String nextPageToken) {
    }

    private final CatalogueItemRepository repository;

    public CatalogueItemCatalog(CatalogueItemRepository repository) {
        this.repository = repository;
    }

    @Transactional(readOnly = true)
    public Page list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        List<CatalogueItem> rows = repository.page(page.afterKey(), page.size() + 1);
        if (rows.size() <= page.size()) {
            return new Page(rows, "");
        }
        List<CatalogueItem> shown = List.copyOf(rows.subList(0, page.size()));
        return new Page(shown, PageRequest.tokenAfter(String.valueOf(shown.get(shown.size() - 1).code()), FILTERS));
    }
}
