package fr.interieur.neogend.order.trainingclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.billing.TrainingDaysSource;
import fr.interieur.neogend.training.v1.ListDeliveredTrainingDaysRequest;
import fr.interieur.neogend.training.v1.TrainingServiceGrpc;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/** Reads the training service's delivered training days on the caller's behalf. */
@Configuration(proxyBeanMethods = false)
class GrpcTrainingDaysSource {

    @Bean
    PeerChannel trainingChannel(
            @Value("${neogend.training.target:localhost:9094}") String target,
            @Value("${neogend.training.deadline:10s}") Duration deadline,
            ObservationRegistry observations) {
        return new PeerChannel("training", target, deadline, observations);
    }

    @Bean
    TrainingDaysSource trainingDaysSource(PeerChannel trainingChannel) {
        return (agreementId, year, month) -> trainingChannel
                .callIdempotent(
                        TrainingServiceGrpc.newBlockingStub(trainingChannel.channel()),
                        stub -> stub.listDeliveredTrainingDays(ListDeliveredTrainingDaysRequest.newBuilder()
                                .setAgreementId(agreementId)
                                .setYear(year)
                                .setMonth(month)
                                .build()),
                        "the statement cannot be computed now; try again later")
                .getSessionsList()
                .stream()
                .map(d -> new TrainingDaysSource.Delivered(
                        d.getSessionId(), d.getCourseCode(), d.getCourseTitle(), d.getAgreementItemCode(), d.getDays()))
                .toList();
    }
}
