package fr.interieur.neogend.testkit.planted.shop;

/** The planted service's application service: rules over its port only (the good shape). */
public class ShopService {
    private final Shelf shelf;

    public ShopService(Shelf shelf) {
        this.shelf = shelf;
    }

    public boolean inStock(String item) {
        return shelf.count(item) > 0;
    }
}
