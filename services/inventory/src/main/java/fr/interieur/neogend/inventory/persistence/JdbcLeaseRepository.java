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
        jdbc.query(con -> {
            // a pack's days in the month under the agreement: its lease ∩ its period under the agreement
            // ∩ the month; the devices it held are the one there now and those exchanged out since the
            // interval began (history of the pack)
            var ps = con.prepareStatement("""
                    select id, type, unit_code, billed_from, billed_until, device_imei,
                           array(select h.before ->> 'device_imei' from history h
                                 where h.subject_type = 'PACK' and h.subject_id = x.id and h.action = 'EXCHANGE_IN'
                                   and (h.at at time zone 'Europe/Paris')::date > x.billed_from
                                 order by h.id desc) as earlier_devices
                    from (select p.id, p.type, p.unit_code, p.device_imei,
                                 greatest(p.lease_start, a.valid_from, ?) as billed_from,
                                 least(coalesce(p.lease_end, ?), coalesce(a.valid_until, ?), ?) as billed_until
                          from pack p join pack_agreement a on a.pack_id = p.id
                          where a.agreement_id = ?
                            and p.lease_start < ? and (p.lease_end is null or p.lease_end > ?)
                            and a.valid_from < ? and (a.valid_until is null or a.valid_until > ?)) x
                    where billed_from < billed_until
                    order by id""");
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
        }, rs -> {
            List<String> imeis = new ArrayList<>();
            Optional.ofNullable(rs.getString("device_imei")).ifPresent(imeis::add);
            java.sql.Array earlier = rs.getArray("earlier_devices");
            if (earlier != null) {
                for (String imei : (String[]) earlier.getArray()) {
                    if (imei != null && !imeis.contains(imei)) {
                        imeis.add(imei);
                    }
                }
            }
            sink.accept(new LeaseInterval(rs.getString("id"), PackType.valueOf(rs.getString("type")),
                    Optional.ofNullable(rs.getString("unit_code")), rs.getDate("billed_from").toLocalDate(),
                    rs.getDate("billed_until").toLocalDate(), days, agreementId, List.copyOf(imeis)));
        });
    }
}
