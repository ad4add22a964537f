package fr.interieur.neogend.order.supplier;

import java.util.List;

/**
 * What the supplier is sent (DOMAIN rules 6 and 16), as its order-intake API receives it
 * ({@code docs/openapi/supplier-order-intake.yaml}). Each has the key the supplier deduplicates on.
 */
public sealed interface SupplierMessage {

    /** The {@code Idempotency-Key} of every attempt. */
    String key();

    /** An approved order. */
    record OrderMessage(
            String orderNumber, String agreementId, String deliverySite, String requestedDate, List<Line> lines)
            implements SupplierMessage {
        @Override
        public String key() {
            return orderNumber;
        }
    }

    /** One line of an order. */
    record Line(String itemCode, long quantity, String unitPrice) {}

    /** The cancellation of an order the supplier received (before it acknowledged it). */
    record CancellationMessage(String orderNumber, String agreementId, String reason, String cancelledAt)
            implements SupplierMessage {
        @Override
        public String key() {
            return orderNumber + "-CANCELLATION";
        }
    }

    /** An exchange request (a device that could not be repaired). */
    record ExchangeMessage(
            String exchangeNumber, String agreementId, String imei, String model, String reason, String repairReference)
            implements SupplierMessage {
        @Override
        public String key() {
            return exchangeNumber;
        }
    }

    /** The supplier's answer. */
    record Receipt(String supplierReference, String receivedAt) {}
}
