package fr.interieur.neogend.testkit.planted.persistence;

import fr.interieur.neogend.testkit.planted.shop.Shelf;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The planted service's JDBC adapter (the good shape). */
public class JdbcShelf implements Shelf {
    private final JdbcClient jdbc;

    public JdbcShelf(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int count(String item) {
        return jdbc.sql("select count(*) from shelf where item = ?")
                .param(item)
                .query(Integer.class)
                .single();
    }
}
