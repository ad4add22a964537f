package fr.interieur.neogend.training.orderclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.kit.grpc.ProtoMapping;
import fr.interieur.neogend.order.v1.CatalogueItem;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.training.course.AgreementPriceLines;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;

/** Price lines from the order service's GetAgreement, on the caller's behalf. */
@Component
class GrpcAgreementPriceLines implements AgreementPriceLines, DisposableBean {

    private final PeerChannel peer;

    GrpcAgreementPriceLines(
            @Value("${neogend.order.target:localhost:9092}") String target,
            @Value("${neogend.order.deadline:5s}") Duration deadline,
            ObservationRegistry observations) {
        this.peer = new PeerChannel("order", target, deadline, observations);
    }

    @Override
    public Optional<String> problemWithTrainingDayLine(String agreementId, String itemCode) {
        try {
            var agreement = peer.callIdempotent(
                            OrderServiceGrpc.newBlockingStub(peer.channel()),
                            stub -> stub.getAgreement(GetAgreementRequest.newBuilder()
                                    .setId(agreementId)
                                    .build()),
                            "the course's agreement cannot be checked now; try again later")
                    .getAgreement();
            Optional<CatalogueItem> line = agreement.getPriceScheduleList().stream()
                    .filter(i -> i.getCode().equals(itemCode))
                    .findFirst();
            if (line.isEmpty()) {
                return Optional.of("agreement " + agreementId + " has no price line " + itemCode);
            }
            if (line.get().getKind() != ItemKind.ITEM_KIND_TRAINING_DAY) {
                return Optional.of(itemCode + " is not a training-day line of agreement " + agreementId);
            }
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.of("agreement " + agreementId + " does not exist");
            }
            throw e;
        }
    }

    @Override
    public Term term(String agreementId) {
        var agreement = peer.callIdempotent(
                        OrderServiceGrpc.newBlockingStub(peer.channel()),
                        stub -> stub.getAgreement(GetAgreementRequest.newBuilder()
                                .setId(agreementId)
                                .build()),
                        "the course's agreement cannot be checked now; nothing was recorded; try again later")
                .getAgreement();
        return new Term(
                ProtoMapping.date(agreement.getNotifiedOn(), "agreement.notified_on"),
                ProtoMapping.date(agreement.getTermEnd(), "agreement.term_end"));
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
