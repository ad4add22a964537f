package fr.interieur.neogend.accessories.peerclient;

import fr.interieur.neogend.accessories.repair.Peers;
import fr.interieur.neogend.accessories.stock.ReplenishmentOrders;
import fr.interieur.neogend.inventory.v1.DeviceRepairOutcome;
import fr.interieur.neogend.inventory.v1.EndDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.StartDeviceRepairRequest;
import fr.interieur.neogend.inventory.v1.StreamDevicePlacementsRequest;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.kit.idempotency.IdempotencyInterceptor;
import fr.interieur.neogend.kit.serviceaccount.ServiceTokenSource;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.ExchangeRequest;
import fr.interieur.neogend.order.v1.ExchangeRequestState;
import fr.interieur.neogend.order.v1.ListExchangeRequestsRequest;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.order.v1.RequestDeviceExchangeRequest;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * The accessories service's calls to inventory, training and the order service, over gRPC, each on
 * the current caller's behalf: the technician's or fleet manager's own token travels with the call and
 * the other service checks it and its roles again (a technician only reaches the devices inventory
 * lets it see). A refusal comes back as the other service gave it; an unreachable service as
 * UNAVAILABLE saying nothing was recorded.
 */
@Configuration(proxyBeanMethods = false)
class PeerClients {

    private static final String NOTHING_DONE = "nothing was recorded; try again later";

    /**
     * Inventory opens and closes repairs only through this service: the calls carry this service's
     * own token besides the technician's (ADR 0030).
     */
    @Bean
    PeerChannel inventoryChannel(
            @Value("${neogend.inventory.target:localhost:9091}") String target,
            @Value("${neogend.peers.deadline:10s}") Duration deadline,
            ObservationRegistry observations,
            ServiceTokenSource serviceAccount) {
        return new PeerChannel("inventory", target, deadline, observations, serviceAccount);
    }

    @Bean
    PeerChannel trainingChannel(
            @Value("${neogend.training.target:localhost:9094}") String target,
            @Value("${neogend.peers.deadline:10s}") Duration deadline,
            ObservationRegistry observations) {
        return new PeerChannel("training", target, deadline, observations);
    }

    /**
     * Calls to order carry this service's own token besides the user's: the keys it sends (a stock alert's,
     * a repair's exchange) are kept by order per service, not per user, so a repeat by another user after a
     * lost answer is the same request (ADR 0030).
     */
    @Bean
    PeerChannel orderChannel(
            @Value("${neogend.order.target:localhost:9092}") String target,
            @Value("${neogend.peers.deadline:10s}") Duration deadline,
            ObservationRegistry observations,
            ServiceTokenSource serviceAccount) {
        return new PeerChannel("the order service", target, deadline, observations, serviceAccount);
    }

