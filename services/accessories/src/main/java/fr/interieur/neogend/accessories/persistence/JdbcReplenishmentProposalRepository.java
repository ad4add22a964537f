package fr.interieur.neogend.accessories.persistence;

import fr.interieur.neogend.accessories.stock.ReplenishmentProposals;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.Optional;

/** Replenishment proposals in PostgreSQL (table {@code replenishment_proposal}: its only writer). */
@Repository
class JdbcReplenishmentProposalRepository implements ReplenishmentProposals {

    private final JdbcClient jdbc;

    JdbcReplenishmentProposalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Proposal> find(long alertId) {
        return jdbc.sql("select * from replenishment_proposal where alert_id = ?")
                .param(alertId)
                .query((rs, n) -> new Proposal(
                        rs.getLong("alert_id"),
                        rs.getString("proposed_by"),
                        rs.getString("agreement_id"),
                        rs.getString("delivery_site"),
                        rs.getDate("requested_date").toLocalDate(),
                        rs.getString("agreement_item_code"),
                        rs.getLong("quantity"),
                        rs.getTimestamp("proposed_at").toInstant()))
                .optional();
    }

    @Override
    public void insert(Proposal p) {
        jdbc.sql("""
                        insert into replenishment_proposal (alert_id, proposed_by, agreement_id, delivery_site,
                                                            requested_date, agreement_item_code, quantity, proposed_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        p.alertId(),
                        p.proposedBy(),
                        p.agreementId(),
                        p.deliverySite(),
                        Date.valueOf(p.requestedDate()),
                        p.agreementItemCode(),
                        p.quantity(),
                        Timestamp.from(p.proposedAt()))
                .update();
    }

    @Override
    public void delete(Proposal p) {
        jdbc.sql("delete from replenishment_proposal where alert_id = ? and proposed_at = ?")
                .params(p.alertId(), Timestamp.from(p.proposedAt()))
                .update();
    }
}
