package fr.interieur.neogend.accessories.persistence;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemRepository;
import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

/** CatalogueItem rows in PostgreSQL (table {@code catalogue_item}: its only writer). */
@Repository
class JdbcCatalogueItemRepository implements CatalogueItemRepository {

    private static final RowMapper<CatalogueItem> ROW = (rs, n) -> new CatalogueItem(
            rs.getString("code"),
            rs.getString("label"),
            ItemCategory.valueOf(rs.getString("category")),
            java.util.Arrays.asList((String[]) rs.getArray("fits_models").getArray()),
            java.util.Objects.requireNonNullElse(rs.getString("agreement_item_code"), rs.getString("code")));

    private final JdbcClient jdbc;

    JdbcCatalogueItemRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<CatalogueItem> find(String code) {
        return jdbc.sql("select * from catalogue_item where code = ?")
                .param(code == null ? "" : code)
                .query(ROW)
                .optional();
    }

    @Override
    public boolean insert(
            String code,
            String label,
            ItemCategory category,
            List<String> fitsModels,
            Optional<String> agreementItemCode) {
        return jdbc.sql("insert into catalogue_item (code, label, category, fits_models, agreement_item_code) "
                                + "values (?, ?, ?, ?, ?) on conflict (code) do nothing")
                        .params(
                                code,
                                label,
                                category.name(),
                                fitsModels.toArray(String[]::new),
                                agreementItemCode.orElse(null))
                        .update()
                == 1;
    }

    @Override
    public List<CatalogueItem> page(Optional<String> after, int limit) {
        return jdbc.sql("select * from catalogue_item where (:after::text is null or code > :after) "
                        + "order by code limit :limit")
                .param("after", after.orElse(null))
                .param("limit", limit)
                .query(ROW)
                .list();
    }
}
