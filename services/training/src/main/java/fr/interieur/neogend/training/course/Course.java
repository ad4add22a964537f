package fr.interieur.neogend.training.course;

/** One row of the training service's skeleton listing (courses). */
public record Course(
        String code,
        String title,
        int durationDays) {
}
