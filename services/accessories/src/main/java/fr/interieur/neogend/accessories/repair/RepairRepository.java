package fr.interieur.neogend.accessories.repair;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Storage of repairs and their parts (tables {@code repair}, {@code repair_part}, owned by the adapter implementing this port). */
public interface RepairRepository {

    /** The next repair id, {@code RP-000001} onwards. */
    String nextId();

    /** Stores an OPEN repair; false when a repair of that device is open already (nothing changed). */
    boolean insertOpen(
            String id, String imei, String model, String depotCode, String technician, String fault, Instant openedAt);

    /** The id of the repair open for a device. */
    Optional<String> openRepairOf(String imei);

    /** A repair with its parts in the order recorded. */
    Optional<Repair> find(String id);

    /** A repair (without its parts), locked until the transaction ends. */
    Optional<Repair> lock(String id);

    /** Records a part consumed by a repair. */
    void addPart(String repairId, String itemCode, long quantity, String recordedBy, Instant recordedAt);

    /**
     * Claims the closing of an OPEN repair for an outcome: true when this outcome is (now, or already) the one
     * being carried out; false when the repair is closed or being closed with the other outcome.
     */
    boolean claimClose(String id, Repair.State outcome);

    /** The outcome an OPEN repair's close has started to carry out, if one has. */
    Optional<Repair.State> closingOutcome(String id);

    /** Records on an OPEN repair being closed as failed the exchange the supplier was asked for. */
    void recordExchangeAsked(String id, String exchangeRequestNumber);

    /** Closes an OPEN repair; false when it is not open any more (nothing changed). */
    boolean close(
            String id,
            Repair.State outcome,
            String diagnosis,
            Instant closedAt,
            String closedBy,
            Optional<String> exchangeRequestNumber);

    /**
     * Repairs newest first (by id, before {@code beforeId} when given) matching every filter given;
     * {@code devices} when given: only repairs of those IMEIs. Each with its parts.
     */
    List<Repair> page(
            Optional<Repair.State> state,
            Optional<String> imei,
            Optional<String> technician,
            Optional<List<String>> devices,
            Optional<String> beforeId,
            int limit);
}
