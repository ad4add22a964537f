package fr.interieur.neogend.accessories.persistence;

import fr.interieur.neogend.accessories.repair.Repair;
import fr.interieur.neogend.accessories.repair.RepairRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Repairs and their parts in PostgreSQL (tables {@code repair}, {@code repair_part}: their only writer). */
@Repository
class JdbcRepairRepository implements RepairRepository {

    private static final RowMapper<Repair> ROW = (rs, n) -> new Repair(
            rs.getString("id"),
            rs.getString("imei"),
            rs.getString("model"),
            rs.getString("depot_code"),
            rs.getString("technician"),
            Repair.State.valueOf(rs.getString("state")),
            rs.getString("fault"),
            Optional.ofNullable(rs.getString("diagnosis")),
            List.of(),
            rs.getTimestamp("opened_at").toInstant(),
            Optional.ofNullable(rs.getTimestamp("closed_at")).map(Timestamp::toInstant),
            Optional.ofNullable(rs.getString("closed_by")),
            Optional.ofNullable(rs.getString("exchange_request_number")));

    private final JdbcClient jdbc;

    JdbcRepairRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String nextId() {
        return String.format(
                "RP-%06d",
                jdbc.sql("select nextval('repair_number')").query(Long.class).single());
    }

    @Override
    public boolean insertOpen(
            String id, String imei, String model, String depotCode, String technician, String fault, Instant openedAt) {
        return jdbc.sql("""
                        insert into repair (id, imei, model, depot_code, technician, state, fault, opened_at)
                        values (?, ?, ?, ?, ?, 'OPEN', ?, ?)
                        on conflict (imei) where state = 'OPEN' do nothing""")
                        .params(id, imei, model, depotCode, technician, fault, Timestamp.from(openedAt))
                        .update()
                == 1;
    }

    @Override
    public Optional<String> openRepairOf(String imei) {
        return jdbc.sql("select id from repair where imei = ? and state = 'OPEN'")
                .param(imei)
                .query(String.class)
                .optional();
    }

    @Override
    public Optional<Repair> find(String id) {
        return jdbc.sql("select * from repair where id = ?")
                .param(id == null ? "" : id)
                .query(ROW)
                .optional()
                .map(this::withParts);
    }

    @Override
    public boolean claimClose(String id, Repair.State outcome) {
        return jdbc.sql("""
                                update repair set closing_outcome = ?
                                where id = ? and state = 'OPEN' and coalesce(closing_outcome, ?) = ?""")
                        .params(outcome.name(), id, outcome.name(), outcome.name())
                        .update()
                == 1;
    }

    @Override
    public void recordExchangeAsked(String id, String exchangeRequestNumber) {
        jdbc.sql("update repair set exchange_request_number = ? where id = ? and state = 'OPEN'")
                .params(exchangeRequestNumber, id)
                .update();
    }

    @Override
    public Optional<Repair.State> closingOutcome(String id) {
        return jdbc.sql("select closing_outcome from repair where id = ? and state = 'OPEN'")
                .param(id)
                .query(String.class)
                .optional()
                .map(Repair.State::valueOf);
    }

    @Override
    public Optional<Repair> lock(String id) {
        return jdbc.sql("select * from repair where id = ? for update")
                .param(id)
                .query(ROW)
                .optional();
    }

    @Override
    public void addPart(String repairId, String itemCode, long quantity, String recordedBy, Instant recordedAt) {
        jdbc.sql("insert into repair_part (repair_id, item_code, quantity, recorded_by, recorded_at) "
                        + "values (?, ?, ?, ?, ?)")
                .params(repairId, itemCode, quantity, recordedBy, Timestamp.from(recordedAt))
                .update();
    }

    @Override
    public boolean close(
            String id,
            Repair.State outcome,
            String diagnosis,
            Instant closedAt,
            String closedBy,
            Optional<String> exchangeRequestNumber) {
        return jdbc.sql("""
                        update repair set state = ?, diagnosis = ?, closed_at = ?, closed_by = ?,
                                          exchange_request_number = ?
                        where id = ? and state = 'OPEN'""")
                        .params(
                                outcome.name(),
                                diagnosis,
                                Timestamp.from(closedAt),
                                closedBy,
                                exchangeRequestNumber.orElse(null),
                                id)
                        .update()
                == 1;
    }

    @Override
    public List<Repair> page(
            Optional<Repair.State> state,
            Optional<String> imei,
            Optional<String> technician,
            Optional<List<String>> devices,
            Optional<String> beforeId,
            int limit) {
        return jdbc
                .sql("""
                        select * from repair
                        where (:state::text is null or state = :state) and (:imei::text is null or imei = :imei)
                          and (:technician::text is null or technician = :technician)
                          and (:reach = false or imei = any(:devices))
                          and (:after::text is null or id < :after)
                        order by id desc limit :limit""")
                .param("state", state.map(Enum::name).orElse(null))
                .param("imei", imei.orElse(null))
                .param("technician", technician.orElse(null))
                .param("reach", devices.isPresent())
                .param("devices", devices.orElse(List.of()).toArray(String[]::new))
                .param("after", beforeId.orElse(null))
                .param("limit", limit)
                .query(ROW)
                .list()
                .stream()
                .map(this::withParts)
                .toList();
    }

    private Repair withParts(Repair r) {
        List<Repair.Part> parts = jdbc.sql(
                        "select item_code, quantity, recorded_by from repair_part where repair_id = ? " + "order by id")
                .param(r.id())
                .query((rs, n) -> new Repair.Part(rs.getString(1), rs.getLong(2), rs.getString(3)))
                .list();
        return new Repair(
                r.id(),
                r.imei(),
                r.model(),
                r.depotCode(),
                r.technician(),
                r.state(),
                r.fault(),
                r.diagnosis(),
                parts,
                r.openedAt(),
                r.closedAt(),
                r.closedBy(),
                r.exchangeRequestNumber());
    }
}
