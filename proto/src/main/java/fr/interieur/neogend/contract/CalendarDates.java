package fr.interieur.neogend.contract;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Calendar dates as callers send them — text {@code YYYY-MM-DD} or a {@code google.type.Date} —
 * accepted only when the day exists: {@code 2026-02-30} or month 13 is a refusal, never an
 * exception deeper down. Years 1 to 9999.
 */
public final class CalendarDates {

    private CalendarDates() {}

    /** Why a text is not a real date written YYYY-MM-DD, or null when it is one. */
    public static String problem(String text) {
        if (text == null || text.length() != 10 || text.charAt(4) != '-' || text.charAt(7) != '-') {
            return "must be a date written YYYY-MM-DD";
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        if (year < 0 || month < 0 || day < 0) {
            return "must be a date written YYYY-MM-DD";
        }
        return problem(year, month, day);
    }

    /** Why year, month and day do not make a real date, or null when they do. */
    public static String problem(int year, int month, int day) {
        if (year < 1 || year > 9999) {
            return "has a year outside 1 to 9999";
        }
        if (month < 1 || month > 12) {
            return "has a month outside 1 to 12";
        }
        if (day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return "is not a day of the calendar (" + java.time.Month.of(month) + " " + year + " has "
                    + java.time.YearMonth.of(year, month).lengthOfMonth() + " days)";
        }
        return null;
    }

    /**
     * The date a text names.
     *
     * @param field the field's path, named in the refusal
     * @throws InvalidValueException when it is not a real date written YYYY-MM-DD
     */
    public static LocalDate parse(String text, String field) {
        String problem = problem(text);
        if (problem != null) {
            throw new InvalidValueException(field, problem);
        }
        try {
            return LocalDate.of(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10));
        } catch (DateTimeException e) { // unreachable after problem(): kept so no caller ever sees it
            throw new InvalidValueException(field, "is not a day of the calendar");
        }
    }

    /** The date of a year, month and day, or a refusal naming the field. */
    public static LocalDate of(int year, int month, int day, String field) {
        String problem = problem(year, month, day);
        if (problem != null) {
            throw new InvalidValueException(field, problem);
        }
        return LocalDate.of(year, month, day);
    }

    /** The number written by ASCII digits text[from, to), or -1 when one of them is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
