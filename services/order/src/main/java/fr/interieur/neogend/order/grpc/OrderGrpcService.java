package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersResponse;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/** The order gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class OrderGrpcService extends OrderServiceGrpc.OrderServiceImplBase {

    private final PurchaseOrderCatalog catalog;

    public OrderGrpcService(PurchaseOrderCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listPurchaseOrders(ListPurchaseOrdersRequest request, StreamObserver<ListPurchaseOrdersResponse> response) {
        Page<PurchaseOrder> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListPurchaseOrdersResponse.Builder out = ListPurchaseOrdersResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static fr.interieur.neogend.order.v1.PurchaseOrder toProto(PurchaseOrder item) {
        return fr.interieur.neogend.order.v1.PurchaseOrder.newBuilder()
                .setNumber(item.number())
                .setState(item.state())
                .setPackCount(item.packCount())
                .build();
    }
}
