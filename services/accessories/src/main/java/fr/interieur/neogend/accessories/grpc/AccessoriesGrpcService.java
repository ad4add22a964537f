package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsResponse;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.stock.StockService;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemRequest;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemResponse;
import fr.interieur.neogend.accessories.v1.CreateDepotRequest;
import fr.interieur.neogend.accessories.v1.CreateDepotResponse;
import fr.interieur.neogend.accessories.v1.GetStockRequest;
import fr.interieur.neogend.accessories.v1.GetStockResponse;
import fr.interieur.neogend.accessories.v1.ListStockAlertsRequest;
import fr.interieur.neogend.accessories.v1.ListStockAlertsResponse;
import fr.interieur.neogend.accessories.v1.RecordStockMovementRequest;
import fr.interieur.neogend.accessories.v1.RecordStockMovementResponse;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelRequest;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelResponse;
import fr.interieur.neogend.accessories.v1.StockAlert;
import fr.interieur.neogend.accessories.v1.StockLevel;
import fr.interieur.neogend.kit.grpc.CallerContext;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/** The accessories gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class AccessoriesGrpcService extends AccessoriesServiceGrpc.AccessoriesServiceImplBase {

    private final CatalogueItemCatalog catalog;
    private final StockService stock;

    public AccessoriesGrpcService(CatalogueItemCatalog catalog, StockService stock) {
        this.catalog = catalog;
        this.stock = stock;
    }

    @Override
    public void createCatalogueItem(CreateCatalogueItemRequest request,
                                    StreamObserver<CreateCatalogueItemResponse> response) {
        var i = request.getItem();
        stock.createItem(i.getCode(), i.getLabel(), i.getCategory(), i.getFitsModelsList());
        reply(response, CreateCatalogueItemResponse.newBuilder().setItem(i).build());
    }

    @Override
    public void createDepot(CreateDepotRequest request, StreamObserver<CreateDepotResponse> response) {
        stock.createDepot(request.getCode(), request.getName());
        reply(response, CreateDepotResponse.newBuilder().setCode(request.getCode()).build());
    }

    @Override
    public void setMinimumLevel(SetMinimumLevelRequest request, StreamObserver<SetMinimumLevelResponse> response) {
        reply(response, SetMinimumLevelResponse.newBuilder().setLevel(level(stock.setMinimum(request.getDepotCode(),
                request.getItemCode(), request.getMinimum()))).build());
    }

    @Override
    public void recordStockMovement(RecordStockMovementRequest request,
                                    StreamObserver<RecordStockMovementResponse> response) {
        var out = RecordStockMovementResponse.newBuilder();
        stock.move(request.getKind(), request.getItemCode(), request.getDepotCode(), text(request.getToDepotCode()),
                request.getQuantity(), text(request.getReference()), CallerContext.current())
                .forEach(l -> out.addLevels(level(l)));
        reply(response, out.build());
    }

    @Override
    public void getStock(GetStockRequest request, StreamObserver<GetStockResponse> response) {
        var out = GetStockResponse.newBuilder();
        stock.stock(request.getDepotCode()).forEach(l -> out.addLevels(level(l)));
        reply(response, out.build());
    }

    @Override
    public void listStockAlerts(ListStockAlertsRequest request, StreamObserver<ListStockAlertsResponse> response) {
        var out = ListStockAlertsResponse.newBuilder();
        stock.openAlerts(text(request.getDepotCode())).forEach(a -> out.addAlerts(StockAlert.newBuilder()
                .setDepotCode(a.depotCode()).setItemCode(a.itemCode()).setQuantity(a.quantity()).setMinimum(a.minimum())
                .setRaiseTime(a.raisedAt().toString())));
        reply(response, out.build());
    }

    private static StockLevel level(StockService.Level l) {
        return StockLevel.newBuilder().setDepotCode(l.depotCode()).setItemCode(l.itemCode()).setQuantity(l.quantity())
                .setMinimum(l.minimum()).setBelowMinimum(l.belowMinimum()).build();
    }

    private static java.util.Optional<String> text(String s) {
        return s == null || s.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(s.trim());
    }

    private static <T> void reply(StreamObserver<T> response, T message) {
        response.onNext(message);
        response.onCompleted();
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
