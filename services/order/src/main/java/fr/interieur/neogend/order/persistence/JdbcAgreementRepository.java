package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementRepository;
import fr.interieur.neogend.order.agreement.CatalogueItem;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Agreements, envelopes and price schedules in PostgreSQL. */
@Repository
class JdbcAgreementRepository implements AgreementRepository {

    /** SQL list of the states that count against the maximum and the budgets. */
    static final String COMMITTED = OrderState.COMMITTED.stream()
            .map(s -> "'" + s.name() + "'")
            .reduce((a, b) -> a + ", " + b)
            .orElseThrow();

    private final JdbcClient jdbc;

    JdbcAgreementRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean insert(Agreement a, String actor) {
        int rows = jdbc.sql("""
                        insert into framework_agreement (id, title, supplier_id, supplier_name, notified_on, term_months,
                                                         min_packs, max_packs, estimated_value, vat_rate, created_at,
                                                         created_by, patch_delay_days, patch_penalty_per_day)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?) on conflict (id) do nothing""")
                .params(
                        a.id(),
                        a.title(),
                        a.supplierId(),
                        a.supplierName(),
                        Date.valueOf(a.notifiedOn()),
                        a.termMonths(),
                        a.minPacks(),
                        a.maxPacks(),
                        a.estimatedValue().euros(),
                        a.vatRate(),
                        actor,
                        a.patchSla().map(Agreement.PatchSlaClause::delayDays).orElse(null),
                        a.patchSla()
                                .flatMap(Agreement.PatchSlaClause::penaltyPerDay)
                                .map(Money::euros)
                                .orElse(null))
                .update();
        if (rows == 0) {
            return false;
        }
        a.budgets()
                .forEach((year, amount) -> jdbc.sql(
                                "insert into budget_envelope (agreement_id, fiscal_year, amount) values (?, ?, ?)")
                        .params(a.id(), year, amount.euros())
                        .update());
        for (CatalogueItem item : a.priceSchedule()) {
            jdbc.sql("""
                            insert into catalogue_item (agreement_id, code, kind, label, pack_type, unit_price)
                            values (?, ?, ?, ?, ?, ?)""")
                    .params(
                            a.id(),
                            item.code(),
                            item.kind().name(),
                            item.label(),
                            item.packType().orElse(null),
                            item.unitPrice().euros())
                    .update();
        }
        return true;
    }

    @Override
    public Optional<Agreement> find(String id) {
        return read(id, "");
    }

    @Override
    public Optional<Agreement> findForUpdate(String id) {
        return read(id, " for update");
    }

    @Override
    public void lockAll(java.util.Collection<String> ids) {
        jdbc.sql("select id from framework_agreement where id = any(?) order by id for update")
                .param(ids.stream().sorted().distinct().toArray(String[]::new))
                .query(String.class)
                .list();
    }

    @Override
    public Optional<InvoicedMonth> latestInvoicedMonth(String agreementId) {
        return jdbc.sql("""
                        select year, month, invoice_number from invoice where agreement_id = ?
                        order by year desc, month desc, created_at desc limit 1""")
                .param(agreementId)
                .query((rs, n) ->
                        new InvoicedMonth(java.time.YearMonth.of(rs.getInt(1), rs.getInt(2)), rs.getString(3)))
                .optional();
    }

    private Optional<Agreement> read(String id, String lock) {
        Map<Integer, Money> budgets = new TreeMap<>();
        jdbc.sql("select fiscal_year, amount from budget_envelope where agreement_id = ?")
                .param(id)
                .query((rs, n) -> budgets.put(rs.getInt(1), new Money(rs.getBigDecimal(2))))
                .list();
        List<CatalogueItem> items = jdbc.sql("""
                        select code, kind, label, pack_type, unit_price from catalogue_item where agreement_id = ?
                        order by kind, code""")
                .param(id)
                .query((rs, n) -> new CatalogueItem(
                        rs.getString("code"),
                        ItemKind.valueOf(rs.getString("kind")),
                        rs.getString("label"),
                        Optional.ofNullable(rs.getString("pack_type")),
                        new Money(rs.getBigDecimal("unit_price"))))
                .list();
        return jdbc.sql("select * from framework_agreement where id = ?" + lock)
                .param(id)
                .query((rs, n) -> new Agreement(
                        rs.getString("id"),
                        rs.getString("title"),
                        rs.getString("supplier_id"),
                        rs.getString("supplier_name"),
                        rs.getDate("notified_on").toLocalDate(),
                        rs.getInt("term_months"),
                        rs.getLong("min_packs"),
                        rs.getLong("max_packs"),
                        new Money(rs.getBigDecimal("estimated_value")),
                        rs.getBigDecimal("vat_rate"),
                        budgets,
                        items,
                        clause((Integer) rs.getObject("patch_delay_days"), rs.getBigDecimal("patch_penalty_per_day"))))
                .optional();
    }

