package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementService;
import fr.interieur.neogend.order.agreement.CatalogueItem;
import fr.interieur.neogend.order.billing.BillingService;
import fr.interieur.neogend.order.billing.Invoice;
import fr.interieur.neogend.order.billing.PatchSlaService;
import fr.interieur.neogend.order.billing.Reconciliation;
import fr.interieur.neogend.order.billing.Statement;
import fr.interieur.neogend.order.delivery.Delivery;
import fr.interieur.neogend.order.delivery.DeliveryService;
import fr.interieur.neogend.order.exchange.ExchangeRequestService;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.AcknowledgePurchaseOrderResponse;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderResponse;
import fr.interieur.neogend.order.v1.BudgetEnvelope;
import fr.interieur.neogend.order.v1.CancelPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CancelPurchaseOrderResponse;
import fr.interieur.neogend.order.v1.ClosePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ClosePurchaseOrderResponse;
import fr.interieur.neogend.order.v1.CreateAgreementRequest;
import fr.interieur.neogend.order.v1.CreateAgreementResponse;
import fr.interieur.neogend.order.v1.CreateDeliveryRequest;
import fr.interieur.neogend.order.v1.CreateDeliveryResponse;
import fr.interieur.neogend.order.v1.CreateInvoiceRequest;
import fr.interieur.neogend.order.v1.CreateInvoiceResponse;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderResponse;
import fr.interieur.neogend.order.v1.ExportLeaseDetailRequest;
import fr.interieur.neogend.order.v1.ExportLeaseDetailResponse;
import fr.interieur.neogend.order.v1.ExportLeaseStatementRequest;
import fr.interieur.neogend.order.v1.ExportLeaseStatementResponse;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest;
import fr.interieur.neogend.order.v1.GetAgreementConsumptionResponse;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.GetAgreementResponse;
import fr.interieur.neogend.order.v1.GetLeaseStatementRequest;
import fr.interieur.neogend.order.v1.GetLeaseStatementResponse;
import fr.interieur.neogend.order.v1.GetPatchSlaRequest;
import fr.interieur.neogend.order.v1.GetPatchSlaResponse;
import fr.interieur.neogend.order.v1.GetPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.GetPurchaseOrderResponse;
import fr.interieur.neogend.order.v1.ListAgreementsRequest;
import fr.interieur.neogend.order.v1.ListAgreementsResponse;
import fr.interieur.neogend.order.v1.ListDeliveriesRequest;
import fr.interieur.neogend.order.v1.ListDeliveriesResponse;
import fr.interieur.neogend.order.v1.ListExchangeRequestsRequest;
import fr.interieur.neogend.order.v1.ListExchangeRequestsResponse;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersResponse;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.ReceiveDeliveryRequest;
import fr.interieur.neogend.order.v1.ReceiveDeliveryResponse;
import fr.interieur.neogend.order.v1.ReconcileInvoiceRequest;
import fr.interieur.neogend.order.v1.ReconcileInvoiceResponse;
import fr.interieur.neogend.order.v1.RejectPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.RejectPurchaseOrderResponse;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeRequest;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeResponse;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderResponse;
import fr.interieur.neogend.order.v1.TransferPacksToSuccessorRequest;
import fr.interieur.neogend.order.v1.TransferPacksToSuccessorResponse;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.reply;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.order.grpc.OrderMessages.kindOf;
import static fr.interieur.neogend.order.grpc.OrderMessages.money;
import static fr.interieur.neogend.order.grpc.OrderMessages.newLines;
import static fr.interieur.neogend.order.grpc.OrderMessages.rate;
import static fr.interieur.neogend.order.grpc.OrderMessages.requestedDate;
import static fr.interieur.neogend.order.grpc.OrderMessages.signedMoney;
import static fr.interieur.neogend.order.grpc.OrderMessages.state;
import static fr.interieur.neogend.order.grpc.OrderMessages.toProto;
import static fr.interieur.neogend.order.grpc.OrderMessages.version;

/** The order gRPC API: maps proto messages to the domain and back, nothing more. */
@Service
public class OrderGrpcService extends OrderServiceGrpc.OrderServiceImplBase {

