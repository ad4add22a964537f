package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.AgreementService;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The supplier's patch SLA of an agreement (issue 20): the releases' timelines come from telemetry on the
 * caller's behalf, the clause and the models delivered under the agreement from here; {@link PatchSla}
 * does the counting.
 */
@Service
public class PatchSlaService {

    private final AgreementService agreements;
    private final BillingRepository billing;
    private final LeaseIntervalSource leases;
    private final PatchTimelineSource timelines;

    public PatchSlaService(
            AgreementService agreements,
            BillingRepository billing,
            LeaseIntervalSource leases,
            PatchTimelineSource timelines) {
        this.agreements = agreements;
        this.leases = leases;
        this.billing = billing;
        this.timelines = timelines;
    }

    /** The SLA of an agreement the caller may see (a supplier: its own; NOT_FOUND otherwise). */
    @Transactional(readOnly = true)
    public PatchSla report(String agreementId, Caller caller) {
        return of(agreements.get(agreementId, caller));
    }

    /**
     * The SLA of an agreement already read on the caller's behalf: the models are those delivered under it
     * (here) and those of the devices of its packs (inventory: packs registered outside an order too).
     */
    PatchSla of(Agreement agreement) {
        List<PatchTimelineSource.Timeline> published =
                timelines.published(agreement.supplierId(), agreement.notifiedOn(), agreement.termEnd());
        Set<String> models = new TreeSet<>(billing.deliveredModels(agreement.id()));
        // inventory is asked only about the releases' models no delivery note names
        Set<String> others = new TreeSet<>();
        published.forEach(t -> others.add(t.model()));
        others.removeAll(models);
        if (!others.isEmpty()) {
            models.addAll(leases.leasedModels(agreement.id(), others));
        }
        return PatchSla.of(agreement, published, models);
    }
}
