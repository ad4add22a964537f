package fr.interieur.neogend.inventory.grpc;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import fr.interieur.neogend.inventory.device.Device;
import fr.interieur.neogend.inventory.device.NewDevice;
import fr.interieur.neogend.inventory.device.Pack;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.unit.Unit;
import fr.interieur.neogend.inventory.v1.PackTypeCount;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;

/**
 * The contract's messages made from the domain's values, and requests read into them, for
 * {@link InventoryGrpcService}: the mapping kept out of the handlers (issue 19), so that a handler reads as
 * what it does.
 */
final class InventoryMessages {

    private InventoryMessages() {}

    static PackTypeCount typeCount(PackType type, long n) {
        return PackTypeCount.newBuilder()
                .setPackType(InventoryEnums.toProto(type))
                .setCount(n)
                .build();
    }

    static OptionalLong version(boolean present, long value) {
        return present ? OptionalLong.of(value) : OptionalLong.empty();
    }

    static Struct struct(Map<String, Object> fields) {
        Struct.Builder b = Struct.newBuilder();
        fields.forEach((k, v) -> b.putFields(k, value(v)));
        return b.build();
    }

    static Value value(Object v) {
        if (v == null) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        }
        if (v instanceof Boolean bool) {
            return Value.newBuilder().setBoolValue(bool).build();
        }
        if (v instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        if (v instanceof List<?> list) {
            ListValue.Builder l = ListValue.newBuilder();
            list.forEach(item -> l.addValues(value(item)));
            return Value.newBuilder().setListValue(l).build();
        }
        return Value.newBuilder().setStringValue(v.toString()).build();
    }

    static fr.interieur.neogend.inventory.v1.Unit toProto(Unit u) {
        var b = fr.interieur.neogend.inventory.v1.Unit.newBuilder()
                .setCode(u.code())
                .setName(u.name())
                .setLevel(InventoryEnums.toProto(u.level()))
                .addAllAncestorCodes(u.ancestorCodes())
                .setCreateTime(timestamp(u.createdAt()))
                .setUpdateTime(timestamp(u.updatedAt()))
                .setVersion(u.version());
        u.parentCode().ifPresent(b::setParentCode);
        return b.build();
    }

    static fr.interieur.neogend.inventory.v1.Pack toProto(Pack p) {
        var b = fr.interieur.neogend.inventory.v1.Pack.newBuilder()
                .setId(p.id())
                .setType(InventoryEnums.toProto(p.type()))
                .addAllAccessories(p.accessories())
                .setLeaseStart(date(p.leaseStart()))
                .setVersion(p.version());
        p.deviceImei().ifPresent(b::setDeviceImei);
        p.unitCode().ifPresent(b::setUnitCode);
        p.holderAgentId().ifPresent(b::setHolderAgentId);
        p.leaseEnd().ifPresent(d -> b.setLeaseEnd(date(d)));
        p.agreementId().ifPresent(b::setAgreementId);
        return b.build();
    }

    static NewDevice toNewDevice(fr.interieur.neogend.inventory.v1.Device d, String prefix) {
        return new NewDevice(
                d.getImei(),
                d.getSerialNumber(),
                d.getModel(),
                InventoryEnums.kind(d.getKind(), prefix + "kind"),
                InventoryEnums.packType(d.getPackType(), prefix + "pack_type"),
                text(d.getUnitCode()),
                text(d.getRomBuild()),
                text(d.getAgreementId()));
    }

    static fr.interieur.neogend.inventory.v1.Device toProto(Device d) {
        var b = fr.interieur.neogend.inventory.v1.Device.newBuilder()
                .setImei(d.imei())
                .setSerialNumber(d.serialNumber())
                .setModel(d.model())
                .setKind(InventoryEnums.toProto(d.kind()))
                .setState(InventoryEnums.toProto(d.state()))
                .setCreateTime(timestamp(d.createdAt()))
                .setUpdateTime(timestamp(d.updatedAt()))
                .setVersion(d.version());
        d.packId().ifPresent(b::setPackId);
        d.holderAgentId().ifPresent(b::setHolderAgentId);
        d.policeReport().ifPresent(b::setPoliceReportReference);
        d.packType().ifPresent(p -> b.setPackType(InventoryEnums.toProto(p)));
        d.unitCode().ifPresent(b::setUnitCode);
        d.romBuild().ifPresent(b::setRomBuild);
        d.agreementId().ifPresent(b::setAgreementId);
        d.repair().open().ifPresent(b::setRepairId);
        return b.build();
    }
}
