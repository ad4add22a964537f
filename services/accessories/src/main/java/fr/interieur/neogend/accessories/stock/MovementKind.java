package fr.interieur.neogend.accessories.stock;

/** What a stock movement does (rule 15). Stored by name. */
public enum MovementKind {
    /** Received into a depot. */
    RECEIPT,
    /** Handed out of a depot. */
    ISSUE,
    /** Moved from one depot to another. */
    TRANSFER,
    /** A part consumed in a repair. */
    CONSUMPTION
}
