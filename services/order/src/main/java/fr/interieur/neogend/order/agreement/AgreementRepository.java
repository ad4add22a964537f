package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.order.money.Money;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage of agreements (implemented in the persistence package). */
public interface AgreementRepository {

    /** Stores a new agreement with its envelopes and price schedule; false when the id is taken. */
    boolean insert(Agreement agreement, String actor);

    Optional<Agreement> find(String id);

    /**
     * Locks the agreement's row until the transaction ends: approvals against one agreement then run
     * one after the other, so their checks see each other's orders.
     */
    Optional<Agreement> findForUpdate(String id);

    /**
     * Locks the agreements' rows, in the order of their ids, until the transaction ends. An invoice posted
     * for one of them (its row's key-share lock) then waits until the transaction is over.
     */
    void lockAll(java.util.Collection<String> ids);

    /** The latest month an invoice was posted for, with that invoice's number. */
    record InvoicedMonth(java.time.YearMonth month, String invoiceNumber) {}

    /** The latest month invoiced for the agreement, if any. */
    Optional<InvoicedMonth> latestInvoicedMonth(String agreementId);

    /** Packs in orders that count against the maximum (approved or later, neither cancelled nor rejected). */
    long committedPacks(String agreementId);

    /** Amount committed in a fiscal year by those orders. */
    Money committedAmount(String agreementId, int fiscalYear);

    /** Amount committed per fiscal year by those orders. */
    Map<Integer, Money> committedAmounts(String agreementId);

    /** Packs in those orders per pack type. */
    Map<String, Long> committedPacksByType(String agreementId);

    /** Devices received for the agreement's orders (one pack each). */
    long receivedPacks(String agreementId);

    /**
     * Ids after {@code afterId} (all when empty), by id, at most {@code limit}; only a supplier's
     * when {@code supplierId} is given.
     */
    List<String> ids(Optional<String> afterId, Optional<String> supplierId, int limit);

    /** Ids of the agreements of a supplier. */
    List<String> idsOfSupplier(String supplierId);

    /** Packs transferred in from a predecessor, per pack type (as inventory counted them last). */
    Map<String, Long> transferredPacks(String agreementId);

    /** Replaces the count of packs transferred in, per pack type. */
    void replaceTransferredPacks(String agreementId, Map<String, Long> byType, java.time.Instant at);

    /**
     * Notes that packs may be moving into the agreement (a transfer is about to ask inventory), at once and for
     * good: call it in a transaction of its own, committed before inventory is asked.
     */
    void markTransferUnconfirmed(String agreementId, java.time.Instant at);

    /** Whether a transfer into the agreement started and none completed since. */
    boolean transferUnconfirmed(String agreementId);

    /** A transfer into the agreement completed: its count of packs transferred in is inventory's again. */
    void confirmTransfer(String agreementId);
}
