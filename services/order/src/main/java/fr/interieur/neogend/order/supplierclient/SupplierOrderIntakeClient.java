package fr.interieur.neogend.order.supplierclient;

import fr.interieur.neogend.order.supplier.SupplierMessage.CancellationMessage;
import fr.interieur.neogend.order.supplier.SupplierMessage.ExchangeMessage;
import fr.interieur.neogend.order.supplier.SupplierMessage.OrderMessage;
import fr.interieur.neogend.order.supplier.SupplierMessage.Receipt;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;

/**
 * The supplier's order-intake API, as described by {@code docs/openapi/supplier-order-intake.yaml}:
 * approved purchase orders, their cancellations, and exchange requests.
 * Timeouts: {@code spring.cloud.openfeign.client.config.supplier-intake.*}.
 */
@FeignClient(name = "supplier-intake", url = "${neogend.supplier.url}")
public interface SupplierOrderIntakeClient {

    @PostMapping(
            path = "/orders",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Receipt receiveOrder(@RequestHeader("Idempotency-Key") String idempotencyKey, @RequestBody OrderMessage order);

    @PostMapping(
            path = "/exchange-requests",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Receipt receiveExchangeRequest(
            @RequestHeader("Idempotency-Key") String idempotencyKey, @RequestBody ExchangeMessage exchange);

    /** The cancellation of an order the supplier received (before it acknowledged it). */
    @PostMapping(
            path = "/orders/{orderNumber}/cancellation",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Receipt receiveCancellation(
            @RequestHeader("Idempotency-Key") String idempotencyKey,
            @org.springframework.web.bind.annotation.PathVariable("orderNumber") String orderNumber,
            @RequestBody CancellationMessage cancellation);
}
