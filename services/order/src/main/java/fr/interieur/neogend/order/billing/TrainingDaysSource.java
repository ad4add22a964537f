package fr.interieur.neogend.order.billing;

import java.util.List;

/** Training days delivered in a month (the training service's ListDeliveredTrainingDays). */
public interface TrainingDaysSource {

    /** Days of one delivered session in the month, billed at an agreement price line. */
    record Delivered(String sessionId, String agreementItemCode, int days) {
    }

    /** The month's delivered training days, on the current caller's behalf. */
    List<Delivered> delivered(int year, int month);
}