    @Bean
    Peers.Fleet fleet(@Qualifier("inventoryChannel") PeerChannel inventory) {
        return new Peers.Fleet() {
            private InventoryServiceGrpc.InventoryServiceBlockingStub stub() {
                return InventoryServiceGrpc.newBlockingStub(inventory.channel());
            }

            @Override
            public Peers.Device device(String imei) {
                fr.interieur.neogend.inventory.v1.Device d;
                try {
                    d = inventory
                            .callIdempotent(
                                    stub(),
                                    s -> s.getDevice(GetDeviceRequest.newBuilder()
                                            .setImei(imei)
                                            .build()),
                                    NOTHING_DONE)
                            .getDevice();
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                        // unknown or outside the caller's reach: the repairs decide what to tell the caller
                        throw new fr.interieur.neogend.kit.error.NotFoundException(
                                e.getStatus().getDescription());
                    }
                    throw e;
                }
                return new Peers.Device(
                        d.getImei(),
                        d.getModel(),
                        d.getState().name().substring("DEVICE_STATE_".length()),
                        d.getRepairId().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(d.getRepairId()),
                        !d.getPackId().isEmpty());
            }

            @Override
            public void startRepair(String imei, String repairId, java.util.Optional<String> replaces) {
                // a repeat changes nothing in inventory: safe to retry
                inventory.callIdempotent(
                        stub(),
                        s -> s.startDeviceRepair(StartDeviceRepairRequest.newBuilder()
                                .setImei(imei)
                                .setRepairId(repairId)
                                .setReplacesRepairId(replaces.orElse(""))
                                .build()),
                        NOTHING_DONE);
            }

            @Override
            public void endRepair(String imei, String repairId, boolean repaired, String reason) {
                // a repeat of the same end changes nothing in inventory: safe to retry
                inventory.callIdempotent(
                        stub(),
                        s -> s.endDeviceRepair(EndDeviceRepairRequest.newBuilder()
                                .setImei(imei)
                                .setRepairId(repairId)
                                .setOutcome(
                                        repaired
                                                ? DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_REPAIRED
                                                : DeviceRepairOutcome.DEVICE_REPAIR_OUTCOME_FAILED)
                                .setReason(reason == null ? "" : reason)
                                .build()),
                        "the repair stays open; close it again later");
            }

            @Override
            public java.util.List<String> imeisInReach() {
                return inventory.callIdempotent(
                        stub(),
                        s -> {
                            java.util.List<String> imeis = new java.util.ArrayList<>();
                            // the returned ones too: their repairs stay readable, so they stay listed
                            s.streamDevicePlacements(StreamDevicePlacementsRequest.newBuilder()
                                            .setIncludeReturned(true)
                                            .build())
                                    .forEachRemaining(
                                            batch -> batch.getPlacementsList().forEach(p -> imeis.add(p.getImei())));
                            return imeis;
                        },
                        NOTHING_DONE);
            }
        };
    }

    @Bean
    Peers.Certifications certifications(@Qualifier("trainingChannel") PeerChannel training) {
        return (technician, model) -> {
            var answer = training.callIdempotent(
                    TrainingServiceGrpc.newBlockingStub(training.channel()),
                    s -> s.checkCertification(CheckCertificationRequest.newBuilder()
                            .setTechnician(technician)
                            .setModel(model)
                            .build()),
                    "certifications cannot be checked now; nothing was recorded; try again later");
            return new Peers.Check(answer.getCertified(), answer.getReason());
        };
    }

    @Bean
    Peers.Exchanges exchanges(@Qualifier("orderChannel") PeerChannel order) {
        return (imei, model, reason, repairId) -> {
            // the key covers the reason too: a close repeated with another diagnosis is not a reused key
            // (refused by the order service) but a second request, answered ALREADY_EXISTS below
            var stub = PeerChannel.withIdempotencyKey(
                    OrderServiceGrpc.newBlockingStub(order.channel()),
                    "repair-" + repairId + "-exchange-" + shortHash(reason));
            String consequence = "no exchange was requested and the repair stays open; close it again later";
            try {
                return order.callIdempotent(
                                stub,
                                s -> s.requestDeviceExchange(RequestDeviceExchangeRequest.newBuilder()
                                        .setExchangeRequest(ExchangeRequest.newBuilder()
                                                .setImei(imei)
                                                .setModel(model)
                                                .setReason(reason)
                                                .setRepairReference(repairId))
                                        .build()),
                                consequence)
                        .getExchangeRequest()
                        .getNumber();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
                // asked already (by another technician's interrupted close): that request stands
                return order
                        .callIdempotent(
                                OrderServiceGrpc.newBlockingStub(order.channel()),
                                s -> s.listExchangeRequests(ListExchangeRequestsRequest.newBuilder()
                                        .setImei(imei)
                                        .build()),
                                consequence)
                        .getExchangeRequestsList()
                        .stream()
                        .filter(x -> x.getState() != ExchangeRequestState.EXCHANGE_REQUEST_STATE_REFUSED)
                        .map(ExchangeRequest::getNumber)
                        .findFirst()
                        .orElseThrow(() -> e);
            }
        };
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Bean
    ReplenishmentOrders replenishmentOrders(@Qualifier("orderChannel") PeerChannel order) {
        return new ReplenishmentOrders() {
            @Override
            public String draft(
                    String agreementId,
                    String deliverySite,
                    java.time.LocalDate requestedDate,
                    String itemCode,
                    long quantity,
                    String key) {
                return order.callIdempotent(
                                PeerChannel.withIdempotencyKey(OrderServiceGrpc.newBlockingStub(order.channel()), key),
                                s -> s.createPurchaseOrder(CreatePurchaseOrderRequest.newBuilder()
                                        .setOrder(PurchaseOrder.newBuilder()
                                                .setAgreementId(agreementId)
                                                .setDeliverySite(deliverySite)
                                                .setRequestedDate(com.google.type.Date.newBuilder()
                                                        .setYear(requestedDate.getYear())
                                                        .setMonth(requestedDate.getMonthValue())
                                                        .setDay(requestedDate.getDayOfMonth()))
                                                .addLines(OrderLine.newBuilder()
                                                        .setItemCode(itemCode)
                                                        .setQuantity(quantity)))
                                        .build()),
                                "the draft order may not have been made; propose again: the same draft is given, never a second")
                        .getOrder()
                        .getNumber();
            }

            @Override
            public boolean refused(RuntimeException failure) {
                // the peer's own refusal comes as it was; unreachable, late or lost answers come as UNAVAILABLE,
                // and ABORTED is the key's first call still running: none of those says no draft was made
                // and a key used already with another request (422) says a draft was made under it
                return failure instanceof StatusRuntimeException e
                        && !NOT_REFUSALS.contains(e.getStatus().getCode())
                        && !reusedKey(e);
            }
        };
    }

    private static boolean reusedKey(StatusRuntimeException e) {
        com.google.rpc.Status rich = io.grpc.protobuf.StatusProto.fromThrowable(e);
        return rich != null
                && rich.getDetailsList().stream()
                        .filter(d -> d.is(com.google.rpc.ErrorInfo.class))
                        .anyMatch(d -> {
                            try {
                                return IdempotencyInterceptor.REUSED.equals(
                                        d.unpack(com.google.rpc.ErrorInfo.class).getReason());
                            } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
                                return false;
                            }
                        });
    }

    /** Failures of a call to order that do not say it made nothing. */
    private static final java.util.Set<Status.Code> NOT_REFUSALS = java.util.EnumSet.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.ABORTED,
            Status.Code.UNKNOWN,
            Status.Code.INTERNAL,
            Status.Code.CANCELLED,
            Status.Code.RESOURCE_EXHAUSTED);
}
