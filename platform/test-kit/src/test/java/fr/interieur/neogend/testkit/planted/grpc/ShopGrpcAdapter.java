package fr.interieur.neogend.testkit.planted.grpc;

import fr.interieur.neogend.testkit.planted.shop.ShopService;
import io.grpc.Status;

/** The planted service's inbound adapter (the good shape): transport on one side, the service on the other. */
public class ShopGrpcAdapter {
    private final ShopService shop;

    public ShopGrpcAdapter(ShopService shop) {
        this.shop = shop;
    }

    public Status inStock(String item) {
        return shop.inStock(item) ? Status.OK : Status.NOT_FOUND;
    }
}
