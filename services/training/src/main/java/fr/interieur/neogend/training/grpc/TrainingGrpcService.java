package fr.interieur.neogend.training.grpc;

import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.course.CourseCatalog;
import fr.interieur.neogend.training.session.SessionService;
import fr.interieur.neogend.training.v1.CheckCertificationRequest;
import fr.interieur.neogend.training.v1.CheckCertificationResponse;
import fr.interieur.neogend.training.v1.CreateCourseRequest;
import fr.interieur.neogend.training.v1.CreateCourseResponse;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.CreateSessionResponse;
import fr.interieur.neogend.training.v1.DeliveredTrainingDays;
import fr.interieur.neogend.training.v1.EnrollTechnicianRequest;
import fr.interieur.neogend.training.v1.EnrollTechnicianResponse;
import fr.interieur.neogend.training.v1.GetSessionRequest;
import fr.interieur.neogend.training.v1.GetSessionResponse;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListCoursesResponse;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysResponse;
import fr.interieur.neogend.training.v1.ListExpiredCertificationsRequest;
import fr.interieur.neogend.training.v1.ListExpiredCertificationsResponse;
import fr.interieur.neogend.training.v1.ListExpiringCertificationsRequest;
import fr.interieur.neogend.training.v1.ListExpiringCertificationsResponse;
import fr.interieur.neogend.training.v1.ListSessionsRequest;
import fr.interieur.neogend.training.v1.ListSessionsResponse;
import fr.interieur.neogend.training.v1.RecordPastResultRequest;
import fr.interieur.neogend.training.v1.RecordPastResultResponse;
import fr.interieur.neogend.training.v1.RecordResultRequest;
import fr.interieur.neogend.training.v1.RecordResultResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import fr.interieur.neogend.training.v1.WithdrawTechnicianRequest;
import fr.interieur.neogend.training.v1.WithdrawTechnicianResponse;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

import java.time.LocalDate;
import java.util.Optional;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.reply;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.training.grpc.TrainingMessages.toProto;

/** The training gRPC API: maps proto messages to the domain and back, nothing more. */
@Service
public class TrainingGrpcService extends TrainingServiceGrpc.TrainingServiceImplBase {

    private final CourseCatalog catalog;
    private final SessionService sessions;

    public TrainingGrpcService(CourseCatalog catalog, SessionService sessions) {
        this.catalog = catalog;
        this.sessions = sessions;
    }

    @Override
    public void listCourses(ListCoursesRequest request, StreamObserver<ListCoursesResponse> response) {
        Page<Course> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListCoursesResponse.Builder out = ListCoursesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        reply(response, out.build());
    }

    @Override
    public void createCourse(CreateCourseRequest request, StreamObserver<CreateCourseResponse> response) {
        var c = request.getCourse();
        sessions.createCourse(
                c.getCode(),
                c.getTitle(),
                c.getDurationDays(),
                c.getModelFamiliesList(),
                c.getCertificationValidityMonths(),
                c.getAgreementItemCode(),
                c.getAgreementId());
        reply(
                response,
                CreateCourseResponse.newBuilder()
                        .setCourse(c.toBuilder()
                                .setCertificationValidityMonths(
                                        c.getCertificationValidityMonths() == 0
                                                ? 24
                                                : c.getCertificationValidityMonths()))
                        .build());
    }

    @Override
    public void createSession(CreateSessionRequest request, StreamObserver<CreateSessionResponse> response) {
        var s = request.getSession();
        reply(
                response,
                CreateSessionResponse.newBuilder()
                        .setSession(toProto(sessions.createSession(
                                s.getCourseCode(),
                                s.hasStartDate() ? date(s.getStartDate(), "session.start_date") : null,
                                s.hasEndDate() ? date(s.getEndDate(), "session.end_date") : null,
                                s.getPlace(),
                                s.getCapacity(),
                                s.getTrainer())))
                        .build());
    }

    @Override
    public void listSessions(ListSessionsRequest request, StreamObserver<ListSessionsResponse> response) {
        Optional<LocalDate> from = date(request.hasEndsOnOrAfter(), request.getEndsOnOrAfter(), "ends_on_or_after");
        Page<SessionService.Session> page =
                sessions.list(from, request.getCourseCode(), request.getPageSize(), request.getPageToken());
        ListSessionsResponse.Builder out = ListSessionsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(s -> out.addSessions(toProto(s)));
        reply(response, out.build());
    }

