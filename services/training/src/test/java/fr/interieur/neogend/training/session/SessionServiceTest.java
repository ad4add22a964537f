package fr.interieur.neogend.training.session;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.training.session.SessionService.Session;
import fr.interieur.neogend.training.technician.TechnicianDirectory;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules of sessions over in-memory ports (DOMAIN rule 17): seats and the waiting list in order of
 * arrival, results from the last day on, certifications and their validity. The same rules are tried
 * through the gRPC API against PostgreSQL, concurrent callers included, by {@code SessionsIT}.
 */
class SessionServiceTest {

    /** 10:00 in Paris on 2027-03-10; the test moves it. */
    private final fr.interieur.neogend.testkit.SettableClock clock = at(LocalDate.of(2027, 3, 10)
            .atTime(10, 0)
            .atZone(ZoneId.of("Europe/Paris"))
            .toInstant());

    private static fr.interieur.neogend.testkit.SettableClock at(Instant instant) {
        var clock = new fr.interieur.neogend.testkit.SettableClock();
        clock.now = instant;
        return clock;
    }

    private final InMemoryTrainingStores stores = new InMemoryTrainingStores();
    private final Set<String> technicians = new java.util.HashSet<>(Set.of("t.a", "t.b", "t.c", "t.d"));
    private final SessionService service = new SessionService(
            stores.sessionRepository,
            stores.certificationRepository,
            stores.courseRepository,
            new fr.interieur.neogend.training.course.AgreementPriceLines() {
                @Override
                public Optional<String> problemWithTrainingDayLine(String agreementId, String itemCode) {
                    return Optional.empty();
                }

                @Override
                public Term term(String agreementId) {
                    return new Term(LocalDate.of(2020, 1, 1), LocalDate.of(2040, 1, 1));
                }
            },
            Optional.of(clock),
            name -> technicians.contains(name)
                    ? TechnicianDirectory.Answer.TECHNICIAN
                    : TechnicianDirectory.Answer.UNKNOWN,
            TransactionOperations.withoutTransaction());
    private final Caller manager =
            new Caller("s", "fm", Set.of(Caller.FLEET_MANAGER), Optional.empty(), Optional.empty());

    private Session twoSeats() {
        service.createCourse("RUGGED-X5", "Rugged X5 repair", 2, List.of("Rugged X"), 12, "", "");
        return service.createSession(
                "RUGGED-X5", LocalDate.parse("2027-03-20"), LocalDate.parse("2027-03-21"), "Rennes", 2, "J. Martin");
    }

    private List<String> seats(String id) {
        return service.get(id).enrolments().stream()
                .map(e -> e.technician() + ":" + e.status())
                .toList();
    }

    @Test
    void aFreedSeatGoesToTheFirstToArriveOnTheWaitingListAndAReEnrolmentGoesToTheBack() {
        String id = twoSeats().id();
        for (String t : List.of("t.a", "t.b", "t.c", "t.d")) {
            service.enrol(id, Optional.of(t), manager);
        }
        assertThat(seats(id)).containsExactly("t.a:ENROLLED", "t.b:ENROLLED", "t.c:WAITLISTED", "t.d:WAITLISTED");

        service.withdraw(id, Optional.of("t.a"), manager);
        assertThat(seats(id)).containsExactly("t.a:WITHDRAWN", "t.b:ENROLLED", "t.c:ENROLLED", "t.d:WAITLISTED");

        service.enrol(id, Optional.of("t.a"), manager); // back of the list, behind t.d
        service.withdraw(id, Optional.of("t.b"), manager);
        assertThat(seats(id)).containsExactly("t.b:WITHDRAWN", "t.c:ENROLLED", "t.d:ENROLLED", "t.a:WAITLISTED");

        service.withdraw(id, Optional.of("t.a"), manager); // a waiting technician frees no seat
        assertThat(seats(id)).containsExactly("t.b:WITHDRAWN", "t.c:ENROLLED", "t.d:ENROLLED", "t.a:WITHDRAWN");
        assertThatThrownBy(() -> service.enrol(id, Optional.of("t.c"), manager))
                .isInstanceOf(AlreadyExistsException.class);
    }

