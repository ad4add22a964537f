package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.billing.Reconciliation;
import fr.interieur.neogend.order.delivery.Delivery;
import fr.interieur.neogend.order.exchange.ExchangeRequest;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every value goes to the contract under its own name, order states back unchanged. */
class OrderEnumsTest {

    @Test
    void everyDomainValueHasItsContractValue() {
        for (OrderState s : OrderState.values()) {
            assertThat(OrderEnums.toProto(s).name()).isEqualTo("ORDER_STATE_" + s.name());
            assertThat(OrderEnums.state(OrderEnums.toProto(s))).contains(s);
        }
        for (ItemKind k : ItemKind.values()) {
            assertThat(OrderEnums.toProto(k).name()).isEqualTo("ITEM_KIND_" + k.name());
        }
        for (Delivery.State s : Delivery.State.values()) {
            assertThat(OrderEnums.toProto(s).name()).isEqualTo("DELIVERY_STATE_" + s.name());
        }
        for (ExchangeRequest.State s : ExchangeRequest.State.values()) {
            assertThat(OrderEnums.toProto(s).name()).isEqualTo("EXCHANGE_REQUEST_STATE_" + s.name());
        }
        assertThat(OrderEnums.state(fr.interieur.neogend.order.v1.OrderState.ORDER_STATE_UNSPECIFIED))
                .isEmpty();
        assertThatThrownBy(() -> OrderEnums.state(fr.interieur.neogend.order.v1.OrderState.UNRECOGNIZED))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void reconciliationStatusesPackTypesAndDeviceKindsHaveTheirContractValues() {
        for (Reconciliation.Status s : Reconciliation.Status.values()) {
            assertThat(OrderEnums.toProto(s).name()).isEqualTo("RECONCILIATION_STATUS_" + s.name());
        }
        for (PackType t : PackType.values()) {
            if (t == PackType.PACK_TYPE_UNSPECIFIED || t == PackType.UNRECOGNIZED) {
                assertThat(OrderEnums.packType(t)).isEmpty();
            } else {
                assertThat(OrderEnums.toProto(OrderEnums.packType(t).orElseThrow()))
                        .isEqualTo(t);
            }
        }
        for (DeviceKind k : DeviceKind.values()) {
            if (k == DeviceKind.DEVICE_KIND_UNSPECIFIED || k == DeviceKind.UNRECOGNIZED) {
                assertThat(OrderEnums.deviceKind(k)).isNull();
            } else {
                assertThat(OrderEnums.deviceKindToProto(OrderEnums.deviceKind(k)))
                        .isEqualTo(k);
            }
        }
        assertThatThrownBy(() -> OrderEnums.toProto("PHABLET_INDIVIDUAL")).isInstanceOf(IllegalStateException.class);
    }
}
