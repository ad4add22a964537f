package fr.interieur.neogend.order.inventoryclient;

import com.google.type.Date;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksRequest;
import fr.interieur.neogend.inventory.v1.CountAgreementPacksResponse;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.PackTypeCount;
import fr.interieur.neogend.inventory.v1.TransferPacksRequest;
import fr.interieur.neogend.kit.grpc.PeerChannel;
import fr.interieur.neogend.order.agreement.PackMover;
import org.springframework.stereotype.Component;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Inventory's TransferPacks and CountAgreementPacks, on the caller's behalf (both may be repeated). */
@Component
class GrpcPackMover implements PackMover {

    private final PeerChannel peer;

    GrpcPackMover(InventoryChannel channel) {
        this.peer = channel.peer();
    }

    @Override
    public long move(String fromId, String toId, LocalDate date, Optional<String> packType, Optional<String> unitCode) {
        TransferPacksRequest.Builder request = TransferPacksRequest.newBuilder()
                .setFromAgreementId(fromId)
                .setToAgreementId(toId)
                .setEffectiveDate(Date.newBuilder()
                        .setYear(date.getYear())
                        .setMonth(date.getMonthValue())
                        .setDay(date.getDayOfMonth()));
        packType.ifPresent(t -> request.setPackType(PackType.valueOf("PACK_TYPE_" + t)));
        unitCode.ifPresent(request::setUnitCode);
        return peer.callIdempotent(
                        InventoryServiceGrpc.newBlockingStub(peer.channel()),
                        stub -> stub.transferPacks(request.build()),
                        "the packs may not all have moved; repeat the transfer")
                .getTransferred();
    }

    @Override
    public Map<String, Long> transferredIn(String agreementId) {
        return byType(
                count(agreementId, "the packs moved but the successor's count is not updated; repeat the transfer")
                        .getTransferredInList());
    }

    @Override
    public Map<String, Long> transferredInNow(String agreementId) {
        return byType(count(
                        agreementId,
                        "packs were being transferred into " + agreementId
                                + " and their count is not confirmed; try again later")
                .getTransferredInList());
    }

    @Override
    public Map<String, Long> running(String agreementId) {
        return byType(count(agreementId, "nothing moved; repeat the transfer").getRunningList());
    }

    private CountAgreementPacksResponse count(String agreementId, String whatToDo) {
        return peer.callIdempotent(
                InventoryServiceGrpc.newBlockingStub(peer.channel()),
                stub -> stub.countAgreementPacks(CountAgreementPacksRequest.newBuilder()
                        .setAgreementId(agreementId)
                        .build()),
                whatToDo);
    }

    private static Map<String, Long> byType(List<PackTypeCount> counts) {
        Map<String, Long> byType = new TreeMap<>();
        counts.forEach(c -> byType.put(c.getPackType().name().substring("PACK_TYPE_".length()), c.getCount()));
        return byType;
    }
}
