package fr.interieur.neogend.order;

import fr.interieur.neogend.order.v1.AgreementConsumption;
import fr.interieur.neogend.order.v1.ApprovePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.CancelPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.GetAgreementConsumptionRequest;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.PackTypeConsumption;
import fr.interieur.neogend.order.v1.RejectPurchaseOrderRequest;
import fr.interieur.neogend.order.v1.SubmitPurchaseOrderRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.SettableClock;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The minimum's forecast shortfall on the agreement view (rule 2), with the service's clock set by the
 * test: the months elapsed of the term are counted in Paris days, as every other day of the service
 * (receptions, statements), and only approved orders still alive count.
 */
@ServiceIT
class AgreementForecastIT {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static final SettableClock CLOCK = new SettableClock();

    @TestConfiguration
    static class ServiceClock {
        @Bean
        Clock clock() {
            return CLOCK;
        }
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        OrderTestData.reset(jdbc);
        CLOCK.now = Instant.now();
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
    }

    String submitted(long phones) {
        String number = fleetManager
                .createPurchaseOrder(order("AC-2026-NEOGEND", phones, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        return number;
    }

    AgreementConsumption consumption() {
        return fleetManager
                .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                        .setAgreementId("AC-2026-NEOGEND")
                        .build())
                .getConsumption();
    }

    /**
     * Around the 15th of a month (the agreement was notified on 15 January): 00:30 in Paris on 15 March
     * is still 14 March in UTC. The view counts the month begun on the Paris day, so its forecast and
     * shortfall are those of three months elapsed — and of two, an hour earlier. Cancelled and rejected
     * orders count for nothing; the packs ordered are the sum of the packs per type.
     */
    @Test
    void theForecastShortfallCountsTheMonthsElapsedInParisDaysAndOnlyLiveApprovedOrders() {
        String kept = submitted(1_000);
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(kept).build());
        String cancelled = submitted(500);
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(cancelled).build());
        fleetManager.cancelPurchaseOrder(CancelPurchaseOrderRequest.newBuilder()
                .setNumber(cancelled)
                .setReason("ordered twice")
                .build());
        fleetManager.rejectPurchaseOrder(RejectPurchaseOrderRequest.newBuilder()
                .setNumber(submitted(300))
                .setReason("not this year")
                .build());

        var agreement = OrderTestData.agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000);
        LocalDate notified = LocalDate.of(
                agreement.getNotifiedOn().getYear(),
                agreement.getNotifiedOn().getMonth(),
                agreement.getNotifiedOn().getDay());
        for (Instant at : new Instant[] {
            LocalDate.of(2026, 3, 15).atStartOfDay(PARIS).plusMinutes(30).toInstant(), // 14 March 23:30 UTC
            LocalDate.of(2026, 3, 15).atStartOfDay(PARIS).minusMinutes(30).toInstant(), // Paris: still the 14th
            LocalDate.of(2026, 10, 15).atStartOfDay(PARIS).plusMinutes(90).toInstant(), // summer time: 14th in UTC
        }) {
            CLOCK.now = at;
            AgreementConsumption c = consumption();
            LocalDate parisDay = at.atZone(PARIS).toLocalDate();
            long elapsed =
                    Math.min(agreement.getTermMonths(), Math.max(1, ChronoUnit.MONTHS.between(notified, parisDay) + 1));
            long forecast = 1_000L * agreement.getTermMonths() / elapsed;
            assertThat(c.getPacksOrdered()).isEqualTo(1_000);
            assertThat(c.getByPackTypeList().stream()
                            .mapToLong(PackTypeConsumption::getPacksOrdered)
                            .sum())
                    .isEqualTo(c.getPacksOrdered());
            assertThat(new long[] {c.getForecastPacks(), c.getForecastShortfall()})
                    .as("at %s (%s in Paris): %d months of the term begun", at, parisDay, elapsed)
                    .containsExactly(forecast, Math.max(0, agreement.getMinPacks() - forecast));
        }
    }

    /**
     * An agreement notified on 31 January: its term's months begin on the days its term is counted from
     * (notified on + k months: 28 February, 31 March, 30 April…, as its term end is). On 30 April, in Paris,
     * its fourth month has begun; the forecast divides by four, not three.
     */
    @Test
    void aTermNotifiedOnAMonthsLastDayBeginsItsMonthsOnTheLastDayOfShorterMonths() {
        fleetManager.createAgreement(create(agreement("AC-2026-EOM", "SUP-DEMO", 140_000)
                .setNotifiedOn(com.google.type.Date.newBuilder()
                        .setYear(2026)
                        .setMonth(1)
                        .setDay(31))));
        String number = fleetManager
                .createPurchaseOrder(order("AC-2026-EOM", 1_000, 2026, 12, 1))
                .getOrder()
                .getNumber();
        fleetManager.submitPurchaseOrder(
                SubmitPurchaseOrderRequest.newBuilder().setNumber(number).build());
        fleetManager.approvePurchaseOrder(
                ApprovePurchaseOrderRequest.newBuilder().setNumber(number).build());
        LocalDate notified = LocalDate.of(2026, 1, 31);
        int term = agreement("AC-2026-EOM", "SUP-DEMO", 140_000).getTermMonths();
        for (LocalDate day : new LocalDate[] {
            LocalDate.of(2026, 2, 28), LocalDate.of(2026, 4, 30), LocalDate.of(2026, 6, 29), LocalDate.of(2026, 6, 30)
        }) {
            CLOCK.now = day.atStartOfDay(PARIS).plusMinutes(30).toInstant(); // still the day before in UTC
            long begun = 0;
            while (begun < term && !notified.plusMonths(begun).isAfter(day)) {
                begun++;
            }
            AgreementConsumption c = fleetManager
                    .getAgreementConsumption(GetAgreementConsumptionRequest.newBuilder()
                            .setAgreementId("AC-2026-EOM")
                            .build())
                    .getConsumption();
            assertThat(c.getForecastPacks())
                    .as("on %s in Paris: %d months of the term begun", day, begun)
                    .isEqualTo(1_000L * term / begun);
        }
    }
}
