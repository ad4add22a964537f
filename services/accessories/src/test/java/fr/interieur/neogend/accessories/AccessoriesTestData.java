package fr.interieur.neogend.accessories;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/** Shared test fixtures of the accessories service. */
final class AccessoriesTestData {

    private AccessoriesTestData() {}

    /** Empties the service's tables, children first. */
    static void reset(JdbcClient jdbc) {
        for (String t : List.of(
                "repair_part",
                "repair",
                "replenishment_proposal",
                "stock_alert",
                "stock_movement",
                "stock_level",
                "depot",
                "catalogue_item")) {
            jdbc.sql("delete from " + t).update();
        }
    }
}
