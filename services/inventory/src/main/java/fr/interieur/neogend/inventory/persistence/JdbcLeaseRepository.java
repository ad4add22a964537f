package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.lease.LeaseInterval;
import fr.interieur.neogend.inventory.lease.LeaseRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Optional;
import java.util.function.Consumer;

/** Lease intervals computed by PostgreSQL from {@code pack.lease_start/lease_end}. */
@Repository
class JdbcLeaseRepository implements LeaseRepository {

    private final JdbcTemplate jdbc;

    JdbcLeaseRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void forEachInterval(YearMonth month, Consumer<LeaseInterval> sink) {
        LocalDate first = month.atDay(1);
        LocalDate next = month.plusMonths(1).atDay(1);
        int days = month.lengthOfMonth();
        jdbc.query(con -> {
            var ps = con.prepareStatement("""
                    select id, type, unit_code, greatest(lease_start, ?) as billed_from,
                           least(coalesce(lease_end, ?), ?) as billed_until
                    from pack
                    where lease_start < ? and (lease_end is null or lease_end > ?)
                    order by id""");
            ps.setFetchSize(1000); // a cursor inside the read-only transaction
            ps.setDate(1, Date.valueOf(first));
            ps.setDate(2, Date.valueOf(next));
            ps.setDate(3, Date.valueOf(next));
            ps.setDate(4, Date.valueOf(next));
            ps.setDate(5, Date.valueOf(first));
            return ps;
        }, rs -> {
            sink.accept(new LeaseInterval(rs.getString("id"), PackType.valueOf(rs.getString("type")),
                    Optional.ofNullable(rs.getString("unit_code")), rs.getDate("billed_from").toLocalDate(),
                    rs.getDate("billed_until").toLocalDate(), days));
        });
    }
}
