package fr.interieur.neogend.testkit.planted.shop;

/** A port of the planted service: storage of shelves. */
public interface Shelf {
    int count(String item);
}