    private final AgreementService agreements;
    private final PurchaseOrderService orders;
    private final DeliveryService deliveries;
    private final BillingService billing;
    private final ExchangeRequestService exchanges;
    private final PatchSlaService patchSla;

    public OrderGrpcService(
            AgreementService agreements,
            PurchaseOrderService orders,
            DeliveryService deliveries,
            BillingService billing,
            ExchangeRequestService exchanges,
            PatchSlaService patchSla) {
        this.exchanges = exchanges;
        this.patchSla = patchSla;
        this.agreements = agreements;
        this.orders = orders;
        this.deliveries = deliveries;
        this.billing = billing;
    }

    @Override
    public void getLeaseStatement(
            GetLeaseStatementRequest request, StreamObserver<GetLeaseStatementResponse> response) {
        Statement s = billing.statement(
                request.getAgreementId(), request.getYear(), request.getMonth(), CallerContext.current());
        reply(
                response,
                GetLeaseStatementResponse.newBuilder().setStatement(toProto(s)).build());
    }

    @Override
    public void exportLeaseStatement(
            ExportLeaseStatementRequest request, StreamObserver<ExportLeaseStatementResponse> response) {
        Statement s = billing.statement(
                request.getAgreementId(), request.getYear(), request.getMonth(), CallerContext.current());
        reply(
                response,
                ExportLeaseStatementResponse.newBuilder()
                        .setFile(com.google.api.HttpBody.newBuilder()
                                .setContentType("text/csv; charset=utf-8")
                                .setData(com.google.protobuf.ByteString.copyFromUtf8(BillingService.csv(s))))
                        .build());
    }

    @Override
    public void exportLeaseDetail(
            ExportLeaseDetailRequest request, StreamObserver<ExportLeaseDetailResponse> response) {
        // chunk by chunk, at the pace the client reads: a chunk waits while the client's window is full
        var flow = new FlowControl(response);
        billing.detailCsv(
                request.getAgreementId(), request.getYear(), request.getMonth(), CallerContext.current(), chunk -> {
                    flow.awaitReady();
                    response.onNext(ExportLeaseDetailResponse.newBuilder()
                            .setFile(com.google.api.HttpBody.newBuilder()
                                    .setContentType("text/csv; charset=utf-8")
                                    .setData(com.google.protobuf.ByteString.copyFromUtf8(chunk)))
                            .build());
                });
        response.onCompleted();
    }

    /**
     * Waits, before each message of a server stream, until the transport can take it (or the client
     * went away), so a slow reader holds the sender back instead of piling messages up in memory. It
     * polls: the transport's "ready" callback runs on the call's own serialized executor, which is
     * this very thread while the handler streams, so it could not wake it.
     */
    private static final class FlowControl {

        private final io.grpc.stub.ServerCallStreamObserver<?> call;

        FlowControl(StreamObserver<?> observer) {
            this.call = observer instanceof io.grpc.stub.ServerCallStreamObserver<?> s ? s : null;
        }

        void awaitReady() {
            while (call != null && !call.isReady()) {
                if (call.isCancelled()) {
                    throw io.grpc.Status.CANCELLED
                            .withDescription("the client went away")
                            .asRuntimeException();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw io.grpc.Status.CANCELLED
                            .withDescription("interrupted")
                            .asRuntimeException();
                }
            }
        }
    }

    @Override
    public void createInvoice(CreateInvoiceRequest request, StreamObserver<CreateInvoiceResponse> response) {
        var i = request.getInvoice();
        List<Invoice.Line> lines = new ArrayList<>();
        for (int n = 0; n < i.getLinesCount(); n++) {
            var l = i.getLines(n);
            lines.add(new Invoice.Line(
                    l.getItemCode(), l.getQuantity(), signedMoney(l.getAmount(), "invoice.lines[" + n + "].amount")));
        }
        Invoice stored = billing.createInvoice(
                request.getAgreementId(),
                new Invoice(
                        null,
                        request.getAgreementId(),
                        i.getInvoiceNumber(),
                        i.getYear(),
                        i.getMonth(),
                        lines,
                        money(i.getTotalExclTax(), "invoice.total_excl_tax"),
                        null),
                CallerContext.current());
        reply(
                response,
                CreateInvoiceResponse.newBuilder().setInvoice(toProto(stored)).build());
    }

