package fr.interieur.neogend.order.billing;

import java.util.List;

/** Training days delivered in a month (the training service's ListDeliveredTrainingDays). */
public interface TrainingDaysSource {

    /** Days of one delivered session in the month, of a course billed at an agreement price line. */
    record Delivered(String sessionId, String courseCode, String courseTitle, String agreementItemCode, int days) {}

    /** The month's delivered training days of the courses billed to the agreement, on the current caller's behalf. */
    List<Delivered> delivered(String agreementId, int year, int month);
}
