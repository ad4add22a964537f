package fr.interieur.neogend.order.purchaseorder;

import java.time.Instant;
import java.util.Optional;

/** A change of state of an order: who, when, why. */
public record OrderTransition(
        Optional<OrderState> from, OrderState to, String actor, Instant at, Optional<String> reason) {}
