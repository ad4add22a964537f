package fr.interieur.neogend.inventory.persistence;

import fr.interieur.neogend.inventory.device.PlannerStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code ANALYZE} of the tables bulk changes write (it reads a sample; it writes none of their rows). */
@Repository
class JdbcPlannerStatistics implements PlannerStatistics {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcPlannerStatistics.class);

    private final JdbcClient jdbc;

    JdbcPlannerStatistics(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void refreshAfterBulkChange() {
        long start = System.nanoTime();
        jdbc.sql("analyze device, pack, pack_agreement, history").update();
        LOG.info("planner statistics refreshed after a bulk change in {} ms", (System.nanoTime() - start) / 1_000_000);
    }
}