    @Override
    public void reconcileInvoice(ReconcileInvoiceRequest request, StreamObserver<ReconcileInvoiceResponse> response) {
        Reconciliation r = billing.reconcile(request.getId(), CallerContext.current());
        var out = fr.interieur.neogend.order.v1.Reconciliation.newBuilder()
                .setInvoiceId(r.invoiceId())
                .setMatches(r.matches())
                .setMonthInvoicedBy(r.monthInvoicedBy().orElse(""))
                .setStatementTotal(money(r.statementTotal()))
                .setInvoiceTotal(money(r.invoiceTotal()))
                .setDifference(money(r.difference()));
        r.lines()
                .forEach(l -> out.addLinesBuilder()
                        .setItemCode(l.itemCode())
                        .setStatementQuantity(l.statementQuantity())
                        .setInvoiceQuantity(l.invoiceQuantity())
                        .setStatementAmount(money(l.statementAmount()))
                        .setInvoiceAmount(money(l.invoiceAmount()))
                        .setDifference(money(l.difference()))
                        .setStatus(OrderEnums.toProto(l.status())));
        reply(
                response,
                ReconcileInvoiceResponse.newBuilder().setReconciliation(out).build());
    }

    @Override
    public void acknowledgePurchaseOrder(
            AcknowledgePurchaseOrderRequest request, StreamObserver<AcknowledgePurchaseOrderResponse> response) {
        PurchaseOrder o = orders.acknowledge(
                request.getNumber(),
                request.getSupplierReference().isBlank()
                        ? Optional.empty()
                        : Optional.of(request.getSupplierReference()),
                CallerContext.current());
        reply(
                response,
                AcknowledgePurchaseOrderResponse.newBuilder()
                        .setOrder(toProto(o))
                        .build());
    }

    @Override
    public void createDelivery(CreateDeliveryRequest request, StreamObserver<CreateDeliveryResponse> response) {
        var d = request.getDelivery();
        Delivery stored = deliveries.post(
                request.getOrderNumber(),
                d.getDeliveryNoteNumber(),
                d.getDevicesList().stream()
                        .map(x -> new Delivery.Device(
                                x.getImei(),
                                x.getSerialNumber(),
                                x.getModel(),
                                OrderEnums.deviceKind(x.getKind()),
                                x.getItemCode(),
                                Optional.empty()))
                        .toList(),
                d.getItemsList().stream()
                        .map(x -> new Delivery.Item(x.getItemCode(), x.getQuantity(), 0))
                        .toList(),
                CallerContext.current());
        reply(
                response,
                CreateDeliveryResponse.newBuilder().setDelivery(toProto(stored)).build());
    }

    @Override
    public void listDeliveries(ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> response) {
        var out = ListDeliveriesResponse.newBuilder();
        deliveries
                .ofOrder(request.getOrderNumber(), CallerContext.current())
                .forEach(d -> out.addDeliveries(toProto(d)));
        reply(response, out.build());
    }

    @Override
    public void receiveDelivery(ReceiveDeliveryRequest request, StreamObserver<ReceiveDeliveryResponse> response) {
        Map<String, Long> items = new java.util.LinkedHashMap<>();
        for (int i = 0; i < request.getItemsCount(); i++) {
            if (items.put(request.getItems(i).getItemCode(), request.getItems(i).getQuantity()) != null) {
                throw InvalidArgumentException.of("items[" + i + "].item_code", "repeats an earlier item");
            }
        }
        Delivery received = deliveries.receive(request.getId(), request.getImeisList(), items, CallerContext.current());
        reply(
                response,
                ReceiveDeliveryResponse.newBuilder()
                        .setDelivery(toProto(received))
                        .build());
    }

