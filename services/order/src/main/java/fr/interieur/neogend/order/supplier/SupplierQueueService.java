package fr.interieur.neogend.order.supplier;

import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.SupplierQueue;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;

/**
 * Approved orders and their cancellations queued for the supplier in the caller's transaction (rule 6:
 * an approved order is never lost); the relay sends them.
 */
@Service
class SupplierQueueService implements SupplierQueue {

    private final SupplierOutbox outbox;
    private final Duration timeLimit;

    /** @param timeLimit the relay's time limit for one call to the supplier */
    SupplierQueueService(SupplierOutbox outbox, @Value("${neogend.supplier.time-limit:5s}") Duration timeLimit) {
        this.outbox = outbox;
        this.timeLimit = timeLimit;
    }

    @Override
    public void enqueue(PurchaseOrder order, Instant at) {
        outbox.enqueue(
                new SupplierMessage.OrderMessage(
                        order.number(),
                        order.agreementId(),
                        order.deliverySite(),
                        order.requestedDate().toString(),
                        order.lines().stream()
                                .map(l -> new SupplierMessage.Line(
                                        l.itemCode(),
                                        l.quantity(),
                                        l.unitPrice().toString()))
                                .toList()),
                at);
    }

    @Override
    public void holdOrder(String orderNumber) {
        // an order being sent right now is locked by the relay: this waits until it is delivered (or not)
        outbox.lockOrder(orderNumber);
    }

    @Override
    public void cancelled(PurchaseOrder order, String reason, Instant at) {
        // the caller holds the order's outbox row (holdOrder): the relay cannot be sending it now
        boolean received = outbox.orderDelivered(order.number());
        // tried without an answer (cut at the time limit, a lost answer, a 5xx): the supplier may have
        // recorded it all the same, so it is told too; it answers 404/422 if it has no such order,
        // which the relay counts as done for an order it never confirmed
        boolean mayHaveReached = outbox.orderMayHaveReached(order.number());
        outbox.withdrawOrder(order.number());
        if (mayHaveReached) {
            outbox.enqueue(
                    new SupplierMessage.CancellationMessage(order.number(), order.agreementId(), reason, at.toString()),
                    at,
                    // an order never confirmed: a last attempt the supplier is still recording gets the
                    // time limit to end before the cancellation asks for it
                    received ? at : at.plus(timeLimit));
        }
    }

    @Override
    public boolean receivedAsAcknowledged(String orderNumber) {
        if (outbox.orderDelivered(orderNumber) || !outbox.orderMayHaveReached(orderNumber)) {
            return false;
        }
        outbox.orderReceived(orderNumber, "(acknowledged by the supplier)");
        return true;
    }
}
