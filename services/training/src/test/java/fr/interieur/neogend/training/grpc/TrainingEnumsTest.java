package fr.interieur.neogend.training.grpc;

import fr.interieur.neogend.training.session.EnrolmentStatus;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingEnumsTest {

    @Test
    void everyEnrolmentStatusHasItsOwnContractValueOfTheSameName() {
        var mapped = Arrays.stream(EnrolmentStatus.values())
                .map(TrainingEnums::toProto)
                .collect(Collectors.toSet());
        assertThat(mapped)
                .hasSize(EnrolmentStatus.values().length)
                .doesNotContain(fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_UNSPECIFIED);
        for (EnrolmentStatus s : EnrolmentStatus.values()) {
            assertThat(TrainingEnums.toProto(s).name()).isEqualTo("ENROLMENT_STATUS_" + s.name());
        }
        Set<String> contract = Arrays.stream(fr.interieur.neogend.training.v1.EnrolmentStatus.values())
                .filter(v -> v != fr.interieur.neogend.training.v1.EnrolmentStatus.UNRECOGNIZED && v.getNumber() > 0)
                .map(Enum::name)
                .collect(Collectors.toSet());
        assertThat(contract).hasSize(EnrolmentStatus.values().length);
    }
}
