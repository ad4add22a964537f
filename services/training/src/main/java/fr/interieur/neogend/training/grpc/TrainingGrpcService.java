package fr.interieur.neogend.training.grpc;

import fr.interieur.neogend.training.course.Course;
import fr.interieur.neogend.training.course.CourseCatalog;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.training.v1.ListCoursesRequest;
import fr.interieur.neogend.training.v1.ListCoursesResponse;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/** The training gRPC API (skeleton): maps proto messages to the domain and back. */
@Service
public class TrainingGrpcService extends TrainingServiceGrpc.TrainingServiceImplBase {

    private final CourseCatalog catalog;

    public TrainingGrpcService(CourseCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listCourses(ListCoursesRequest request, StreamObserver<ListCoursesResponse> response) {
        Page<Course> page = catalog.list(request.getPageSize(), request.getPageToken());
        ListCoursesResponse.Builder out = ListCoursesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(item -> out.addItems(toProto(item)));
        response.onNext(out.build());
        response.onCompleted();
    }

    private static fr.interieur.neogend.training.v1.Course toProto(Course item) {
        return fr.interieur.neogend.training.v1.Course.newBuilder()
                .setCode(item.code())
                .setTitle(item.title())
                .setDurationDays(item.durationDays())
                .build();
    }
}