    @Override
    public void getSession(GetSessionRequest request, StreamObserver<GetSessionResponse> response) {
        reply(
                response,
                GetSessionResponse.newBuilder()
                        .setSession(toProto(sessions.get(request.getId())))
                        .build());
    }

    @Override
    public void enrollTechnician(EnrollTechnicianRequest request, StreamObserver<EnrollTechnicianResponse> response) {
        reply(
                response,
                EnrollTechnicianResponse.newBuilder()
                        .setSession(toProto(sessions.enrol(
                                request.getSessionId(), text(request.getTechnician()), CallerContext.current())))
                        .build());
    }

    @Override
    public void withdrawTechnician(
            WithdrawTechnicianRequest request, StreamObserver<WithdrawTechnicianResponse> response) {
        reply(
                response,
                WithdrawTechnicianResponse.newBuilder()
                        .setSession(toProto(sessions.withdraw(
                                request.getSessionId(), text(request.getTechnician()), CallerContext.current())))
                        .build());
    }

    @Override
    public void recordResult(RecordResultRequest request, StreamObserver<RecordResultResponse> response) {
        reply(
                response,
                RecordResultResponse.newBuilder()
                        .setSession(toProto(sessions.recordResult(
                                request.getSessionId(),
                                request.getTechnician(),
                                request.getAttended(),
                                request.getPassed())))
                        .build());
    }

    @Override
    public void recordPastResult(RecordPastResultRequest request, StreamObserver<RecordPastResultResponse> response) {
        reply(
                response,
                RecordPastResultResponse.newBuilder()
                        .setSession(toProto(sessions.recordPastResult(
                                request.getSessionId(),
                                request.getTechnician(),
                                request.getAttended(),
                                request.getPassed(),
                                request.getReason())))
                        .build());
    }

    @Override
    public void listExpiredCertifications(
            ListExpiredCertificationsRequest request, StreamObserver<ListExpiredCertificationsResponse> response) {
        Optional<LocalDate> since =
                date(request.hasExpiredOnOrAfter(), request.getExpiredOnOrAfter(), "expired_on_or_after");
        Page<SessionService.Certification> page =
                sessions.expired(since, request.getTechnician(), request.getPageSize(), request.getPageToken());
        var out = ListExpiredCertificationsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(c -> out.addCertifications(toProto(c)));
        reply(response, out.build());
    }

    @Override
    public void checkCertification(
            CheckCertificationRequest request, StreamObserver<CheckCertificationResponse> response) {
        // a technician (and the accessories service, on a technician's behalf) asks about that technician only:
        // another's certifications and their dates are not its to read
        var caller = CallerContext.current();
        if (!caller.hasRole(fr.interieur.neogend.kit.security.Caller.FLEET_MANAGER)
                && !caller.hasRole(fr.interieur.neogend.kit.security.Caller.INTERNAL_SERVICE)
                && !request.getTechnician().equals(caller.username())) {
            throw new fr.interieur.neogend.kit.error.AccessDeniedException(
                    "a technician checks its own certifications only");
        }
        SessionService.Check c = sessions.check(request.getTechnician(), request.getModel());
        var out = CheckCertificationResponse.newBuilder()
                .setCertified(c.certified())
                .setReason(c.reason());
        c.validUntil().ifPresent(d -> out.setValidUntil(date(d)));
        reply(response, out.build());
    }

    @Override
    public void listDeliveredTrainingDays(
            ListDeliveredTrainingDaysRequest request, StreamObserver<ListDeliveredTrainingDaysResponse> response) {
        var out = ListDeliveredTrainingDaysResponse.newBuilder();
        sessions.deliveredDays(request.getYear(), request.getMonth(), request.getAgreementId())
                .forEach(d -> out.addSessions(DeliveredTrainingDays.newBuilder()
                        .setSessionId(d.sessionId())
                        .setCourseCode(d.courseCode())
                        .setCourseTitle(d.courseTitle())
                        .setAgreementItemCode(d.agreementItemCode())
                        .setDays(d.days())
                        .setAgreementId(d.agreementId())));
        reply(response, out.build());
    }

    @Override
    public void listExpiringCertifications(
            ListExpiringCertificationsRequest request, StreamObserver<ListExpiringCertificationsResponse> response) {
        var out = ListExpiringCertificationsResponse.newBuilder();
        sessions.expiring(request.getWithinDays()).forEach(c -> out.addCertifications(toProto(c)));
        reply(response, out.build());
    }
}
