package fr.interieur.neogend.order.exchange;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Storage of exchange requests (table {@code exchange_request}, owned by the adapter implementing this port). */
public interface ExchangeRequestRepository {

    /** The next number in the sequence of requests (formatted by the service). */
    long nextNumber();

    /** Stores a REQUESTED request; false when a live request of the device exists (nothing changed). */
    boolean insert(
            String number,
            String agreementId,
            String imei,
            String model,
            String reason,
            Optional<String> repairReference,
            String requestedBy,
            Instant requestedAt);

    Optional<ExchangeRequest> find(String number);

    /** Requests newest first (by number, before {@code beforeNumber} when given), of one device when given. */
    List<ExchangeRequest> page(Optional<String> imei, Optional<String> beforeNumber, int limit);

    /** REQUESTED → SENT with the supplier's reference (nothing for another state). */
    void markSent(String number, String supplierReference);

    /** REQUESTED → REFUSED with the supplier's reason (nothing for another state). */
    void markRefused(String number, String reason);
}
