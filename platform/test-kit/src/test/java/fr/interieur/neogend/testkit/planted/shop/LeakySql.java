package fr.interieur.neogend.testkit.planted.shop;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Planted violation: SQL in an application service. */
public class LeakySql {
    private final JdbcClient jdbc;

    public LeakySql(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public long count() {
        return jdbc.sql("select count(*) from shelf").query(Long.class).single();
    }
}
