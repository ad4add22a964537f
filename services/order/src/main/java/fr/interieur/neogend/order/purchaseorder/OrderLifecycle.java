package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.kit.error.PreconditionFailedException;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

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

/**
 * The purchase order state machine (DOMAIN rule 4): DRAFT → SUBMITTED → APPROVED → SENT →
 * ACKNOWLEDGED → PARTIALLY_DELIVERED → DELIVERED → CLOSED; CANCELLED only before acknowledgement;
 * REJECTED from SUBMITTED. Pure, so every pair is tested directly.
 */
public final class OrderLifecycle {

    private record Step(Set<OrderState> from, OrderState to) {}

    private static final Map<OrderAction, Step> STEPS = new EnumMap<>(OrderAction.class);

    static {
        STEPS.put(OrderAction.SUBMIT, new Step(EnumSet.of(DRAFT), SUBMITTED));
        STEPS.put(OrderAction.APPROVE, new Step(EnumSet.of(SUBMITTED), APPROVED));
        STEPS.put(OrderAction.REJECT, new Step(EnumSet.of(SUBMITTED), REJECTED));
        STEPS.put(OrderAction.CANCEL, new Step(EnumSet.of(DRAFT, SUBMITTED, APPROVED, SENT), CANCELLED));
        STEPS.put(OrderAction.MARK_SENT, new Step(EnumSet.of(APPROVED), SENT));
        STEPS.put(OrderAction.ACKNOWLEDGE, new Step(EnumSet.of(SENT), ACKNOWLEDGED));
        STEPS.put(
                OrderAction.DELIVER_PART, new Step(EnumSet.of(ACKNOWLEDGED, PARTIALLY_DELIVERED), PARTIALLY_DELIVERED));
        STEPS.put(OrderAction.DELIVER_ALL, new Step(EnumSet.of(ACKNOWLEDGED, PARTIALLY_DELIVERED), DELIVERED));
        STEPS.put(OrderAction.CLOSE, new Step(EnumSet.of(DELIVERED), CLOSED));
    }

    private OrderLifecycle() {}

    public static Set<OrderState> allowedFrom(OrderAction action) {
        return Set.copyOf(STEPS.get(action).from());
    }

    /** The state after {@code action}; FAILED_PRECONDITION naming the current state otherwise. */
    public static OrderState next(String number, OrderState current, OrderAction action) {
        Step step = STEPS.get(action);
        if (!step.from().contains(current)) {
            throw new PreconditionFailedException("order " + number + " is " + current + "; cannot " + action.verb()
                    + " it (allowed from "
                    + step.from().stream().map(Enum::name).sorted().collect(Collectors.joining(", ")) + ")");
        }
        return step.to();
    }
}
