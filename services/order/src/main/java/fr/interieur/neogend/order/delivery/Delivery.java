package fr.interieur.neogend.order.delivery;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** A delivery note (bon de livraison) posted by the supplier against one order. */
public record Delivery(
        String id,
        String orderNumber,
        String agreementId,
        String deliveryNoteNumber,
        State state,
        List<Device> devices,
        List<Item> items,
        Instant createdAt) {

    public Delivery {
        devices = List.copyOf(devices);
        items = List.copyOf(items);
    }

    /** Where its reception stands. */
    public enum State {
        POSTED,
        PARTIALLY_RECEIVED,
        RECEIVED
    }

    /** A device delivered for a pack-lease line. */
    public record Device(
            String imei,
            String serialNumber,
            String model,
            String kind,
            String itemCode,
            Optional<LocalDate> receivedOn) {}

    /** Items of one line. */
    public record Item(String itemCode, long quantity, long receivedQuantity) {}
}
