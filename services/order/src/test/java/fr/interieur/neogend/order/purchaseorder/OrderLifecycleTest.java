package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static fr.interieur.neogend.order.purchaseorder.OrderState.ACKNOWLEDGED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.APPROVED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.CANCELLED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.CLOSED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.DELIVERED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.DRAFT;
import static fr.interieur.neogend.order.purchaseorder.OrderState.PARTIALLY_DELIVERED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.REJECTED;
import static fr.interieur.neogend.order.purchaseorder.OrderState.SENT;
import static fr.interieur.neogend.order.purchaseorder.OrderState.SUBMITTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every (state, action) pair of the order state machine (rule 4), and order pricing. */
class OrderLifecycleTest {

    private static final Map<OrderAction, Map<OrderState, OrderState>> LEGAL = Map.of(
            OrderAction.SUBMIT, Map.of(DRAFT, SUBMITTED),
            OrderAction.APPROVE, Map.of(SUBMITTED, APPROVED),
            OrderAction.REJECT, Map.of(SUBMITTED, REJECTED),
            OrderAction.CANCEL, Map.of(DRAFT, CANCELLED, SUBMITTED, CANCELLED, APPROVED, CANCELLED, SENT, CANCELLED),
            OrderAction.MARK_SENT, Map.of(APPROVED, SENT),
            OrderAction.ACKNOWLEDGE, Map.of(SENT, ACKNOWLEDGED),
            OrderAction.DELIVER_PART,
                    Map.of(ACKNOWLEDGED, PARTIALLY_DELIVERED, PARTIALLY_DELIVERED, PARTIALLY_DELIVERED),
            OrderAction.DELIVER_ALL, Map.of(ACKNOWLEDGED, DELIVERED, PARTIALLY_DELIVERED, DELIVERED),
            OrderAction.CLOSE, Map.of(DELIVERED, CLOSED));

    @Test
    void everyPairIsTheExpectedTransitionOrRefusedNamingTheState() {
        int checked = 0;
        for (OrderAction action : OrderAction.values()) {
            for (OrderState from : OrderState.values()) {
                OrderState expected = LEGAL.get(action).get(from);
                if (expected != null) {
                    assertThat(OrderLifecycle.next("BC-2026-000001", from, action))
                            .as(action + " from " + from)
                            .isEqualTo(expected);
                } else {
                    var e = catchThrowableOfType(
                            PreconditionFailedException.class,
                            () -> OrderLifecycle.next("BC-2026-000001", from, action));
                    assertThat(e).as(action + " from " + from).isNotNull();
                    assertThat(e.getMessage())
                            .startsWith("order BC-2026-000001 is " + from + "; cannot " + action.verb());
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(OrderAction.values().length * OrderState.values().length);
    }

    @Test
    void cancellationNeverAfterAcknowledgement() {
        for (OrderState s : List.of(ACKNOWLEDGED, PARTIALLY_DELIVERED, DELIVERED, CLOSED, REJECTED, CANCELLED)) {
            assertThat(OrderLifecycle.allowedFrom(OrderAction.CANCEL)).doesNotContain(s);
        }
    }

    @Test
    void aLeaseLineCommitsItsMonthsLeftInTheYearOtherLinesTheirPrice() {
        List<OrderLine> lines = List.of(
                new OrderLine(
                        "PACK-SMARTPHONE-INDIVIDUAL",
                        ItemKind.PACK_LEASE,
                        Optional.of("SMARTPHONE_INDIVIDUAL"),
                        100,
                        Money.of("21.90")),
                new OrderLine("ACC-CAR-CHARGER", ItemKind.ACCESSORY, Optional.empty(), 3, Money.of("12.35")));
        // October to December: 3 months x 100 x 21.90 = 6,570.00; + 37.05
        assertThat(OrderPricing.amount(lines, LocalDate.of(2026, 10, 31))).isEqualTo(Money.of("6607.05"));
        assertThat(OrderPricing.amount(lines, LocalDate.of(2027, 1, 1))).hasToString("26317.05");
        assertThat(OrderPricing.packs(lines)).isEqualTo(100);
    }
}
