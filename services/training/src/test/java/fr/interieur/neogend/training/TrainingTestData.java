package fr.interieur.neogend.training;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/** Shared test data of the training service's integration tests. */
final class TrainingTestData {

    private TrainingTestData() {}

    /** Empties the service's tables, children first. */
    static void reset(JdbcClient jdbc) {
        for (String t : List.of("certification", "enrolment", "training_session", "course")) {
            jdbc.sql("delete from " + t).update();
        }
    }
}
