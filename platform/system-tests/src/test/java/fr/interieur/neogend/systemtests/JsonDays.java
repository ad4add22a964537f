package fr.interieur.neogend.systemtests;

/** Days as the REST API carries them: a {@code google.type.Date} in JSON, {"year":2026,"month":12,"day":4}. */
final class JsonDays {

    private JsonDays() {}

    /** The JSON of a day given as a LocalDate or "YYYY-MM-DD" text. */
    static String day(Object day) {
        String[] p = String.valueOf(day).split("-", 3);
        return "{\"year\":%d,\"month\":%d,\"day\":%d}"
                .formatted(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }
}
