package fr.interieur.neogend.accessories.grpc;

import fr.interieur.neogend.accessories.catalogue.CatalogueItem;
import fr.interieur.neogend.accessories.repair.Repair;
import fr.interieur.neogend.accessories.stock.StockHistory;
import fr.interieur.neogend.accessories.stock.StockService;
import fr.interieur.neogend.accessories.v1.RepairPart;
import fr.interieur.neogend.accessories.v1.RepairState;
import fr.interieur.neogend.accessories.v1.StockAlert;
import fr.interieur.neogend.accessories.v1.StockLevel;
import fr.interieur.neogend.accessories.v1.StockMovement;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;

/**
 * The contract's messages made from the domain's values, and requests read into them, for
 * {@link AccessoriesGrpcService}: the mapping kept out of the handlers (issue 19), so that a handler reads as
 * what it does.
 */
final class AccessoriesMessages {

    private AccessoriesMessages() {}

    static StockMovement movement(StockHistory.Movement m) {
        var b = StockMovement.newBuilder()
                .setId(m.id())
                .setKind(AccessoriesEnums.toProto(m.kind()))
                .setItemCode(m.itemCode())
                .setDepotCode(m.depotCode())
                .setQuantity(m.quantity())
                .setActor(m.actor())
                .setRecordTime(timestamp(m.at()));
        m.toDepotCode().ifPresent(b::setToDepotCode);
        m.reference().ifPresent(b::setReference);
        m.repairId().ifPresent(b::setRepairId);
        return b.build();
    }

    static StockAlert alert(StockService.Alert a) {
        var b = StockAlert.newBuilder()
                .setId(a.id())
                .setDepotCode(a.depotCode())
                .setItemCode(a.itemCode())
                .setQuantity(a.quantity())
                .setMinimum(a.minimum())
                .setRaiseTime(timestamp(a.raisedAt()));
        a.draftOrderNumber().ifPresent(b::setDraftOrderNumber);
        a.clearedAt().ifPresent(t -> b.setClearTime(timestamp(t)));
        return b.build();
    }

    static fr.interieur.neogend.accessories.v1.Repair toProto(Repair r) {
        var b = fr.interieur.neogend.accessories.v1.Repair.newBuilder()
                .setId(r.id())
                .setImei(r.imei())
                .setModel(r.model())
                .setDepotCode(r.depotCode())
                .setTechnician(r.technician())
                .setState(state(r.state()))
                .setFault(r.fault())
                .setOpenTime(timestamp(r.openedAt()));
        r.diagnosis().ifPresent(b::setDiagnosis);
        r.closedAt().ifPresent(t -> b.setCloseTime(timestamp(t)));
        r.closedBy().ifPresent(b::setClosedBy);
        r.exchangeRequestNumber().ifPresent(b::setExchangeRequestNumber);
        r.parts()
                .forEach(p -> b.addParts(RepairPart.newBuilder()
                        .setItemCode(p.itemCode())
                        .setQuantity(p.quantity())
                        .setRecordedBy(p.recordedBy())));
        return b.build();
    }

    static StockLevel level(StockService.Level l) {
        return StockLevel.newBuilder()
                .setDepotCode(l.depotCode())
                .setItemCode(l.itemCode())
                .setQuantity(l.quantity())
                .setMinimum(l.minimum())
                .setBelowMinimum(l.belowMinimum())
                .build();
    }

    static fr.interieur.neogend.accessories.v1.CatalogueItem toProto(CatalogueItem item) {
        return fr.interieur.neogend.accessories.v1.CatalogueItem.newBuilder()
                .setCode(item.code())
                .setLabel(item.label())
                .setCategory(AccessoriesEnums.toProto(item.category()))
                .addAllFitsModels(item.fitsModels())
                .setAgreementItemCode(item.agreementItemCode())
                .build();
    }

    /** Exhaustive: a repair state added without its contract value does not compile (issue 19). */
    static RepairState state(Repair.State state) {
        return switch (state) {
            case OPEN -> RepairState.REPAIR_STATE_OPEN;
            case REPAIRED -> RepairState.REPAIR_STATE_REPAIRED;
            case FAILED -> RepairState.REPAIR_STATE_FAILED;
        };
    }
}
