package fr.interieur.neogend.training.course;

import java.util.List;

/** A course of the agreement: what it certifies, for how long, and the price line its days are billed at. */
public record Course(
        String code,
        String title,
        int durationDays,
        List<String> modelFamilies,
        int certificationValidityMonths,
        String agreementItemCode) {
}
