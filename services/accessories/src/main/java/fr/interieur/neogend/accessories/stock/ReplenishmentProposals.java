package fr.interieur.neogend.accessories.stock;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The replenishment first proposed for each alert, recorded before the order service is asked (table
 * {@code replenishment_proposal}, owned by the persistence adapter implementing this port): what every
 * later proposal of the alert asks for again.
 */
public interface ReplenishmentProposals {

    /** A proposal: the draft's one line, site and day, who proposed it first and when. */
    record Proposal(
            long alertId,
            String proposedBy,
            String agreementId,
            String deliverySite,
            LocalDate requestedDate,
            String agreementItemCode,
            long quantity,
            Instant proposedAt) {

        /** The order service's Idempotency-Key: the alert's, whoever proposes it. */
        public String idempotencyKey() {
            return "stock-alert-" + alertId;
        }
    }

    Optional<Proposal> find(long alertId);

    /** Stores the first proposal of an alert (the alert's row is locked by the caller). */
    void insert(Proposal proposal);

    /** Forgets a proposal the order service refused (the alert's row is locked by the caller). */
    void delete(Proposal proposal);
}
