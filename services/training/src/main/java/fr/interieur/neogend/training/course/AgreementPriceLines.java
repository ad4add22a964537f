package fr.interieur.neogend.training.course;

import java.time.LocalDate;
import java.util.Optional;

/**
 * The price lines of the framework agreements (the order service's), asked on the caller's behalf: a
 * course's days are billed at a TRAINING_DAY line of one agreement, within that agreement's term.
 */
public interface AgreementPriceLines {

    /** Why a course may not bill its days at this line of this agreement, or empty when it may. */
    Optional<String> problemWithTrainingDayLine(String agreementId, String itemCode);

    /**
     * The agreement's term: from its notification day (included) to its term end (excluded). Its
     * statements bill only the months it covers, and a course's days only to it: a day outside the
     * term would be billed nowhere.
     */
    Term term(String agreementId);

    /** An agreement's term, {@code end} excluded. */
    record Term(LocalDate start, LocalDate end) {

        /** Whether every day from {@code first} to {@code last} (included) lies in the term. */
        public boolean covers(LocalDate first, LocalDate last) {
            return !first.isBefore(start) && last.isBefore(end);
        }
    }
}
