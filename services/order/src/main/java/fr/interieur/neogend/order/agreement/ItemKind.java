package fr.interieur.neogend.order.agreement;

/** What a line of the price schedule prices. */
public enum ItemKind {
    /** The monthly lease of one pack of a type. */
    PACK_LEASE,
    ACCESSORY,
    SPARE_PART,
    /** One day of technician training. */
    TRAINING_DAY,
    /**
     * Statements only, never in a price schedule: the deduction for the supplier's late days against its
     * patch SLA clause (code {@link fr.interieur.neogend.order.billing.BillingService#PATCH_SLA_CODE}).
     */
    PATCH_SLA_DEDUCTION
}