    @Test
    void aTechnicianActsForItselfOnlyAndNoOneEnrolsOnceTheSessionStarted() {
        String id = twoSeats().id();
        Caller tech = new Caller("s", "t.a", Set.of(Caller.TECHNICIAN), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> service.enrol(id, Optional.of("t.b"), tech)).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> service.enrol(id, Optional.of("nobody"), manager))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no user nobody");
        clock.now = clock.now.plusSeconds(11 * 86_400); // 21 March: started on the 20th
        assertThatThrownBy(() -> service.enrol(id, Optional.empty(), tech))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("started on 2027-03-20");
    }

    @Test
    void resultsFromTheLastDayOnAndAPassCertifiesForTheCourseValidityAsTheCalendarCounts() {
        service.createCourse("TAB-T1", "Tablet T1", 1, List.of("Tab T"), 1, "", "");
        String id = service.createSession(
                        "TAB-T1", LocalDate.parse("2027-03-31"), LocalDate.parse("2027-03-31"), "Lyon", 3, "A. B.")
                .id();
        service.enrol(id, Optional.of("t.a"), manager);
        service.enrol(id, Optional.of("t.b"), manager);
        assertThatThrownBy(() -> service.recordResult(id, "t.a", true, true))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("can be recorded from 2027-03-31");

        clock.now = LocalDate.of(2027, 3, 31)
                .atTime(0, 30)
                .atZone(ZoneId.of("Europe/Paris"))
                .toInstant(); // Paris day
        service.recordResult(id, "t.a", true, true);
        service.recordResult(id, "t.b", true, false);
        assertThat(stores.certifications).singleElement().satisfies(c -> {
            assertThat(c.technician()).isEqualTo("t.a");
            assertThat(c.issuedOn()).isEqualTo(LocalDate.of(2027, 3, 31));
            assertThat(c.validUntil()).isEqualTo(LocalDate.of(2027, 4, 30)); // 31 March + 1 month
            assertThat(c.modelFamilies()).containsExactly("Tab T");
        });
        assertThat(service.check("t.a", "Tab T1").certified()).isTrue();
        assertThat(service.check("t.a", "Rugged X5").reason()).isEqualTo("t.a holds no certification for Rugged X5");
        assertThat(service.check("t.b", "Tab T1").certified()).isFalse();
        clock.now = LocalDate.of(2027, 5, 1)
                .atTime(9, 0)
                .atZone(ZoneId.of("Europe/Paris"))
                .toInstant();
        assertThat(service.check("t.a", "Tab T1").reason())
                .isEqualTo("t.a's certification for Tab T1 expired on 2027-04-30");
        assertThat(service.expired(Optional.empty(), "", 10, "").items())
                .extracting(c -> c.technician())
                .containsExactly("t.a");
        assertThatThrownBy(() -> service.recordResult(id, "t.a", true, true))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("is PASSED");
    }

    @Test
    void aPastResultTakesASeatNeverBeyondTheCapacity() {
        service.createCourse("TAB-T1", "Tablet T1", 1, List.of("Tab T"), 24, "", "");
        String id = service.createSession(
                        "TAB-T1", LocalDate.parse("2027-03-10"), LocalDate.parse("2027-03-10"), "Lyon", 1, "A. B.")
                .id();
        assertThatThrownBy(() -> service.recordPastResult(id, "t.a", true, true, "x"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("reason");
        service.recordPastResult(id, "t.a", true, true, "paper record of the day");
        assertThatThrownBy(() -> service.recordPastResult(id, "t.b", true, true, "paper record of the day"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("all taken");
        assertThat(seats(id)).containsExactly("t.a:PASSED");
        assertThat(stores.certifications).hasSize(1);
    }

    @Test
    void daysAreDeliveredForHeldSessionsWithAResultEachMonthForItsOwnDays() {
        service.createCourse("TAB-T1", "Tablet T1", 3, List.of("Tab T"), 24, "TRAINING-DAY", "AG-1");
        String id = service.createSession(
                        "TAB-T1", LocalDate.parse("2027-02-27"), LocalDate.parse("2027-03-02"), "Lyon", 2, "A. B.")
                .id();
        clock.now = LocalDate.of(2027, 3, 2)
                .atTime(18, 0)
                .atZone(ZoneId.of("Europe/Paris"))
                .toInstant();
        assertThat(service.deliveredDays(2027, 2, "AG-1")).isEmpty(); // nobody's result yet
        service.recordPastResult(id, "t.a", false, false, "absent, from the sheet");
        assertThat(service.deliveredDays(2027, 2, "AG-1"))
                .singleElement()
                .extracting(d -> d.days())
                .isEqualTo(2);
        assertThat(service.deliveredDays(2027, 3, "AG-1"))
                .singleElement()
                .extracting(d -> d.days())
                .isEqualTo(2);
        assertThat(service.deliveredDays(2027, 3, "AG-2")).isEmpty();
    }
}
