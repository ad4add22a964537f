package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.lease.LeaseInterval;
import fr.interieur.neogend.inventory.lease.LeaseRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Lease intervals computed by PostgreSQL from the packs' leases and their periods under each agreement. */
@Repository
class JdbcLeaseRepository implements LeaseRepository {

    private final JdbcTemplate jdbc;

    JdbcLeaseRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void forEachInterval(YearMonth month, String agreementId, Consumer<LeaseInterval> sink) {
        LocalDate first = month.atDay(1);
        LocalDate next = month.plusMonths(1).atDay(1);
        int days = month.lengthOfMonth();
        jdbc.query(
                con -> {
                    // a pack's days in the month under the agreement: its lease ∩ its period under the agreement
                    // ∩ the month; with the pack's exchanges (history), to name the devices it held meanwhile
                    var ps = con.prepareStatement("""
                    select x.id, type, unit_code, billed_from, billed_until, device_imei, e.exchanges
                    from (select p.id, p.type, p.unit_code, p.device_imei,
                                 greatest(p.lease_start, a.valid_from, ?) as billed_from,
                                 least(coalesce(p.lease_end, ?), coalesce(a.valid_until, ?), ?) as billed_until
                          from pack p join pack_agreement a on a.pack_id = p.id
                          where a.agreement_id = ?
                            and p.lease_start < ? and (p.lease_end is null or p.lease_end > ?)
                            and a.valid_from < ? and (a.valid_until is null or a.valid_until > ?)) x
                    -- the exchanges of every pack in one pass over the (few) EXCHANGE_IN entries, joined
                    -- once, rather than a look-up per pack
                    left join (select h.subject_id,
                                      array_agg((h.at at time zone 'Europe/Paris')::date || '|'
                                                || coalesce(h.before ->> 'device_imei', '') || '|'
                                                || coalesce(h.after ->> 'device_imei', '') order by h.id) as exchanges
                               from history h where h.subject_type = 'PACK' and h.action = 'EXCHANGE_IN'
                               group by h.subject_id) e on e.subject_id = x.id
                    where billed_from < billed_until
                    order by x.id""");
                    ps.setFetchSize(1000); // a cursor inside the read-only transaction
                    ps.setDate(1, Date.valueOf(first));
                    ps.setDate(2, Date.valueOf(next));
                    ps.setDate(3, Date.valueOf(next));
                    ps.setDate(4, Date.valueOf(next));
                    ps.setString(5, agreementId);
                    ps.setDate(6, Date.valueOf(next));
                    ps.setDate(7, Date.valueOf(first));
                    ps.setDate(8, Date.valueOf(next));
                    ps.setDate(9, Date.valueOf(first));
                    return ps;
                },
                rs -> {
                    LocalDate from = rs.getDate("billed_from").toLocalDate();
                    LocalDate until = rs.getDate("billed_until").toLocalDate();
                    java.sql.Array exchanges = rs.getArray("exchanges");
                    sink.accept(new LeaseInterval(
                            rs.getString("id"),
                            PackType.valueOf(rs.getString("type")),
                            Optional.ofNullable(rs.getString("unit_code")),
                            from,
                            until,
                            days,
                            agreementId,
                            devicesHeld(
                                    rs.getString("device_imei"),
                                    exchanges == null ? new String[0] : (String[]) exchanges.getArray(),
                                    from,
                                    until)));
                });
    }

    @Override
    public List<String> leasedModels(String agreementId, List<String> among) {
        // one pass over the agreement's packs (hash joins, about 0.3 s for 140,000 packs on the bench): a probe
        // per model looked cheaper but, for a model the agreement does not hold, PostgreSQL read every device
        // of the model against every pack for minutes (make bench BENCH_ARGS=fleet, 2026-12-04)
        List<String> models = jdbc.queryForList("""
                        select distinct d.model from pack_agreement a join pack p on p.id = a.pack_id
                        join device d on d.imei = p.device_imei where a.agreement_id = ? order by d.model""", String.class, agreementId);
        return among.isEmpty()
                ? models
                : models.stream().filter(among::contains).toList();
    }

    @Override
    public List<TypeDays> sumPerType(YearMonth month, String agreementId) {
        LocalDate first = month.atDay(1);
        LocalDate next = month.plusMonths(1).atDay(1);
        return jdbc.query(
                """
                        select type, count(distinct id), sum(billed_until - billed_from)
                        from (select p.id, p.type,
                                     greatest(p.lease_start, a.valid_from, ?) as billed_from,
                                     least(coalesce(p.lease_end, ?), coalesce(a.valid_until, ?), ?) as billed_until
                              from pack p join pack_agreement a on a.pack_id = p.id
                              where a.agreement_id = ?
                                and p.lease_start < ? and (p.lease_end is null or p.lease_end > ?)
                                and a.valid_from < ? and (a.valid_until is null or a.valid_until > ?)) x
                        where billed_from < billed_until
                        group by type order by type""",
                (rs, n) -> new TypeDays(PackType.valueOf(rs.getString(1)), rs.getLong(2), rs.getLong(3)),
                Date.valueOf(first),
                Date.valueOf(next),
                Date.valueOf(next),
                Date.valueOf(next),
                agreementId,
                Date.valueOf(next),
                Date.valueOf(first),
                Date.valueOf(next),
                Date.valueOf(first));
    }

    /**
     * The devices a pack held on the days [from, until), the last one first: the one it held on
     * {@code from} (the device it gave up at the first exchange on or after that day, or else its
     * device now — the last one once ended), then each device exchanged in before {@code until}. An
     * exchange on day X leaves both devices on day X (the days are the pack's, billed once).
     *
     * @param exchanges the pack's exchanges, oldest first, as "day|device out|device in"
     */
    static List<String> devicesHeld(String current, String[] exchanges, LocalDate from, LocalDate until) {
        String atStart = current;
        List<String> in = new ArrayList<>();
        boolean first = true;
        for (String e : exchanges) {
            String[] part = e.split("\\|", -1);
            LocalDate day = LocalDate.parse(part[0]);
            if (day.isBefore(from)) {
                continue;
            }
            if (first) {
                atStart = part[1].isEmpty() ? atStart : part[1];
                first = false;
            }
            if (day.isBefore(until) && !part[2].isEmpty()) {
                in.add(part[2]);
            }
        }
        List<String> held = new ArrayList<>();
        if (atStart != null) {
            held.add(atStart);
        }
        in.stream().filter(i -> !held.contains(i)).forEach(held::add);
        return List.copyOf(held.reversed());
    }
}
