package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.billing.BillingRepository;
import fr.interieur.neogend.order.billing.Invoice;
import fr.interieur.neogend.order.money.Money;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

/** Receptions of a month and invoices in PostgreSQL. */
@Repository
class JdbcBillingRepository implements BillingRepository {

    private final JdbcClient jdbc;

    JdbcBillingRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Received> receivedIn(String agreementId, YearMonth month) {
        return jdbc.sql("""
                        select r.item_code, sum(r.quantity), l.unit_price
                        from item_reception r
                        join delivery d on d.id = r.delivery_id
                        join purchase_order_line l on l.order_number = d.order_number and l.item_code = r.item_code
                        where d.agreement_id = ? and r.received_on >= ? and r.received_on < ?
                          and l.kind in ('ACCESSORY', 'SPARE_PART')
                        group by r.item_code, l.unit_price order by r.item_code, l.unit_price""")
                .params(
                        agreementId,
                        Date.valueOf(month.atDay(1)),
                        Date.valueOf(month.plusMonths(1).atDay(1)))
                .query((rs, n) -> new Received(rs.getString(1), rs.getLong(2), new Money(rs.getBigDecimal(3))))
                .list();
    }

    @Override
    public java.util.Set<String> deliveredModels(String agreementId) {
        return new java.util.TreeSet<>(jdbc.sql("select distinct d.model from delivered_device d "
                        + "join delivery v on v.id = d.delivery_id where v.agreement_id = ?")
                .param(agreementId)
                .query(String.class)
                .list());
    }

    @Override
    public String nextInvoiceId() {
        return String.format(
                "INV-%06d",
                jdbc.sql("select nextval('invoice_number')").query(Long.class).single());
    }

    @Override
    public boolean insert(Invoice i, String actor) {
        int rows = jdbc.sql("""
                        insert into invoice (id, agreement_id, invoice_number, year, month, total_excl_tax, created_at,
                                             created_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (agreement_id, invoice_number) do nothing""")
                .params(
                        i.id(),
                        i.agreementId(),
                        i.invoiceNumber(),
                        i.year(),
                        i.month(),
                        i.totalExclTax().euros(),
                        Timestamp.from(i.createdAt()),
                        actor)
                .update();
        if (rows == 0) {
            return false;
        }
        for (Invoice.Line l : i.lines()) {
            jdbc.sql("insert into invoice_line (invoice_id, item_code, quantity, amount) values (?, ?, ?, ?)")
                    .params(i.id(), l.itemCode(), l.quantity(), l.amount().euros())
                    .update();
        }
        return true;
    }

    @Override
    public List<Invoice> invoicesOf(String agreementId) {
        return jdbc
                .sql("select id from invoice where agreement_id = ? order by year, month, created_at, id")
                .param(agreementId)
                .query(String.class)
                .list()
                .stream()
                .map(id -> findInvoice(id).orElseThrow())
                .toList();
    }

    @Override
    public List<Invoice> invoicesPostedBefore(Invoice invoice) {
        return jdbc
                .sql("select id from invoice where agreement_id = ? and year = ? and month = ?"
                        + " and (created_at, id) < (?, ?) order by created_at, id")
                .params(
                        invoice.agreementId(),
                        invoice.year(),
                        invoice.month(),
                        Timestamp.from(invoice.createdAt()),
                        invoice.id())
                .query(String.class)
                .list()
                .stream()
                .map(id -> findInvoice(id).orElseThrow())
                .toList();
    }

    @Override
    public Optional<Invoice> findInvoice(String id) {
        List<Invoice.Line> lines = jdbc.sql("select item_code, quantity, amount from invoice_line where invoice_id = ? "
                        + "order by item_code")
                .param(id)
                .query((rs, n) -> new Invoice.Line(rs.getString(1), rs.getLong(2), new Money(rs.getBigDecimal(3))))
                .list();
        return jdbc.sql("select * from invoice where id = ?")
                .param(id)
                .query((rs, n) -> new Invoice(
                        rs.getString("id"),
                        rs.getString("agreement_id"),
                        rs.getString("invoice_number"),
                        rs.getInt("year"),
                        rs.getInt("month"),
                        lines,
                        new Money(rs.getBigDecimal("total_excl_tax")),
                        rs.getTimestamp("created_at").toInstant()))
                .optional();
    }
}
