package fr.interieur.neogend.order.agreement;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/** The packs, as inventory holds them: moved from an agreement to its successor, counted. */
public interface PackMover {

    /**
     * Moves the running packs of {@code fromId} on {@code date} (of a type, in a unit subtree) to
     * {@code toId} from that date, on the caller's behalf; returns how many moved (0 for a repeat).
     */
    long move(String fromId, String toId, LocalDate date, Optional<String> packType, Optional<String> unitCode);

    /** Packs that came to an agreement by transfer, per pack type name (read back after a transfer). */
    Map<String, Long> transferredIn(String agreementId);

    /** The same, read while a transfer into the agreement is unconfirmed (for its maximum or its consumption). */
    Map<String, Long> transferredInNow(String agreementId);

    /** Packs leased under an agreement now (running), per pack type name. */
    Map<String, Long> running(String agreementId);
}
