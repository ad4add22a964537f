package fr.interieur.neogend.training.course;

import java.util.List;

/**
 * A course: what it certifies, for how long, and the agreement and price line its days are billed at
 * (both empty for a course outside any agreement).
 */
public record Course(
        String code,
        String title,
        int durationDays,
        List<String> modelFamilies,
        int certificationValidityMonths,
        String agreementItemCode,
        String agreementId) {}
