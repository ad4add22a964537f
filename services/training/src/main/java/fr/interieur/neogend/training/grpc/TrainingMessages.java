package fr.interieur.neogend.training.grpc;

import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.session.SessionService;
import fr.interieur.neogend.training.v1.Certification;
import fr.interieur.neogend.training.v1.Enrolment;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;

/**
 * The contract's messages made from the domain's values, and requests read into them, for
 * {@link TrainingGrpcService}: the mapping kept out of the handlers (issue 19), so that a handler reads as
 * what it does.
 */
final class TrainingMessages {

    private TrainingMessages() {}

    static Certification toProto(SessionService.Certification c) {
        return Certification.newBuilder()
                .setTechnician(c.technician())
                .setCourseCode(c.courseCode())
                .addAllModelFamilies(c.modelFamilies())
                .setIssuedOn(date(c.issuedOn()))
                .setValidUntil(date(c.validUntil()))
                .setSessionId(c.sessionId())
                .build();
    }

    static fr.interieur.neogend.training.v1.Session toProto(SessionService.Session s) {
        var b = fr.interieur.neogend.training.v1.Session.newBuilder()
                .setId(s.id())
                .setCourseCode(s.courseCode())
                .setStartDate(date(s.startDate()))
                .setEndDate(date(s.endDate()))
                .setPlace(s.place())
                .setCapacity(s.capacity())
                .setTrainer(s.trainer());
        s.enrolments()
                .forEach(e -> b.addEnrolments(Enrolment.newBuilder()
                        .setTechnician(e.technician())
                        .setStatus(TrainingEnums.toProto(e.status()))));
        return b.build();
    }

    static fr.interieur.neogend.training.v1.Course toProto(Course item) {
        return fr.interieur.neogend.training.v1.Course.newBuilder()
                .setCode(item.code())
                .setTitle(item.title())
                .setDurationDays(item.durationDays())
                .addAllModelFamilies(item.modelFamilies())
                .setCertificationValidityMonths(item.certificationValidityMonths())
                .setAgreementItemCode(item.agreementItemCode())
                .setAgreementId(item.agreementId())
                .build();
    }
}
