package fr.interieur.neogend.training.grpc;

import fr.interieur.neogend.training.session.EnrolmentStatus;

/**
 * The domain's enums as the contract's, by exhaustive switches: a value added on one side without its
 * mapping does not compile.
 */
final class TrainingEnums {

    private TrainingEnums() {}

    static fr.interieur.neogend.training.v1.EnrolmentStatus toProto(EnrolmentStatus status) {
        return switch (status) {
            case ENROLLED -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_ENROLLED;
            case WAITLISTED -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_WAITLISTED;
            case WITHDRAWN -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_WITHDRAWN;
            case PASSED -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_PASSED;
            case FAILED -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_FAILED;
            case ABSENT -> fr.interieur.neogend.training.v1.EnrolmentStatus.ENROLMENT_STATUS_ABSENT;
        };
    }
}
