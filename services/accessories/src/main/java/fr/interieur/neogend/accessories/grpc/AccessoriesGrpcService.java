package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.catalogue.CatalogueItemCatalog;
import fr.interieur.neogend.accessories.repair.Repair;
import fr.interieur.neogend.accessories.repair.RepairService;
import fr.interieur.neogend.accessories.stock.ReplenishmentService;
import fr.interieur.neogend.accessories.stock.StockHistory;
import fr.interieur.neogend.accessories.stock.StockService;
import fr.interieur.neogend.accessories.v1.AccessoriesServiceGrpc;
import fr.interieur.neogend.accessories.v1.CloseRepairRequest;
import fr.interieur.neogend.accessories.v1.CloseRepairResponse;
import fr.interieur.neogend.accessories.v1.ConsumeRepairPartRequest;
import fr.interieur.neogend.accessories.v1.ConsumeRepairPartResponse;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemRequest;
import fr.interieur.neogend.accessories.v1.CreateCatalogueItemResponse;
import fr.interieur.neogend.accessories.v1.CreateDepotRequest;
import fr.interieur.neogend.accessories.v1.CreateDepotResponse;
import fr.interieur.neogend.accessories.v1.ExportStockMovementsRequest;
import fr.interieur.neogend.accessories.v1.ExportStockMovementsResponse;
import fr.interieur.neogend.accessories.v1.GetRepairRequest;
import fr.interieur.neogend.accessories.v1.GetRepairResponse;
import fr.interieur.neogend.accessories.v1.GetStockRequest;
import fr.interieur.neogend.accessories.v1.GetStockResponse;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsRequest;
import fr.interieur.neogend.accessories.v1.ListCatalogueItemsResponse;
import fr.interieur.neogend.accessories.v1.ListRepairsRequest;
import fr.interieur.neogend.accessories.v1.ListRepairsResponse;
import fr.interieur.neogend.accessories.v1.ListStockAlertsRequest;
import fr.interieur.neogend.accessories.v1.ListStockAlertsResponse;
import fr.interieur.neogend.accessories.v1.ListStockMovementsRequest;
import fr.interieur.neogend.accessories.v1.ListStockMovementsResponse;
import fr.interieur.neogend.accessories.v1.OpenRepairRequest;
import fr.interieur.neogend.accessories.v1.OpenRepairResponse;
import fr.interieur.neogend.accessories.v1.ProposeReplenishmentRequest;
import fr.interieur.neogend.accessories.v1.ProposeReplenishmentResponse;
import fr.interieur.neogend.accessories.v1.RecordStockMovementRequest;
import fr.interieur.neogend.accessories.v1.RecordStockMovementResponse;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelRequest;
import fr.interieur.neogend.accessories.v1.SetMinimumLevelResponse;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.paging.Page;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.util.Optional;

import static fr.interieur.neogend.accessories.grpc.AccessoriesMessages.alert;
import static fr.interieur.neogend.accessories.grpc.AccessoriesMessages.level;
import static fr.interieur.neogend.accessories.grpc.AccessoriesMessages.movement;
import static fr.interieur.neogend.accessories.grpc.AccessoriesMessages.state;
import static fr.interieur.neogend.accessories.grpc.AccessoriesMessages.toProto;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.reply;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;

/** The accessories gRPC API: maps proto messages to the domain and back. */
@Service
public class AccessoriesGrpcService extends AccessoriesServiceGrpc.AccessoriesServiceImplBase {

    private final CatalogueItemCatalog catalog;
    private final StockService stock;
    private final ReplenishmentService replenishment;
    private final RepairService repairs;
    private final StockHistory history;

    public AccessoriesGrpcService(
            CatalogueItemCatalog catalog,
            StockService stock,
            ReplenishmentService replenishment,
            RepairService repairs,
            StockHistory history) {
        this.catalog = catalog;
        this.stock = stock;
        this.replenishment = replenishment;
        this.repairs = repairs;
        this.history = history;
    }

    @Override
    public void createCatalogueItem(
            CreateCatalogueItemRequest request, StreamObserver<CreateCatalogueItemResponse> response) {
        var i = request.getItem();
        stock.createItem(
                i.getCode(),
                i.getLabel(),
                AccessoriesEnums.category(i.getCategory()),
                i.getFitsModelsList(),
                i.getAgreementItemCode());
        reply(
                response,
                CreateCatalogueItemResponse.newBuilder()
                        .setItem(toProto(catalog.find(i.getCode()).orElseThrow()))
                        .build());
    }

    @Override
    public void createDepot(CreateDepotRequest request, StreamObserver<CreateDepotResponse> response) {
        stock.createDepot(request.getCode(), request.getName());
        reply(
                response,
                CreateDepotResponse.newBuilder().setCode(request.getCode()).build());
    }

    @Override
    public void setMinimumLevel(SetMinimumLevelRequest request, StreamObserver<SetMinimumLevelResponse> response) {
        reply(
                response,
                SetMinimumLevelResponse.newBuilder()
                        .setLevel(level(
                                stock.setMinimum(request.getDepotCode(), request.getItemCode(), request.getMinimum())))
                        .build());
    }

