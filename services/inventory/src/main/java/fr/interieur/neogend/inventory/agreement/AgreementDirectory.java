package fr.interieur.neogend.inventory.agreement;

import java.time.LocalDate;
import java.util.Optional;

/**
 * The framework agreements (accords-cadres), as the order service keeps them: the inventory only
 * needs to know that an agreement exists, whether the caller may see it, and its term. Asked on
 * the caller's behalf, so a supplier finds only its own agreements.
 */
public interface AgreementDirectory {

    /** An agreement's term: in force from {@code notifiedOn} (inclusive) to {@code termEnd} (exclusive). */
    record AgreementTerm(String id, String supplierId, LocalDate notifiedOn, LocalDate termEnd) {

        public boolean inForceOn(LocalDate day) {
            return !day.isBefore(notifiedOn) && day.isBefore(termEnd);
        }

        public String describe() {
            return id + " (in force from " + notifiedOn + " to " + termEnd.minusDays(1) + ")";
        }
    }

    /** The agreement, if it exists and the caller may see it. */
    Optional<AgreementTerm> find(String agreementId);
}
