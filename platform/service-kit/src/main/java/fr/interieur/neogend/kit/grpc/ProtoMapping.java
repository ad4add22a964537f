package fr.interieur.neogend.kit.grpc;

import com.google.protobuf.Timestamp;
import com.google.type.Date;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import io.grpc.stub.StreamObserver;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The mapping every gRPC adapter does between protobuf and the domain, once (issue 19: thin adapters):
 * optional text, times, calendar days, the unary reply. Values coming in are checked here and refused
 * as {@code INVALID_ARGUMENT} naming the field; values going out are built as the protos say.
 */
public final class ProtoMapping {

    /** The first and last seconds a protobuf Timestamp may hold (years 1 to 9999). */
    private static final long MIN_SECONDS = -62_135_596_800L;

    private static final long MAX_SECONDS = 253_402_300_799L;

    private ProtoMapping() {}

    /** Answers a unary call. */
    public static <T> void reply(StreamObserver<T> response, T message) {
        response.onNext(message);
        response.onCompleted();
    }

    /** Text a request may leave empty: empty (or blank) is absent; present text is trimmed. */
    public static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** An instant as a protobuf Timestamp. */
    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    /** A Timestamp of a request: within what a Timestamp may say (years 1 to 9999), or refused naming the field. */
    public static Instant instant(Timestamp t, String field) {
        if (t.getSeconds() < MIN_SECONDS
                || t.getSeconds() > MAX_SECONDS
                || t.getNanos() < 0
                || t.getNanos() > 999_999_999) {
            throw InvalidArgumentException.of(field, "is not a valid timestamp");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** A day as a {@code google.type.Date}. */
    public static Date date(LocalDate day) {
        return Date.newBuilder()
                .setYear(day.getYear())
                .setMonth(day.getMonthValue())
                .setDay(day.getDayOfMonth())
                .build();
    }

    /** A {@code google.type.Date} of a request: a real day, or refused naming the field. */
    public static LocalDate date(Date d, String field) {
        try {
            return LocalDate.of(d.getYear(), d.getMonth(), d.getDay());
        } catch (DateTimeException e) {
            throw InvalidArgumentException.of(field, "is not a valid date");
        }
    }

    /** An optional {@code google.type.Date} of a request: empty when unset, else a real day or refused naming it. */
    public static Optional<LocalDate> date(boolean present, Date d, String field) {
        return present ? Optional.of(date(d, field)) : Optional.empty();
    }
}
