package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.CreateUnitRequest;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.inventory.v1.Unit;
import fr.interieur.neogend.inventory.v1.UnitLevel;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.testkit.OrderStandIn;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Devices for tests: valid by default, each with a distinct IMEI and serial number. */
public final class InventoryTestData {

    private InventoryTestData() {}

    /** A valid IMEI numbered {@code n}. */
    public static String imei(int n) {
        String body = String.format("35%012d", n);
        return body + Imei.checkDigit(body);
    }

    public static Device.Builder phone(int n, String unitCode) {
        Device.Builder b = Device.newBuilder()
                .setImei(imei(n))
                .setSerialNumber("SN-" + n)
                .setModel("Rugged X5")
                .setKind(DeviceKind.DEVICE_KIND_PHONE)
                .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL)
                .setAgreementId(OrderStandIn.AGREEMENT)
                .setRomBuild("neogend/x5/13:TQ3A.230901/2026.11:user/release-keys");
        if (unitCode != null) {
            b.setUnitCode(unitCode);
        }
        return b;
    }

    /**
     * Empties the inventory and creates the test tree through the API: GN (national) → GN-RBRE
     * (region) → GN-RBRE-GGD35 (groupement) → GN-RBRE-GGD35-CIE1 (compagnie) → GN-RBRE-GGD35-CIE1-BR1
     * (brigade); GN-RBRE-GGD350 (a groupement whose code merely starts like GN-RBRE-GGD35); GN-RIDF
     * (region); PN (national) → PN-DDSP35 (direction).
     */
    public static void resetWithUnitTree(
            JdbcClient jdbc, InventoryServiceGrpc.InventoryServiceBlockingStub fleetManager) {
        jdbc.sql("delete from history").update();
        jdbc.sql("delete from outbox").update();
        jdbc.sql("delete from pack_agreement").update();
        jdbc.sql("delete from pack").update();
        jdbc.sql("delete from device").update();
        jdbc.sql("delete from unit").update(); // the parent check runs at the end of the statement
        unit(fleetManager, "GN", UnitLevel.UNIT_LEVEL_NATIONAL, null);
        unit(fleetManager, "GN-RBRE", UnitLevel.UNIT_LEVEL_REGION, "GN");
        unit(fleetManager, "GN-RBRE-GGD35", UnitLevel.UNIT_LEVEL_GROUPEMENT, "GN-RBRE");
        unit(fleetManager, "GN-RBRE-GGD35-CIE1", UnitLevel.UNIT_LEVEL_COMPAGNIE, "GN-RBRE-GGD35");
        unit(fleetManager, "GN-RBRE-GGD35-CIE1-BR1", UnitLevel.UNIT_LEVEL_BRIGADE, "GN-RBRE-GGD35-CIE1");
        unit(fleetManager, "GN-RBRE-GGD350", UnitLevel.UNIT_LEVEL_GROUPEMENT, "GN-RBRE");
        unit(fleetManager, "GN-RIDF", UnitLevel.UNIT_LEVEL_REGION, "GN");
        unit(fleetManager, "PN", UnitLevel.UNIT_LEVEL_NATIONAL, null);
        unit(fleetManager, "PN-DDSP35", UnitLevel.UNIT_LEVEL_DIRECTION, "PN");
    }

    public static Unit unit(
            InventoryServiceGrpc.InventoryServiceBlockingStub stub, String code, UnitLevel level, String parent) {
        Unit.Builder u = Unit.newBuilder().setCode(code).setName("Unit " + code).setLevel(level);
        if (parent != null) {
            u.setParentCode(parent);
        }
        return stub.createUnit(CreateUnitRequest.newBuilder().setUnit(u).build())
                .getUnit();
    }

    public static RegisterDeviceRequest register(Device.Builder device) {
        return RegisterDeviceRequest.newBuilder().setDevice(device).build();
    }
}
