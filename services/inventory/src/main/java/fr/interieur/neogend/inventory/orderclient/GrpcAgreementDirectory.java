package fr.interieur.neogend.inventory.orderclient;

import fr.interieur.neogend.inventory.agreement.AgreementDirectory;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;

/** Agreements from the order service ({@code GetAgreement}), asked on the caller's behalf. */
@Component
class GrpcAgreementDirectory implements AgreementDirectory, DisposableBean {

    private final PeerChannel peer;

    GrpcAgreementDirectory(
            @Value("${neogend.order.target:localhost:9092}") String target,
            @Value("${neogend.order.deadline:5s}") Duration deadline,
            ObservationRegistry observations) {
        this.peer = new PeerChannel("order", target, deadline, observations);
    }

    @Override
    public Optional<AgreementTerm> find(String agreementId) {
        try {
            FrameworkAgreement a = peer.onCallersBehalf(OrderServiceGrpc.newBlockingStub(peer.channel()))
                    .getAgreement(
                            GetAgreementRequest.newBuilder().setId(agreementId).build())
                    .getAgreement();
            LocalDate notified = LocalDate.of(
                    a.getNotifiedOn().getYear(),
                    a.getNotifiedOn().getMonth(),
                    a.getNotifiedOn().getDay());
            LocalDate end = a.hasTermEnd()
                    ? LocalDate.of(
                            a.getTermEnd().getYear(),
                            a.getTermEnd().getMonth(),
                            a.getTermEnd().getDay())
                    : notified.plusMonths(a.getTermMonths());
            return Optional.of(new AgreementTerm(a.getId(), a.getSupplierId(), notified, end));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND
                    || e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                return Optional.empty();
            }
            throw peer.failure(e, "the agreement cannot be checked now; try again later");
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        peer.close();
    }
}
