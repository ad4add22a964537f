package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsResponse;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/** The accessories gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class AccessoriesGrpcService extends AccessoriesServiceGrpc.AccessoriesServiceImplBase {

    private final CatalogueItemCatalog catalog;

    public AccessoriesGrpcService(CatalogueItemCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listCatalogueItems(ListCatalogueItemsRequest request, StreamObserver<ListCatalogueItemsResponse> response) {
        Page<CatalogueItem> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListCatalogueItemsResponse.Builder out = ListCatalogueItemsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static fr.interieur.neogend.accessories.v1.CatalogueItem toProto(CatalogueItem item) {
        return fr.interieur.neogend.accessories.v1.CatalogueItem.newBuilder()
                .setCode(item.code())
                .setLabel(item.label())
                .setCategory(item.category())
                .build();
    }
}
