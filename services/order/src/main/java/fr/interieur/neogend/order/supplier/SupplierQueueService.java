package fr.interieur.neogend.order.supplier;

import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.SupplierQueue;
import org.springframework.stereotype.Service;

import java.time.Instant;

/**
 * Approved orders and their cancellations queued for the supplier in the caller's transaction (rule 6:
 * an approved order is never lost); the relay sends them.
 */
@Service
class SupplierQueueService implements SupplierQueue {

    private final SupplierOutbox outbox;

    SupplierQueueService(SupplierOutbox outbox) {
        this.outbox = outbox;
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
        outbox.withdrawOrder(order.number());
        if (outbox.orderDelivered(order.number())) {
            outbox.enqueue(
                    new SupplierMessage.CancellationMessage(order.number(), order.agreementId(), reason, at.toString()),
                    at);
        }
    }
}
