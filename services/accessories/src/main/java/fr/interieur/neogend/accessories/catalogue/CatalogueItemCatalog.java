package fr.interieur.neogend.accessories.catalogue;

import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.Optional;

/** Reads catalogue items page by page (keyset pagination on code). */
@Service
public class CatalogueItemCatalog {

    private static final String FILTERS = "catalogue_item";

    private final CatalogueItemRepository repository;

    public CatalogueItemCatalog(CatalogueItemRepository repository) {
        this.repository = repository;
    }

    /** One item by code. */
    @Transactional(readOnly = true)
    public Optional<CatalogueItem> find(String code) {
        return repository.find(code);
    }

    /** One page of CatalogueItem rows and the token of the next (empty on the last page). */
    @Transactional(readOnly = true)
    public Page<CatalogueItem> list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        return page.toPage(
                repository.page(page.afterKey(), page.fetchSize()), item -> String.valueOf(item.code()), FILTERS);
    }
}
