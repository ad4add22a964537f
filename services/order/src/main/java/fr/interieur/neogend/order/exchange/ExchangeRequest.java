package fr.interieur.neogend.order.exchange;

import java.time.Instant;
import java.util.Optional;

/** A request to the supplier to replace a device that could not be repaired (DOMAIN rule 16). */
public record ExchangeRequest(
        String number,
        String agreementId,
        String imei,
        String model,
        String reason,
        Optional<String> repairReference,
        State state,
        String requestedBy,
        Instant requestedAt,
        Optional<String> supplierReference,
        Optional<String> refusalReason) {

    /** Where it stands. */
    public enum State {
        /** Recorded, waiting in the outbox for the supplier. */
        REQUESTED,
        /** Received by the supplier. */
        SENT,
        /** Refused by the supplier; a new request may be made. */
        REFUSED
    }
}
