package fr.interieur.neogend.inventory.agreement;

import fr.interieur.neogend.inventory.device.HistoryRepository;
import fr.interieur.neogend.inventory.device.Pack;
import fr.interieur.neogend.inventory.device.PackRepository;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.device.PlannerStatistics;
import fr.interieur.neogend.inventory.unit.UnitService;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.security.Caller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packs change agreement only at renewal (rule 13 with a successor agreement): from a date, a pack's
 * days bill to the successor, before it to the agreement it was leased under — never both. Each
 * moved pack's history records the change; a repeat finds nothing left to move.
 */
@Service
public class PackTransfers {

    private final PackRepository packs;
    private final HistoryRepository history;
    private final AgreementChecks agreements;
    private final UnitService units;
    private final PlannerStatistics statistics;
    private final Clock clock;

    public PackTransfers(
            PackRepository packs,
            HistoryRepository history,
            AgreementChecks agreements,
            UnitService units,
            PlannerStatistics statistics,
            Optional<Clock> clock) {
        this.packs = packs;
        this.history = history;
        this.agreements = agreements;
        this.units = units;
        this.statistics = statistics;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The packs moved, per type. */
    public record Transfer(List<Pack> moved) {

        public Map<PackType, Long> byType() {
            Map<PackType, Long> counts = new EnumMap<>(PackType.class);
            moved.forEach(p -> counts.merge(p.type(), 1L, Long::sum));
            return counts;
        }
    }

    @Transactional
    public Transfer transfer(
            String fromId,
            String toId,
            LocalDate date,
            Optional<PackType> type,
            Optional<String> unitCode,
            Caller caller) {
        Validation v = new Validation();
        v.check(date != null, "effective_date", "is required: the first day billed to the successor");
        v.check(
                fromId == null || toId == null || !fromId.equals(toId),
                "to_agreement_id",
                "must be another agreement than from_agreement_id");
        v.throwIfInvalid();
        AgreementDirectory.AgreementTerm from = agreements.require(fromId, "from_agreement_id");
        AgreementDirectory.AgreementTerm to = agreements.require(toId, "to_agreement_id");
        v.check(to.inForceOn(date), "to_agreement_id", "agreement " + to.describe() + " is not in force on " + date);
        v.check(
                !date.isBefore(from.notifiedOn()) && !date.isAfter(from.termEnd()),
                "effective_date",
                "must fall within the term of " + from.describe() + " or be the day it ends");
        v.throwIfInvalid();
        Optional<String> subtree = unitCode.map(code -> units.pathOf(code)
                .orElseThrow(() -> InvalidArgumentException.of("unit_code", "unit " + code + " does not exist")));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Pack> moved = packs.transfer(
                new PackRepository.TransferScope(from.id(), date, type, subtree), to.id(), caller.username(), now);
        List<HistoryRepository.Change> changes = new ArrayList<>(moved.size());
        for (Pack p : moved) {
            changes.add(new HistoryRepository.Change(
                    "PACK",
                    p.id(),
                    p.deviceImei().orElse(null),
                    "TRANSFER_AGREEMENT",
                    Map.of("agreement_id", from.id()),
                    Map.of("agreement_id", to.id(), "from", date.toString())));
        }
        if (!changes.isEmpty()) {
            history.append(changes, caller.username(), now);
        }
        // the successor's statement may be asked for right away: planned on statistics that knew none
        // of its packs, it ran for minutes
        statistics.refreshIfBulk(moved.size());
        return new Transfer(moved);
    }

    /** Running packs per type under an agreement, and those that came to it by transfer. */
    @Transactional(readOnly = true)
    public PackRepository.AgreementPackCounts counts(String agreementId, Caller caller) {
        agreements.require(agreementId, "agreement_id"); // a supplier: its own agreements only
        return packs.countForAgreement(agreementId);
    }
}