    @Override
    public void createAgreement(CreateAgreementRequest request, StreamObserver<CreateAgreementResponse> response) {
        FrameworkAgreement a = request.getAgreement();
        Map<Integer, Money> budgets = new TreeMap<>();
        for (int i = 0; i < a.getBudgetsCount(); i++) {
            BudgetEnvelope b = a.getBudgets(i);
            if (budgets.put(b.getFiscalYear(), money(b.getAmount(), "agreement.budgets[" + i + "].amount")) != null) {
                throw InvalidArgumentException.of("agreement.budgets[" + i + "].fiscal_year", "repeats a year");
            }
        }
        List<CatalogueItem> items = new ArrayList<>();
        for (int i = 0; i < a.getPriceScheduleCount(); i++) {
            var item = a.getPriceSchedule(i);
            String at = "agreement.price_schedule[" + i + "].";
            items.add(new CatalogueItem(
                    item.getCode(),
                    kindOf(item.getKind(), at + "kind"),
                    item.getLabel(),
                    OrderEnums.packType(item.getPackType()),
                    money(item.getUnitPrice(), at + "unit_price")));
        }
        Agreement stored = agreements.create(
                new Agreement(
                        a.getId(),
                        a.getTitle(),
                        a.getSupplierId(),
                        a.getSupplierName(),
                        a.hasNotifiedOn() ? date(a.getNotifiedOn(), "agreement.notified_on") : null,
                        a.getTermMonths(),
                        a.getMinPacks(),
                        a.getMaxPacks(),
                        money(a.getEstimatedValue(), "agreement.estimated_value"),
                        rate(a.getVatRate(), "agreement.vat_rate"),
                        budgets,
                        items,
                        a.hasPatchSla()
                                ? Optional.of(new Agreement.PatchSlaClause(
                                        a.getPatchSla().getDelayDays(),
                                        text(a.getPatchSla().getPenaltyPerDay())
                                                .map(p -> money(p, "agreement.patch_sla.penalty_per_day"))))
                                : Optional.empty()),
                CallerContext.current());
        reply(
                response,
                CreateAgreementResponse.newBuilder()
                        .setAgreement(toProto(stored))
                        .build());
    }

    @Override
    public void listAgreements(ListAgreementsRequest request, StreamObserver<ListAgreementsResponse> response) {
        var page = agreements.list(request.getPageSize(), request.getPageToken(), CallerContext.current());
        var out = ListAgreementsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(a -> out.addAgreements(toProto(a)));
        reply(response, out.build());
    }

    @Override
    public void getAgreement(GetAgreementRequest request, StreamObserver<GetAgreementResponse> response) {
        reply(
                response,
                GetAgreementResponse.newBuilder()
                        .setAgreement(toProto(agreements.get(request.getId(), CallerContext.current())))
                        .build());
    }

    @Override
    public void transferPacksToSuccessor(
            TransferPacksToSuccessorRequest request, StreamObserver<TransferPacksToSuccessorResponse> response) {
        LocalDate date = request.hasEffectiveDate() ? date(request.getEffectiveDate(), "effective_date") : null;
        AgreementService.Transfer t = agreements.transferToSuccessor(
                request.getAgreementId(),
                request.getSuccessorId(),
                date,
                OrderEnums.packType(request.getPackType()),
                text(request.getUnitCode()),
                CallerContext.current());
        reply(
                response,
                TransferPacksToSuccessorResponse.newBuilder()
                        .setTransferred(t.moved())
                        .setSuccessor(toProto(agreements.consumption(t.successorId(), CallerContext.current())))
                        .build());
    }

    @Override
    public void getAgreementConsumption(
            GetAgreementConsumptionRequest request, StreamObserver<GetAgreementConsumptionResponse> response) {
        reply(
                response,
                GetAgreementConsumptionResponse.newBuilder()
                        .setConsumption(
                                toProto(agreements.consumption(request.getAgreementId(), CallerContext.current())))
                        .build());
    }

    @Override
    public void getPatchSla(GetPatchSlaRequest request, StreamObserver<GetPatchSlaResponse> response) {
        reply(
                response,
                GetPatchSlaResponse.newBuilder()
                        .setSla(toProto(patchSla.report(request.getAgreementId(), CallerContext.current())))
                        .build());
    }

    @Override
    public void createPurchaseOrder(
            CreatePurchaseOrderRequest request, StreamObserver<CreatePurchaseOrderResponse> response) {
        var o = request.getOrder();
        PurchaseOrder stored = orders.create(
                o.getAgreementId(),
                o.getDeliverySite(),
                requestedDate(o),
                newLines(o),
                ServiceKeys.current(),
                CallerContext.current());
        reply(
                response,
                CreatePurchaseOrderResponse.newBuilder()
                        .setOrder(toProto(stored))
                        .build());
    }