    @Override
    public void recordStockMovement(
            RecordStockMovementRequest request, StreamObserver<RecordStockMovementResponse> response) {
        var out = RecordStockMovementResponse.newBuilder();
        stock.move(
                        AccessoriesEnums.kind(request.getKind()),
                        request.getItemCode(),
                        request.getDepotCode(),
                        text(request.getToDepotCode()),
                        request.getQuantity(),
                        text(request.getReference()),
                        CallerContext.current())
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
        StockHistory.AlertState state = switch (request.getState()) {
            case STOCK_ALERT_STATE_CLEARED -> StockHistory.AlertState.CLEARED;
            case STOCK_ALERT_STATE_ANY -> StockHistory.AlertState.ANY;
            case STOCK_ALERT_STATE_OPEN, STOCK_ALERT_STATE_UNSPECIFIED -> StockHistory.AlertState.OPEN;
            default -> throw InvalidArgumentException.of("state", "is not a known state");
        };
        Page<StockService.Alert> page =
                history.alerts(text(request.getDepotCode()), state, request.getPageSize(), request.getPageToken());
        var out = ListStockAlertsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(a -> out.addAlerts(alert(a)));
        reply(response, out.build());
    }

    @Override
    public void listStockMovements(
            ListStockMovementsRequest request, StreamObserver<ListStockMovementsResponse> response) {
        var filter = new StockHistory.Filter(
                text(request.getDepotCode()),
                text(request.getItemCode()),
                text(request.getRepairId()),
                text(request.getActor()),
                date(request.hasFromDate(), request.getFromDate(), "from_date"),
                date(request.hasToDate(), request.getToDate(), "to_date"));
        Page<StockHistory.Movement> page = history.movements(filter, request.getPageSize(), request.getPageToken());
        var out = ListStockMovementsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(m -> out.addMovements(movement(m)));
        reply(response, out.build());
    }

    @Override
    public void exportStockMovements(
            ExportStockMovementsRequest request, StreamObserver<ExportStockMovementsResponse> response) {
        var filter = new StockHistory.Filter(
                text(request.getDepotCode()),
                text(request.getItemCode()),
                text(request.getRepairId()),
                text(request.getActor()),
                date(request.hasFromDate(), request.getFromDate(), "from_date"),
                date(request.hasToDate(), request.getToDate(), "to_date"));
        reply(
                response,
                ExportStockMovementsResponse.newBuilder()
                        .setFile(com.google.api.HttpBody.newBuilder()
                                .setContentType("text/csv; charset=utf-8")
                                .setData(com.google.protobuf.ByteString.copyFromUtf8(history.csv(filter))))
                        .build());
    }

    @Override
    public void proposeReplenishment(
            ProposeReplenishmentRequest request, StreamObserver<ProposeReplenishmentResponse> response) {
        reply(
                response,
                ProposeReplenishmentResponse.newBuilder()
                        .setAlert(alert(replenishment.propose(
                                request.getAlertId(),
                                request.getAgreementId(),
                                request.getQuantity() == 0 ? Optional.empty() : Optional.of(request.getQuantity()),
                                text(request.getDeliverySite()),
                                CallerContext.current().username())))
                        .build());
    }

    @Override
    public void openRepair(OpenRepairRequest request, StreamObserver<OpenRepairResponse> response) {
        reply(
                response,
                OpenRepairResponse.newBuilder()
                        .setRepair(toProto(repairs.open(
                                request.getImei(),
                                request.getDepotCode(),
                                request.getFault(),
                                CallerContext.current())))
                        .build());
    }

    @Override
    public void consumeRepairPart(
            ConsumeRepairPartRequest request, StreamObserver<ConsumeRepairPartResponse> response) {
        reply(
                response,
                ConsumeRepairPartResponse.newBuilder()
                        .setRepair(toProto(repairs.consumePart(
                                request.getRepairId(),
                                request.getItemCode(),
                                request.getQuantity(),
                                CallerContext.current())))
                        .build());
    }

    @Override
    public void closeRepair(CloseRepairRequest request, StreamObserver<CloseRepairResponse> response) {
        Repair.State outcome = switch (request.getOutcome()) {
            case REPAIR_OUTCOME_REPAIRED -> Repair.State.REPAIRED;
            case REPAIR_OUTCOME_FAILED -> Repair.State.FAILED;
            default -> null;
        };
        reply(
                response,
                CloseRepairResponse.newBuilder()
                        .setRepair(toProto(repairs.close(
                                request.getRepairId(), outcome, request.getDiagnosis(), CallerContext.current())))
                        .build());
    }

    @Override
    public void getRepair(GetRepairRequest request, StreamObserver<GetRepairResponse> response) {
        reply(
                response,
                GetRepairResponse.newBuilder()
                        .setRepair(toProto(repairs.get(request.getId(), CallerContext.current())))
                        .build());
    }

    @Override
    public void listRepairs(ListRepairsRequest request, StreamObserver<ListRepairsResponse> response) {
        Optional<Repair.State> state = switch (request.getState()) {
            case REPAIR_STATE_OPEN -> Optional.of(Repair.State.OPEN);
            case REPAIR_STATE_REPAIRED -> Optional.of(Repair.State.REPAIRED);
            case REPAIR_STATE_FAILED -> Optional.of(Repair.State.FAILED);
            default -> Optional.empty();
        };
        Page<Repair> page = repairs.list(
                state, text(request.getImei()), request.getPageSize(), request.getPageToken(), CallerContext.current());
        var out = ListRepairsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(r -> out.addRepairs(toProto(r)));
        reply(response, out.build());
    }

    @Override
    public void listCatalogueItems(
            ListCatalogueItemsRequest request, StreamObserver<ListCatalogueItemsResponse> response) {
        Page<CatalogueItem> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListCatalogueItemsResponse.Builder out =
                ListCatalogueItemsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        response.onNext(out.build());
        response.onCompleted();
    }
}
