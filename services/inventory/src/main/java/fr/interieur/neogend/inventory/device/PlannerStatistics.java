package fr.interieur.neogend.inventory.device;

/**
 * The statistics PostgreSQL plans queries with, brought up to date after a bulk change. Autovacuum
 * analyses a table only once a tenth of it changed and up to a minute later; until then a query about
 * rows just written (the successor agreement's packs right after a transfer, a new agreement's first
 * delivery) is planned as if they did not exist — a statement's intervals planned for one pack ran for
 * minutes over 68,941 (found by {@code make bench BENCH_ARGS=fleet}, see {@code docs/benchmarks.md}).
 */
public interface PlannerStatistics {

    /** Rows written in one call from which the tables' statistics are refreshed before it commits. */
    int BULK_CHANGE = 1_000;

    /**
     * Refreshes the statistics of the devices, packs, their agreement periods and the history, inside
     * the caller's transaction: they count its own writes and are kept only if it commits.
     */
    void refreshAfterBulkChange();

    /** Refreshes when a call wrote at least {@link #BULK_CHANGE} rows of a kind. */
    default void refreshIfBulk(int rowsWritten) {
        if (rowsWritten >= BULK_CHANGE) {
            refreshAfterBulkChange();
        }
    }
}
