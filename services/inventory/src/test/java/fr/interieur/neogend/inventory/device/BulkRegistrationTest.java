package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.inventory.InventoryTestData;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.security.Caller;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Registering a delivery: all or nothing, idempotent by IMEI, every bad row named. */
class BulkRegistrationTest {

    private final InMemoryDeviceRepository repository = new InMemoryDeviceRepository();
    private final DeviceService service = new DeviceService(repository, Optional.empty());
    private final Caller fleetManager = new Caller("s", "fleet.manager", Set.of(Caller.FLEET_MANAGER),
            Optional.of("GN"), Optional.empty());

    private static NewDevice device(int n) {
        return new NewDevice(InventoryTestData.imei(n), "SN-" + n, "Rugged X5", Optional.of(DeviceKind.PHONE),
                Optional.of(PackType.SMARTPHONE_INDIVIDUAL), Optional.of("GN-RBRE"), Optional.empty());
    }

    private static List<NewDevice> delivery(int from, int count) {
        List<NewDevice> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(device(i));
        }
        return list;
    }

    @Test
    void aRepeatedDeliveryRegistersNothingTwice() {
        assertThat(service.registerAll(delivery(0, 100), fleetManager)).isEqualTo(new BulkRegistration(100, 0));
        assertThat(service.registerAll(delivery(50, 100), fleetManager)).isEqualTo(new BulkRegistration(50, 50));
        assertThat(repository.findByImeis(List.of(InventoryTestData.imei(149)))).hasSize(1);
    }

    @Test
    void oneBadRowStoresNothingAndEveryBadRowIsNamed() {
        List<NewDevice> rows = delivery(200, 5);
        rows.set(1, new NewDevice("490154203237519", "SN-X", "Rugged X5", Optional.of(DeviceKind.PHONE),
                Optional.empty(), Optional.empty(), Optional.empty()));
        rows.set(3, device(200)); // the same IMEI and serial as row 0
        var e = catchThrowableOfType(InvalidArgumentException.class, () -> service.registerAll(rows, fleetManager));
        assertThat(e.violations()).extracting(InvalidArgumentException.Violation::field)
                .containsExactly("devices[1].imei", "devices[3].imei", "devices[3].serial_number");
        assertThat(repository.findByImeis(List.of(InventoryTestData.imei(200)))).isEmpty();
    }

    @Test
    void aKnownImeiWithOtherDataOrATakenSerialIsRefused() {
        service.registerAll(delivery(300, 2), fleetManager);
        List<NewDevice> rows = new ArrayList<>(delivery(302, 2));
        rows.add(new NewDevice(InventoryTestData.imei(300), "OTHER", "Rugged X5", Optional.of(DeviceKind.PHONE),
                Optional.empty(), Optional.empty(), Optional.empty()));
        rows.add(new NewDevice(InventoryTestData.imei(399), "SN-301", "Rugged X5", Optional.of(DeviceKind.PHONE),
                Optional.empty(), Optional.empty(), Optional.empty()));
        var e = catchThrowableOfType(InvalidArgumentException.class, () -> service.registerAll(rows, fleetManager));
        assertThat(e.violations()).extracting(InvalidArgumentException.Violation::field)
                .containsExactly("devices[2].imei", "devices[3].serial_number");
        assertThat(repository.findByImeis(List.of(InventoryTestData.imei(302)))).isEmpty();
    }

    @Test
    void emptyAndOversizedDeliveriesAreRefused() {
        assertThat(catchThrowableOfType(InvalidArgumentException.class,
                () -> service.registerAll(List.of(), fleetManager)).violations().get(0).field()).isEqualTo("devices");
        assertThat(catchThrowableOfType(InvalidArgumentException.class,
                () -> service.registerAll(delivery(0, DeviceService.MAX_BULK + 1), fleetManager)).getMessage())
                .contains("at most 20000");
    }
}
