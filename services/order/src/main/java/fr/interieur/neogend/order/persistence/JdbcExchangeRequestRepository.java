package fr.interieur.neogend.order.persistence;

import fr.interieur.neogend.order.exchange.ExchangeRequest;
import fr.interieur.neogend.order.exchange.ExchangeRequestRepository;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Exchange requests in PostgreSQL (table {@code exchange_request}: its only writer). */
@Repository
class JdbcExchangeRequestRepository implements ExchangeRequestRepository {

    private static final RowMapper<ExchangeRequest> ROW = (rs, n) -> new ExchangeRequest(
            rs.getString("number"),
            rs.getString("agreement_id"),
            rs.getString("imei"),
            rs.getString("model"),
            rs.getString("reason"),
            Optional.ofNullable(rs.getString("repair_reference")),
            ExchangeRequest.State.valueOf(rs.getString("state")),
            rs.getString("requested_by"),
            rs.getTimestamp("requested_at").toInstant(),
            Optional.ofNullable(rs.getString("supplier_reference")),
            Optional.ofNullable(rs.getString("refusal_reason")));

    private final JdbcClient jdbc;

    JdbcExchangeRequestRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public long nextNumber() {
        return jdbc.sql("select nextval('exchange_request_number')")
                .query(Long.class)
                .single();
    }

    @Override
    public boolean insert(
            String number,
            String agreementId,
            String imei,
            String model,
            String reason,
            Optional<String> repairReference,
            String requestedBy,
            Instant requestedAt) {
        try {
            jdbc.sql("""
                            insert into exchange_request (number, agreement_id, imei, model, reason, repair_reference, state,
                                                          requested_by, requested_at)
                            values (?, ?, ?, ?, ?, ?, 'REQUESTED', ?, ?)""")
                    .params(
                            number,
                            agreementId,
                            imei,
                            model,
                            reason,
                            repairReference.orElse(null),
                            requestedBy,
                            Timestamp.from(requestedAt))
                    .update();
            return true;
        } catch (DuplicateKeyException e) { // one live request per device (a partial unique index)
            return false;
        }
    }

    @Override
    public Optional<ExchangeRequest> find(String number) {
        return jdbc.sql("select * from exchange_request where number = ?")
                .param(number)
                .query(ROW)
                .optional();
    }

    @Override
    public List<ExchangeRequest> page(Optional<String> imei, Optional<String> beforeNumber, int limit) {
        return jdbc.sql("""
                        select * from exchange_request
                        where (:imei::text is null or imei = :imei) and (:after::text is null or number < :after)
                        order by number desc limit :limit""")
                .param("imei", imei.orElse(null))
                .param("after", beforeNumber.orElse(null))
                .param("limit", limit)
                .query(ROW)
                .list();
    }

    @Override
    public void markSent(String number, String supplierReference) {
        jdbc.sql(
                        "update exchange_request set state = 'SENT', supplier_reference = ? where number = ? and state = 'REQUESTED'")
                .params(supplierReference, number)
                .update();
    }

    @Override
    public void markRefused(String number, String reason) {
        jdbc.sql(
                        "update exchange_request set state = 'REFUSED', refusal_reason = ? where number = ? and state = 'REQUESTED'")
                .params(reason, number)
                .update();
    }
}
