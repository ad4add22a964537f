package fr.interieur.neogend.training.course;

import java.util.Optional;

/**
 * The price lines of the framework agreements (the order service's), asked on the caller's behalf: a
 * course's days are billed at a TRAINING_DAY line of one agreement.
 */
public interface AgreementPriceLines {

    /** Why a course may not bill its days at this line of this agreement, or empty when it may. */
    Optional<String> problemWithTrainingDayLine(String agreementId, String itemCode);
}
