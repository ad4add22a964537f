package fr.interieur.neogend.kit.grpc;

import com.google.protobuf.Timestamp;
import com.google.type.Date;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtoMappingTest {

    @Test
    void textIsTrimmedAndBlankIsAbsent() {
        assertThat(ProtoMapping.text("  GN-RBRE ")).contains("GN-RBRE");
        assertThat(ProtoMapping.text(" \t")).isEqualTo(Optional.empty());
        assertThat(ProtoMapping.text(null)).isEmpty();
    }

    @Test
    void timesGoBothWaysAndATimestampOutOfItsRangeIsRefusedNamingTheField() {
        Instant at = Instant.parse("2026-12-04T03:30:00.123456789Z");
        assertThat(ProtoMapping.instant(ProtoMapping.timestamp(at), "since")).isEqualTo(at);
        assertThat(ProtoMapping.instant(
                        Timestamp.newBuilder().setSeconds(253_402_300_799L).build(), "t"))
                .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        for (Timestamp bad : new Timestamp[] {
            Timestamp.newBuilder().setSeconds(253_402_300_800L).build(),
            Timestamp.newBuilder().setSeconds(-62_135_596_801L).build(),
            Timestamp.newBuilder().setNanos(-1).build(),
            Timestamp.newBuilder().setNanos(1_000_000_000).build()
        }) {
            assertThatThrownBy(() -> ProtoMapping.instant(bad, "since"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("since");
        }
    }

    @Test
    void daysGoBothWaysAndAnImpossibleDayIsRefusedNamingTheField() {
        LocalDate leap = LocalDate.of(2028, 2, 29);
        assertThat(ProtoMapping.date(ProtoMapping.date(leap), "day")).isEqualTo(leap);
        for (Date bad : new Date[] {
            Date.newBuilder().setYear(2027).setMonth(2).setDay(29).build(),
            Date.newBuilder().setYear(2026).setMonth(13).setDay(1).build(),
            Date.getDefaultInstance()
        }) {
            assertThatThrownBy(() -> ProtoMapping.date(bad, "order.requested_date"))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("order.requested_date");
        }
    }

    @Test
    void anUnsetOptionalDayIsEmptyAndASetOneIsCheckedLikeAnyDay() {
        assertThat(ProtoMapping.date(false, com.google.type.Date.getDefaultInstance(), "from_date"))
                .isEmpty();
        assertThat(ProtoMapping.date(true, ProtoMapping.date(java.time.LocalDate.of(2026, 12, 4)), "from_date"))
                .contains(java.time.LocalDate.of(2026, 12, 4));
        assertThatThrownBy(() -> ProtoMapping.date(
                        true,
                        com.google.type.Date.newBuilder()
                                .setYear(2026)
                                .setMonth(2)
                                .setDay(30)
                                .build(),
                        "from_date"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("from_date");
    }
}
