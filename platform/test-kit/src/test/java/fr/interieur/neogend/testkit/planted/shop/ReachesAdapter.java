package fr.interieur.neogend.testkit.planted.shop;

import fr.interieur.neogend.testkit.planted.persistence.JdbcShelf;

/** Planted violation: the domain naming its adapter instead of its port. */
public class ReachesAdapter {
    public Shelf shelf(JdbcShelf adapter) {
        return adapter;
    }
}
