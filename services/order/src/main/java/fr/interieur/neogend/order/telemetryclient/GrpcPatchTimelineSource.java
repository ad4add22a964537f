package fr.interieur.neogend.order.telemetryclient;

import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.billing.PatchTimelineSource;
import fr.interieur.neogend.telemetry.v1.ListPatchTimelinesRequest;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.Optional;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.instant;

/** Reads the telemetry service's patch timelines of a supplier's releases on the caller's behalf. */
@Configuration(proxyBeanMethods = false)
class GrpcPatchTimelineSource {

    @Bean
    PeerChannel telemetryChannel(
            @Value("${neogend.telemetry.target:localhost:9095}") String target,
            @Value("${neogend.telemetry.deadline:10s}") Duration deadline,
            ObservationRegistry observations) {
        return new PeerChannel("telemetry", target, deadline, observations);
    }

    @Bean
    PatchTimelineSource patchTimelineSource(PeerChannel telemetryChannel) {
        return (supplierId, from, before) -> telemetryChannel
                .callIdempotent(
                        TelemetryServiceGrpc.newBlockingStub(telemetryChannel.channel()),
                        stub -> stub.listPatchTimelines(ListPatchTimelinesRequest.newBuilder()
                                .setSupplierId(supplierId)
                                .setPublishedFrom(date(from))
                                .setPublishedBefore(date(before))
                                .build()),
                        "the patch SLA cannot be computed now; try again later")
                .getTimelinesList()
                .stream()
                .map(t -> new PatchTimelineSource.Timeline(
                        t.getReleaseId(),
                        t.getModel(),
                        t.getBuildFingerprint(),
                        date(t.getSecurityPatchLevel(), "security_patch_level"),
                        date(t.getBulletinDate(), "bulletin_date"),
                        instant(t.getPublishTime(), "publish_time"),
                        t.hasFirstApproveTime()
                                ? Optional.of(instant(t.getFirstApproveTime(), "first_approve_time"))
                                : Optional.empty(),
                        t.getTargeted(),
                        t.getConfirmed(),
                        t.hasFleetConfirmTime()
                                ? Optional.of(instant(t.getFleetConfirmTime(), "fleet_confirm_time"))
                                : Optional.empty()))
                .toList();
    }
}