    private static Optional<Agreement.PatchSlaClause> clause(Integer delayDays, java.math.BigDecimal penalty) {
        return Optional.ofNullable(delayDays)
                .map(days -> new Agreement.PatchSlaClause(
                        days, Optional.ofNullable(penalty).map(Money::new)));
    }

    @Override
    public long committedPacks(String agreementId) {
        return jdbc.sql("select coalesce(sum(pack_count), 0) from purchase_order where agreement_id = ? and state in ("
                        + COMMITTED + ")")
                .param(agreementId)
                .query(Long.class)
                .single();
    }

    @Override
    public Money committedAmount(String agreementId, int fiscalYear) {
        return jdbc.sql("select coalesce(sum(amount), 0.00) from purchase_order where agreement_id = ? "
                        + "and fiscal_year = ? and state in (" + COMMITTED + ")")
                .params(agreementId, fiscalYear)
                .query((rs, n) -> new Money(rs.getBigDecimal(1)))
                .single();
    }

    @Override
    public Map<Integer, Money> committedAmounts(String agreementId) {
        Map<Integer, Money> amounts = new TreeMap<>();
        jdbc.sql("select fiscal_year, sum(amount) from purchase_order where agreement_id = ? and state in (" + COMMITTED
                        + ") group by fiscal_year")
                .param(agreementId)
                .query((rs, n) -> amounts.put(rs.getInt(1), new Money(rs.getBigDecimal(2))))
                .list();
        return amounts;
    }

    @Override
    public Map<String, Long> committedPacksByType(String agreementId) {
        Map<String, Long> packs = new HashMap<>();
        jdbc.sql("""
                        select l.pack_type, sum(l.quantity) from purchase_order_line l
                        join purchase_order o on o.number = l.order_number
                        where o.agreement_id = ? and l.pack_type is not null and o.state in (""" + COMMITTED + """
                        ) group by l.pack_type""")
                .param(agreementId)
                .query((rs, n) -> packs.put(rs.getString(1), rs.getLong(2)))
                .list();
        return new TreeMap<>(packs);
    }

    @Override
    public long receivedPacks(String agreementId) {
        return jdbc.sql("""
                        select count(*) from delivered_device dd join delivery d on d.id = dd.delivery_id
                        where d.agreement_id = ? and dd.received_on is not null""").param(agreementId).query(Long.class).single();
    }

    @Override
    public List<String> ids(Optional<String> afterId, Optional<String> supplierId, int limit) {
        return jdbc.sql("select id from framework_agreement where id > ? and (? = '' or supplier_id = ?)"
                        + " order by id limit ?")
                .params(afterId.orElse(""), supplierId.orElse(""), supplierId.orElse(""), limit)
                .query(String.class)
                .list();
    }

    @Override
    public List<String> idsOfSupplier(String supplierId) {
        return jdbc.sql("select id from framework_agreement where supplier_id = ? order by id")
                .param(supplierId)
                .query(String.class)
                .list();
    }

    @Override
    public Map<String, Long> transferredPacks(String agreementId) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        jdbc.sql("select pack_type, packs from transferred_packs where agreement_id = ?")
                .param(agreementId)
                .query((rs, n) -> counts.put(rs.getString(1), rs.getLong(2)))
                .list();
        return counts;
    }

    @Override
    public void replaceTransferredPacks(String agreementId, Map<String, Long> byType, java.time.Instant at) {
        jdbc.sql("delete from transferred_packs where agreement_id = ?")
                .param(agreementId)
                .update();
        byType.forEach((type, n) -> jdbc.sql("""
                        insert into transferred_packs (agreement_id, pack_type, packs, updated_at) values (?, ?, ?, ?)""")
                .params(agreementId, type, n, java.sql.Timestamp.from(at))
                .update());
    }

    @Override
    public void markTransferUnconfirmed(String agreementId, java.time.Instant at) {
        jdbc.sql("insert into transfer_unconfirmed (agreement_id, since) values (?, ?) on conflict do nothing")
                .params(agreementId, java.sql.Timestamp.from(at))
                .update();
    }

    @Override
    public boolean transferUnconfirmed(String agreementId) {
        return jdbc.sql("select count(*) from transfer_unconfirmed where agreement_id = ?")
                        .param(agreementId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    @Override
    public void confirmTransfer(String agreementId) {
        jdbc.sql("delete from transfer_unconfirmed where agreement_id = ?")
                .param(agreementId)
                .update();
    }
}
