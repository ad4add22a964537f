package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.billing.Reconciliation;
import fr.interieur.neogend.order.delivery.Delivery;
import fr.interieur.neogend.order.exchange.ExchangeRequest;
import fr.interieur.neogend.order.purchaseorder.OrderState;

import java.util.Optional;

/**
 * The order service's enums between the domain and the contract, as exhaustive {@code switch}es: a
 * value added on either side without its mapping does not compile (issue 19).
 */
final class OrderEnums {

    private OrderEnums() {}

    static fr.interieur.neogend.order.v1.OrderState toProto(OrderState state) {
        return switch (state) {
            case DRAFT -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_DRAFT;
            case SUBMITTED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_SUBMITTED;
            case APPROVED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_APPROVED;
            case SENT -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_SENT;
            case ACKNOWLEDGED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_ACKNOWLEDGED;
            case PARTIALLY_DELIVERED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_PARTIALLY_DELIVERED;
            case DELIVERED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_DELIVERED;
            case CLOSED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_CLOSED;
            case CANCELLED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_CANCELLED;
            case REJECTED -> fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_REJECTED;
        };
    }

    /** A state asked for in a request: empty when unspecified. */
    static Optional<OrderState> state(fr.interieur.neogend.order.v1.OrderState state) {
        return switch (state) {
            case ORDER_STATE_UNSPECIFIED -> Optional.empty();
            case ORDER_STATE_DRAFT -> Optional.of(OrderState.DRAFT);
            case ORDER_STATE_SUBMITTED -> Optional.of(OrderState.SUBMITTED);
            case ORDER_STATE_APPROVED -> Optional.of(OrderState.APPROVED);
            case ORDER_STATE_SENT -> Optional.of(OrderState.SENT);
            case ORDER_STATE_ACKNOWLEDGED -> Optional.of(OrderState.ACKNOWLEDGED);
            case ORDER_STATE_PARTIALLY_DELIVERED -> Optional.of(OrderState.PARTIALLY_DELIVERED);
            case ORDER_STATE_DELIVERED -> Optional.of(OrderState.DELIVERED);
            case ORDER_STATE_CLOSED -> Optional.of(OrderState.CLOSED);
            case ORDER_STATE_CANCELLED -> Optional.of(OrderState.CANCELLED);
            case ORDER_STATE_REJECTED -> Optional.of(OrderState.REJECTED);
            case UNRECOGNIZED -> throw InvalidArgumentException.of("state", "is not a known state");
        };
    }

    static fr.interieur.neogend.order.v1.ItemKind toProto(ItemKind kind) {
        return switch (kind) {
            case PACK_LEASE -> fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_PACK_LEASE;
            case ACCESSORY -> fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_ACCESSORY;
            case SPARE_PART -> fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_SPARE_PART;
            case TRAINING_DAY -> fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_TRAINING_DAY;
            case PATCH_SLA_DEDUCTION -> fr.interieur.neogend.order.v1.ItemKind.ITEM_KIND_PATCH_SLA_DEDUCTION;
        };
    }

    static fr.interieur.neogend.order.v1.DeliveryState toProto(Delivery.State state) {
        return switch (state) {
            case POSTED -> fr.interieur.neogend.order.v1.DeliveryState.DELIVERY_STATE_POSTED;
            case PARTIALLY_RECEIVED -> fr.interieur.neogend.order.v1.DeliveryState.DELIVERY_STATE_PARTIALLY_RECEIVED;
            case RECEIVED -> fr.interieur.neogend.order.v1.DeliveryState.DELIVERY_STATE_RECEIVED;
        };
    }

    static fr.interieur.neogend.order.v1.ExchangeRequestState toProto(ExchangeRequest.State state) {
        return switch (state) {
            case REQUESTED -> fr.interieur.neogend.order.v1.ExchangeRequestState.EXCHANGE_REQUEST_STATE_REQUESTED;
            case SENT -> fr.interieur.neogend.order.v1.ExchangeRequestState.EXCHANGE_REQUEST_STATE_SENT;
            case REFUSED -> fr.interieur.neogend.order.v1.ExchangeRequestState.EXCHANGE_REQUEST_STATE_REFUSED;
        };
    }

    static fr.interieur.neogend.order.v1.ReconciliationStatus toProto(Reconciliation.Status status) {
        return switch (status) {
            case MATCHES -> fr.interieur.neogend.order.v1.ReconciliationStatus.RECONCILIATION_STATUS_MATCHES;
            case DIFFERS -> fr.interieur.neogend.order.v1.ReconciliationStatus.RECONCILIATION_STATUS_DIFFERS;
            case NOT_INVOICED -> fr.interieur.neogend.order.v1.ReconciliationStatus.RECONCILIATION_STATUS_NOT_INVOICED;
            case NOT_IN_STATEMENT ->
                fr.interieur.neogend.order.v1.ReconciliationStatus.RECONCILIATION_STATUS_NOT_IN_STATEMENT;
        };
    }

    /**
     * Inventory's pack type as the order service stores it (the text SMARTPHONE_INDIVIDUAL…); unset or
     * unknown: empty.
     */
    static Optional<String> packType(PackType type) {
        return switch (type) {
            case PACK_TYPE_SMARTPHONE_INDIVIDUAL -> Optional.of(SMARTPHONE_INDIVIDUAL);
            case PACK_TYPE_TABLET_INDIVIDUAL -> Optional.of(TABLET_INDIVIDUAL);
            case PACK_TYPE_TABLET_COLLECTIVE -> Optional.of(TABLET_COLLECTIVE);
            case PACK_TYPE_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    /** A stored pack type as the contract's; the store holds these three only (a check constraint). */
    static PackType toProto(String packType) {
        return switch (packType) {
            case SMARTPHONE_INDIVIDUAL -> PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL;
            case TABLET_INDIVIDUAL -> PackType.PACK_TYPE_TABLET_INDIVIDUAL;
            case TABLET_COLLECTIVE -> PackType.PACK_TYPE_TABLET_COLLECTIVE;
            default -> throw new IllegalStateException("a pack type the contract does not know: " + packType);
        };
    }

    /** Inventory's device kind as a delivery stores it (PHONE, TABLET); unset or unknown: null, refused as such. */
    static String deviceKind(DeviceKind kind) {
        return switch (kind) {
            case DEVICE_KIND_PHONE -> PHONE;
            case DEVICE_KIND_TABLET -> TABLET;
            case DEVICE_KIND_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    static DeviceKind deviceKindToProto(String kind) {
        return switch (kind) {
            case PHONE -> DeviceKind.DEVICE_KIND_PHONE;
            case TABLET -> DeviceKind.DEVICE_KIND_TABLET;
            default -> throw new IllegalStateException("a device kind the contract does not know: " + kind);
        };
    }

    static final String SMARTPHONE_INDIVIDUAL = "SMARTPHONE_INDIVIDUAL";
    static final String TABLET_INDIVIDUAL = "TABLET_INDIVIDUAL";
    static final String TABLET_COLLECTIVE = "TABLET_COLLECTIVE";
    static final String PHONE = "PHONE";
    static final String TABLET = "TABLET";
}
