package fr.interieur.neogend.inventory.grpc;

import fr.interieur.neogend.inventory.device.DeviceKind;
import fr.interieur.neogend.inventory.device.DeviceState;
import fr.interieur.neogend.inventory.device.PackType;
import fr.interieur.neogend.inventory.unit.UnitLevel;
import fr.interieur.neogend.kit.error.InvalidArgumentException;

import java.util.Optional;

/**
 * The inventory's enums between the domain and the contract, as exhaustive {@code switch}es: a value
 * added on either side without its mapping does not compile (issue 19; no {@code valueOf} of a
 * concatenated name that fails at run time).
 */
final class InventoryEnums {

    private InventoryEnums() {}

    static fr.interieur.neogend.inventory.v1.DeviceState toProto(DeviceState state) {
        return switch (state) {
            case IN_STOCK -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_IN_STOCK;
            case ASSIGNED -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_ASSIGNED;
            case IN_REPAIR -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_IN_REPAIR;
            case LOST -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_LOST;
            case STOLEN -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_STOLEN;
            case PENDING_RETURN -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_PENDING_RETURN;
            case RETURNED -> fr.interieur.neogend.inventory.v1.DeviceState.DEVICE_STATE_RETURNED;
        };
    }

    /** A state asked for in a request: empty when unspecified. */
    static Optional<DeviceState> state(fr.interieur.neogend.inventory.v1.DeviceState state) {
        return switch (state) {
            case DEVICE_STATE_UNSPECIFIED -> Optional.empty();
            case DEVICE_STATE_IN_STOCK -> Optional.of(DeviceState.IN_STOCK);
            case DEVICE_STATE_ASSIGNED -> Optional.of(DeviceState.ASSIGNED);
            case DEVICE_STATE_IN_REPAIR -> Optional.of(DeviceState.IN_REPAIR);
            case DEVICE_STATE_LOST -> Optional.of(DeviceState.LOST);
            case DEVICE_STATE_STOLEN -> Optional.of(DeviceState.STOLEN);
            case DEVICE_STATE_PENDING_RETURN -> Optional.of(DeviceState.PENDING_RETURN);
            case DEVICE_STATE_RETURNED -> Optional.of(DeviceState.RETURNED);
            case UNRECOGNIZED -> throw InvalidArgumentException.of("state", "is not a known state");
        };
    }

    static fr.interieur.neogend.inventory.v1.PackType toProto(PackType type) {
        return switch (type) {
            case SMARTPHONE_INDIVIDUAL -> fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL;
            case TABLET_INDIVIDUAL -> fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_TABLET_INDIVIDUAL;
            case TABLET_COLLECTIVE -> fr.interieur.neogend.inventory.v1.PackType.PACK_TYPE_TABLET_COLLECTIVE;
        };
    }

    /** A pack type of a request: empty when unspecified. */
    static Optional<PackType> packType(fr.interieur.neogend.inventory.v1.PackType type, String field) {
        return switch (type) {
            case PACK_TYPE_SMARTPHONE_INDIVIDUAL -> Optional.of(PackType.SMARTPHONE_INDIVIDUAL);
            case PACK_TYPE_TABLET_INDIVIDUAL -> Optional.of(PackType.TABLET_INDIVIDUAL);
            case PACK_TYPE_TABLET_COLLECTIVE -> Optional.of(PackType.TABLET_COLLECTIVE);
            case PACK_TYPE_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw InvalidArgumentException.of(field, "is not a known pack type");
        };
    }

    static fr.interieur.neogend.inventory.v1.DeviceKind toProto(DeviceKind kind) {
        return switch (kind) {
            case PHONE -> fr.interieur.neogend.inventory.v1.DeviceKind.DEVICE_KIND_PHONE;
            case TABLET -> fr.interieur.neogend.inventory.v1.DeviceKind.DEVICE_KIND_TABLET;
        };
    }

    /** A kind of a request: empty when unspecified. */
    static Optional<DeviceKind> kind(fr.interieur.neogend.inventory.v1.DeviceKind kind, String field) {
        return switch (kind) {
            case DEVICE_KIND_PHONE -> Optional.of(DeviceKind.PHONE);
            case DEVICE_KIND_TABLET -> Optional.of(DeviceKind.TABLET);
            case DEVICE_KIND_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw InvalidArgumentException.of(field, "is not a known kind");
        };
    }

    static fr.interieur.neogend.inventory.v1.UnitLevel toProto(UnitLevel level) {
        return switch (level) {
            case NATIONAL -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_NATIONAL;
            case REGION -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_REGION;
            case GROUPEMENT -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_GROUPEMENT;
            case COMPAGNIE -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_COMPAGNIE;
            case BRIGADE -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_BRIGADE;
            case DIRECTION -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_DIRECTION;
            case COMMISSARIAT -> fr.interieur.neogend.inventory.v1.UnitLevel.UNIT_LEVEL_COMMISSARIAT;
        };
    }

    /** A level of a request: empty when unspecified. */
    static Optional<UnitLevel> level(fr.interieur.neogend.inventory.v1.UnitLevel level) {
        return switch (level) {
            case UNIT_LEVEL_UNSPECIFIED -> Optional.empty();
            case UNIT_LEVEL_NATIONAL -> Optional.of(UnitLevel.NATIONAL);
            case UNIT_LEVEL_REGION -> Optional.of(UnitLevel.REGION);
            case UNIT_LEVEL_GROUPEMENT -> Optional.of(UnitLevel.GROUPEMENT);
            case UNIT_LEVEL_COMPAGNIE -> Optional.of(UnitLevel.COMPAGNIE);
            case UNIT_LEVEL_BRIGADE -> Optional.of(UnitLevel.BRIGADE);
            case UNIT_LEVEL_DIRECTION -> Optional.of(UnitLevel.DIRECTION);
            case UNIT_LEVEL_COMMISSARIAT -> Optional.of(UnitLevel.COMMISSARIAT);
            case UNRECOGNIZED -> throw InvalidArgumentException.of("unit.level", "is not a known level");
        };
    }

    /** A history entry's subject as stored (DEVICE, PACK, UNIT: a check constraint) as the contract's. */
    static fr.interieur.neogend.inventory.v1.SubjectType subjectType(String stored) {
        return switch (stored) {
            case "DEVICE" -> fr.interieur.neogend.inventory.v1.SubjectType.SUBJECT_TYPE_DEVICE;
            case "PACK" -> fr.interieur.neogend.inventory.v1.SubjectType.SUBJECT_TYPE_PACK;
            case "UNIT" -> fr.interieur.neogend.inventory.v1.SubjectType.SUBJECT_TYPE_UNIT;
            default -> throw new IllegalStateException("a history subject the contract does not know: " + stored);
        };
    }
}
