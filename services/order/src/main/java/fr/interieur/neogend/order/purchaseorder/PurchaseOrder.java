package fr.interieur.neogend.order.purchaseorder;

/** One row of the order service's skeleton listing (purchase orders). */
public record PurchaseOrder(
        String number,
        String state,
        long packCount) {
}
