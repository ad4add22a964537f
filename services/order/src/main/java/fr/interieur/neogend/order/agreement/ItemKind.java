package fr.interieur.neogend.order.agreement;

/** What a line of the price schedule prices. */
public enum ItemKind {
    /** The monthly lease of one pack of a type. */
    PACK_LEASE,
    ACCESSORY,
    SPARE_PART,
    /** One day of technician training. */
    TRAINING_DAY
}
