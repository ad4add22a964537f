package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.device.Imei;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;

/** Devices for tests: valid by default, each with a distinct IMEI and serial number. */
public final class InventoryTestData {

    private InventoryTestData() {
    }

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
                .setRomBuild("neogend/x5/13:TQ3A.230901/2026.11:user/release-keys");
        if (unitCode != null) {
            b.setUnitCode(unitCode);
        }
        return b;
    }

    public static RegisterDeviceRequest register(Device.Builder device) {
        return RegisterDeviceRequest.newBuilder().setDevice(device).build();
    }
}
