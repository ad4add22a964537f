package fr.interieur.neogend.testkit;

import com.google.type.Date;

import java.time.LocalDate;

/**
 * Days in tests as the contract carries them ({@code google.type.Date}). {@link #day} does not check the
 * day, so a test can send an impossible one (2026-02-30) and see it refused by the service.
 */
public final class Days {

    private Days() {}

    /** A {@code google.type.Date} of "YYYY-MM-DD" text or a {@link LocalDate}, unchecked. */
    public static Date day(Object day) {
        String[] parts = String.valueOf(day).split("-", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not YYYY-MM-DD: " + day);
        }
        return Date.newBuilder()
                .setYear(Integer.parseInt(parts[0]))
                .setMonth(Integer.parseInt(parts[1]))
                .setDay(Integer.parseInt(parts[2]))
                .build();
    }

    /** The day as "YYYY-MM-DD" (empty when unset), for assertions that read as text. */
    public static String iso(Date day) {
        if (day.getYear() == 0 && day.getMonth() == 0 && day.getDay() == 0) {
            return "";
        }
        return String.format("%04d-%02d-%02d", day.getYear(), day.getMonth(), day.getDay());
    }
}