    @Override
    public void getPurchaseOrder(GetPurchaseOrderRequest request, StreamObserver<GetPurchaseOrderResponse> response) {
        reply(
                response,
                GetPurchaseOrderResponse.newBuilder()
                        .setOrder(toProto(orders.get(request.getNumber(), CallerContext.current())))
                        .build());
    }

    @Override
    public void listPurchaseOrders(
            ListPurchaseOrdersRequest request, StreamObserver<ListPurchaseOrdersResponse> response) {
        Optional<OrderState> state = OrderEnums.state(request.getState());
        Page<PurchaseOrder> page = orders.list(
                state,
                request.getAgreementId().isBlank()
                        ? Optional.empty()
                        : Optional.of(request.getAgreementId().trim()),
                request.getPageSize(),
                request.getPageToken(),
                CallerContext.current());
        var out = ListPurchaseOrdersResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(o -> out.addItems(toProto(o)));
        reply(response, out.build());
    }

    @Override
    public void submitPurchaseOrder(
            SubmitPurchaseOrderRequest request, StreamObserver<SubmitPurchaseOrderResponse> response) {
        PurchaseOrder o = orders.submit(
                request.getNumber(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        reply(
                response,
                SubmitPurchaseOrderResponse.newBuilder().setOrder(toProto(o)).build());
    }

    @Override
    public void approvePurchaseOrder(
            ApprovePurchaseOrderRequest request, StreamObserver<ApprovePurchaseOrderResponse> response) {
        PurchaseOrder o = orders.approve(
                request.getNumber(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                request.getBudgetOverrideReason().isBlank()
                        ? Optional.empty()
                        : Optional.of(request.getBudgetOverrideReason()),
                CallerContext.current());
        reply(
                response,
                ApprovePurchaseOrderResponse.newBuilder().setOrder(toProto(o)).build());
    }

    @Override
    public void rejectPurchaseOrder(
            RejectPurchaseOrderRequest request, StreamObserver<RejectPurchaseOrderResponse> response) {
        PurchaseOrder o = orders.reject(
                request.getNumber(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                request.getReason(),
                CallerContext.current());
        reply(
                response,
                RejectPurchaseOrderResponse.newBuilder().setOrder(toProto(o)).build());
    }

    @Override
    public void cancelPurchaseOrder(
            CancelPurchaseOrderRequest request, StreamObserver<CancelPurchaseOrderResponse> response) {
        PurchaseOrder o = orders.cancel(
                request.getNumber(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                request.getReason(),
                CallerContext.current());
        reply(
                response,
                CancelPurchaseOrderResponse.newBuilder().setOrder(toProto(o)).build());
    }

    @Override
    public void closePurchaseOrder(
            ClosePurchaseOrderRequest request, StreamObserver<ClosePurchaseOrderResponse> response) {
        PurchaseOrder o = orders.close(
                request.getNumber(),
                version(request.hasExpectedVersion(), request.getExpectedVersion()),
                CallerContext.current());
        reply(
                response,
                ClosePurchaseOrderResponse.newBuilder().setOrder(toProto(o)).build());
    }

    @Override
    public void requestDeviceExchange(
            RequestDeviceExchangeRequest request, StreamObserver<RequestDeviceExchangeResponse> response) {
        var e = request.getExchangeRequest();
        reply(
                response,
                RequestDeviceExchangeResponse.newBuilder()
                        .setExchangeRequest(toProto(exchanges.request(
                                text(e.getAgreementId()),
                                e.getImei(),
                                e.getModel(),
                                e.getReason(),
                                text(e.getRepairReference()),
                                CallerContext.current())))
                        .build());
    }

    @Override
    public void listExchangeRequests(
            ListExchangeRequestsRequest request, StreamObserver<ListExchangeRequestsResponse> response) {
        var page = exchanges.list(text(request.getImei()), request.getPageSize(), request.getPageToken());
        var out = ListExchangeRequestsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(e -> out.addExchangeRequests(toProto(e)));
        reply(response, out.build());
    }
}
