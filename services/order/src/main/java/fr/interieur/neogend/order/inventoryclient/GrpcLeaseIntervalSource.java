package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.LeaseInterval;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsResponse;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.order.billing.LeaseIntervalSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Reads inventory's lease intervals of a month, streamed in batches, on the caller's behalf. */
@Component
class GrpcLeaseIntervalSource implements LeaseIntervalSource {

    private final InventoryChannel channel;
    private final Duration deadline;

    GrpcLeaseIntervalSource(InventoryChannel channel, @Value("${neogend.inventory.deadline:60s}") Duration deadline) {
        this.channel = channel;
        this.deadline = deadline;
    }

    @Override
    public void forEach(int year, int month, Consumer<Interval> sink) {
        try {
            Iterator<StreamLeaseIntervalsResponse> batches = InventoryServiceGrpc.newBlockingStub(channel.channel())
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                            InventoryChannel.bearer(CallerContext.bearerToken())))
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder().setYear(year).setMonth(month).build());
            while (batches.hasNext()) {
                for (LeaseInterval i : batches.next().getIntervalsList()) {
                    sink.accept(new Interval(i.getPackId(), i.getPackType().name().substring("PACK_TYPE_".length()),
                            i.getBilledDays()));
                }
            }
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                channel.channel().resetConnectBackoff();
                throw Status.UNAVAILABLE.withDescription("inventory is unavailable: the statement cannot be computed "
                        + "now; try again later").asRuntimeException();
            }
            throw e;
        }
    }
}
