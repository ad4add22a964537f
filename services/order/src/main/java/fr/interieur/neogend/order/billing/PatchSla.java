package fr.interieur.neogend.order.billing;

import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.money.Money;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The supplier's patch SLA of an agreement (issue 20), computed from its releases' timelines: the supplier
 * publishes the release answering an Android security bulletin within the clause's delay; every later day
 * is a late day of that release, and its penalty is the clause's rate × those days, deducted from the
 * statement of the month the release was published (days are Europe/Paris calendar days). Approval and
 * deployment are the ministry's part: shown, never counted against the supplier.
 *
 * @param clause   the agreement's clause, if it has one (without one, no day is late)
 * @param releases the releases counted for the agreement, oldest publication first
 * @param months   the same releases by month of publication
 */
public record PatchSla(
        String agreementId, Optional<Agreement.PatchSlaClause> clause, List<Release> releases, List<Month> months) {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    public PatchSla {
        releases = List.copyOf(releases);
        months = List.copyOf(months);
    }

    /** One release against the clause. */
    public record Release(
            PatchTimelineSource.Timeline timeline,
            LocalDate publishedOn,
            Optional<LocalDate> approvedOn,
            Optional<LocalDate> fleetConfirmedOn,
            int daysToPublish,
            int lateDays,
            Money penalty) {

        public Optional<Integer> daysToApprove() {
            return approvedOn.map(d -> (int) ChronoUnit.DAYS.between(publishedOn, d));
        }

        public Optional<Integer> daysToFleetConfirmed() {
            return approvedOn.flatMap(a -> fleetConfirmedOn.map(f -> (int) ChronoUnit.DAYS.between(a, f)));
        }
    }

    /** The releases published in one month. */
    public record Month(
            YearMonth month,
            int releases,
            int lateReleases,
            long lateDays,
            Money penalty,
            int maxDaysToPublish,
            int averageDaysToPublish) {}

    /**
     * The SLA of an agreement over its supplier's releases: those of a model delivered under the agreement
     * and published within its term count; the others belong to other agreements.
     */
    static PatchSla of(Agreement agreement, List<PatchTimelineSource.Timeline> timelines, Set<String> models) {
        Optional<Agreement.PatchSlaClause> clause = agreement.patchSla();
        Money rate = clause.flatMap(Agreement.PatchSlaClause::penaltyPerDay).orElse(Money.ZERO);
        List<Release> releases = new ArrayList<>();
        for (PatchTimelineSource.Timeline t : timelines) {
            LocalDate published = day(t.publishedAt());
            if (!models.contains(t.model()) || !agreement.inTerm(published)) {
                continue;
            }
            int toPublish = (int) ChronoUnit.DAYS.between(t.bulletinDate(), published);
            int late = clause.map(c -> Math.max(0, toPublish - c.delayDays())).orElse(0);
            releases.add(new Release(
                    t,
                    published,
                    t.firstApprovedAt().map(PatchSla::day),
                    t.fleetConfirmedAt().map(PatchSla::day),
                    toPublish,
                    late,
                    rate.times(late)));
        }
        Map<YearMonth, List<Release>> byMonth = new TreeMap<>();
        releases.forEach(r -> byMonth.computeIfAbsent(YearMonth.from(r.publishedOn()), m -> new ArrayList<>())
                .add(r));
        List<Month> months = new ArrayList<>();
        byMonth.forEach((month, rs) -> {
            long lateDays = rs.stream().mapToLong(Release::lateDays).sum();
            long sum = rs.stream().mapToLong(Release::daysToPublish).sum();
            months.add(new Month(
                    month,
                    rs.size(),
                    (int) rs.stream().filter(r -> r.lateDays() > 0).count(),
                    lateDays,
                    rate.times(lateDays),
                    rs.stream().mapToInt(Release::daysToPublish).max().orElse(0),
                    (int) Math.floorDiv(2 * sum + rs.size(), 2L * rs.size()))); // half up
        });
        return new PatchSla(agreement.id(), clause, releases, months);
    }

    /** The month's figures, if a release was published in it. */
    public Optional<Month> month(YearMonth month) {
        return months.stream().filter(m -> m.month().equals(month)).findFirst();
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, PARIS);
    }
}
