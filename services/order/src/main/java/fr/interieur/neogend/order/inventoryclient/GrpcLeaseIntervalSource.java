package fr.interieur.neogend.order.inventoryclient;

import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.LeaseInterval;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsRequest;
import fr.interieur.neogend.inventory.v1.StreamLeaseIntervalsResponse;
import fr.interieur.neogend.inventory.v1.SumLeaseDaysRequest;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.billing.LeaseIntervalSource;
import io.grpc.StatusRuntimeException;
import org.springframework.stereotype.Component;

import java.util.Iterator;
import java.util.function.Consumer;

/** Reads inventory's lease intervals of a month, streamed in batches, on the caller's behalf. */
@Component
class GrpcLeaseIntervalSource implements LeaseIntervalSource {

    private final PeerChannel peer;

    GrpcLeaseIntervalSource(InventoryChannel channel) {
        this.peer = channel.peer();
    }

    @Override
    public void forEach(String agreementId, int year, int month, Consumer<Interval> sink) {
        try {
            Iterator<StreamLeaseIntervalsResponse> batches = peer.onCallersBehalf(
                            InventoryServiceGrpc.newBlockingStub(peer.channel()))
                    .streamLeaseIntervals(StreamLeaseIntervalsRequest.newBuilder()
                            .setAgreementId(agreementId)
                            .setYear(year)
                            .setMonth(month)
                            .build());
            while (batches.hasNext()) {
                for (LeaseInterval i : batches.next().getIntervalsList()) {
                    sink.accept(new Interval(
                            i.getPackId(),
                            i.getPackType().name().substring("PACK_TYPE_".length()),
                            i.getBilledDays(),
                            i.getUnitCode(),
                            i.hasBilledFrom() ? date(i.getBilledFrom()) : null,
                            i.hasBilledUntil() ? date(i.getBilledUntil()) : null,
                            i.getDeviceImeisList()));
                }
            }
        } catch (StatusRuntimeException e) {
            throw peer.failure(e, "the statement cannot be computed now; try again later");
        }
    }

    @Override
    public java.util.List<TypeDays> sumPerType(String agreementId, int year, int month) {
        return peer
                .callIdempotent(
                        InventoryServiceGrpc.newBlockingStub(peer.channel()),
                        stub -> stub.sumLeaseDays(SumLeaseDaysRequest.newBuilder()
                                .setAgreementId(agreementId)
                                .setYear(year)
                                .setMonth(month)
                                .build()),
                        "the statement cannot be computed now; try again later")
                .getByPackTypeList()
                .stream()
                .map(t -> new TypeDays(
                        t.getPackType().name().substring("PACK_TYPE_".length()), t.getPacks(), t.getBilledDays()))
                .toList();
    }

    @Override
    public java.util.Set<String> leasedModels(String agreementId, java.util.Collection<String> among) {
        return new java.util.TreeSet<>(peer.callIdempotent(
                        InventoryServiceGrpc.newBlockingStub(peer.channel()),
                        stub -> stub.listLeasedModels(
                                fr.interieur.neogend.inventory.v1.ListLeasedModelsRequest.newBuilder()
                                        .setAgreementId(agreementId)
                                        .addAllModels(among)
                                        .build()),
                        "the patch SLA cannot be computed now; try again later")
                .getModelsList());
    }

    private static java.time.LocalDate date(com.google.type.Date d) {
        return java.time.LocalDate.of(d.getYear(), d.getMonth(), d.getDay());
    }
}
