package fr.interieur.neogend.inventory;

import com.google.rpc.BadRequest;
import fr.interieur.neogend.inventory.v1.CountDevicesRequest;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesResponse;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static fr.interieur.neogend.testkit.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** The whole inventory service over gRPC against real PostgreSQL. */
@ServiceIT
class InventoryServiceIT {

    @LocalServerPort
    int httpPort;

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        fleetManager = as(TestTokens.fleetManager());
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    InventoryServiceBlockingStub as(String token) {
        return clients.as(token, InventoryServiceGrpc::newBlockingStub);
    }

    @Test
    void registeredDeviceIsStoredInStockAndReadBack() {
        var stored =
                fleetManager.registerDevice(register(phone(1, "GN-RBRE-GGD35"))).getDevice();
        assertThat(stored.getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(stored.getCreateTime().getSeconds()).isPositive();

        var read = fleetManager
                .getDevice(GetDeviceRequest.newBuilder().setImei(imei(1)).build())
                .getDevice();
        assertThat(read).isEqualTo(stored);
        assertThat(jdbc.sql("select created_by from device where imei = ?")
                        .param(imei(1))
                        .query(String.class)
                        .single())
                .isEqualTo("fleet.manager");
    }

    /**
     * Who did what is recorded under the username, in at most 100 characters; Keycloak allows 255. A longer one
     * had its write fail as an internal error; it is refused before anything is done, saying why, and a username
     * of 100 characters (accents counted once) writes as any other.
     */
    @Test
    void aUsernameLongerThanThePlatformRecordsIsRefusedClearlyNeverAnInternalError() {
        var longest = as(TestTokens.user("é".repeat(100), "fleet-manager", "GN"));
        assertThat(longest.registerDevice(register(phone(90, "GN-RBRE-GGD35")))
                        .getDevice()
                        .getImei())
                .isEqualTo(imei(90));
        var tooLong = as(TestTokens.user("fleet.manager." + "x".repeat(187), "fleet-manager", "GN"));
        assertStatus(
                () -> tooLong.registerDevice(register(phone(91, "GN-RBRE-GGD35"))),
                Status.Code.PERMISSION_DENIED,
                "the account's username is over 100 characters");
        assertStatus(
                () -> fleetManager.getDevice(fr.interieur.neogend.inventory.v1.GetDeviceRequest.newBuilder()
                        .setImei(imei(91))
                        .build()),
                Status.Code.NOT_FOUND,
                "no device");
    }

    @Test
    void aModelIsWrittenWithoutInvisibleCharactersSoASerialCannotBeRegisteredTwiceUnderALookAlike() {
        fleetManager.registerDevice(register(phone(95, "GN-RBRE-GGD35").setSerialNumber("SN-LOOK")));
        for (String lookAlike :
                new String[] {"Rugged X5\u200b", "Rugged\u00a0X5", "Rugged\u2009X5", "\ufeffRugged X5"}) {
            assertStatus(
                    () -> fleetManager.registerDevice(register(phone(96, "GN-RBRE-GGD35")
                            .setSerialNumber("SN-LOOK")
                            .setModel(lookAlike))),
                    Status.Code.INVALID_ARGUMENT,
                    "device.model");
        }
        assertStatus(
                () -> fleetManager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(96)).build()),
                Status.Code.NOT_FOUND,
                imei(96));
        // accents and other scripts are names like any other
        assertThat(fleetManager
                        .registerDevice(register(phone(97, "GN-RBRE-GGD35").setModel("Robuste Été X5")))
                        .getDevice()
                        .getModel())
                .isEqualTo("Robuste Été X5");
    }

    /**
     * Rule 7 again, by the model: "Robuste Été X5" with its accents decomposed (E + U+0301, as some keyboards and
     * macOS file names write it) or with two spaces where one is (a web page shows both alike) is the same model
     * on screen and another one in the database — the serial already registered would go in a second time.
     */
    @Test
    void aModelWrittenWithDecomposedAccentsOrDoubledSpacesIsRefusedSoASerialIsNotRegisteredTwiceUnderIt()
            throws Exception {
        fleetManager.registerDevice(
                register(phone(95, "GN-RBRE-GGD35").setSerialNumber("SN-LOOK").setModel("Robuste Été X5")));
        List<String> lookAlikes = List.of("Robuste E\u0301te\u0301 X5", "Robuste  Été X5", "Robuste Été  X5");
        for (String lookAlike : lookAlikes) {
            assertStatus(
                    () -> fleetManager.registerDevice(register(phone(96, "GN-RBRE-GGD35")
                            .setSerialNumber("SN-LOOK")
                            .setModel(lookAlike))),
                    Status.Code.INVALID_ARGUMENT,
                    "device.model");
            StatusRuntimeException e = catchStatus(() ->
                    fleetManager.registerDevices(fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                            .addDevices(phone(97, "GN-RBRE-GGD35")
                                    .setSerialNumber("SN-LOOK")
                                    .setModel(lookAlike))
                            .build()));
            assertThat(e.getStatus().getCode()).as(lookAlike).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(violations(e)).as(lookAlike).anyMatch(v -> v.startsWith("devices[0].model: "));
        }
        for (int n : new int[] {96, 97}) {
            assertStatus(
                    () -> fleetManager.getDevice(
                            GetDeviceRequest.newBuilder().setImei(imei(n)).build()),
                    Status.Code.NOT_FOUND,
                    imei(n));
        }
        assertThat(jdbc.sql("select count(*) from device where serial_number = 'SN-LOOK'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);
    }

    @Test
    void aModelWrittenInAnotherCaseIsTheModelTheFleetKnowsSoASerialIsNotRegisteredTwiceUnderIt() throws Exception {
        fleetManager.registerDevice(
                register(phone(95, "GN-RBRE-GGD35").setSerialNumber("SN-CASE").setModel("Rugged X5")));
        for (String otherCase : List.of("RUGGED X5", "rugged x5")) {
            assertStatus(
                    () -> fleetManager.registerDevice(register(phone(96, "GN-RBRE-GGD35")
                            .setSerialNumber("SN-CASE")
                            .setModel(otherCase))),
                    Status.Code.INVALID_ARGUMENT,
                    "device.model");
            StatusRuntimeException e = catchStatus(() ->
                    fleetManager.registerDevices(fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                            .addDevices(phone(97, "GN-RBRE-GGD35")
                                    .setSerialNumber("sn-case")
                                    .setModel(otherCase))
                            .build()));
            assertThat(e.getStatus().getCode()).as(otherCase).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(violations(e))
                    .as(otherCase)
                    .anyMatch(v -> v.startsWith("devices[0].model: ") && v.contains("Rugged X5"));
        }
        // another device of the model, written in another case, is refused too: the fleet holds one spelling
        assertStatus(
                () -> fleetManager.registerDevice(
                        register(phone(98, "GN-RBRE-GGD35").setModel("RUGGED X5"))),
                Status.Code.INVALID_ARGUMENT,
                "Rugged X5");
        for (int n : new int[] {96, 97, 98}) {
            assertStatus(
                    () -> fleetManager.getDevice(
                            GetDeviceRequest.newBuilder().setImei(imei(n)).build()),
                    Status.Code.NOT_FOUND,
                    imei(n));
        }
        assertThat(jdbc.sql("select count(*) from device where upper(serial_number) = 'SN-CASE'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);
        // accented letters have a case too, whatever the database's locale
        fleetManager.registerDevice(
                register(phone(77, "GN-RBRE-GGD35").setSerialNumber("SN-ACC").setModel("Robuste Été X5")));
        assertStatus(
                () -> fleetManager.registerDevice(register(
                        phone(76, "GN-RBRE-GGD35").setSerialNumber("SN-ACC").setModel("ROBUSTE ÉTÉ X5"))),
                Status.Code.INVALID_ARGUMENT,
                "Robuste Été X5");
        // a delivery naming a model new to the fleet in two spellings is refused at its second row
        StatusRuntimeException twoSpellings = catchStatus(
                () -> fleetManager.registerDevices(fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                        .addDevices(phone(99, "GN-RBRE-GGD35").setModel("Rugged X9"))
                        .addDevices(phone(98, "GN-RBRE-GGD35").setModel("RUGGED X9"))
                        .build()));
        assertThat(twoSpellings.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(twoSpellings)).anyMatch(v -> v.startsWith("devices[1].model: "));
    }

    /** Two registrations at once of one serial under two spellings of a model new to the fleet: one device. */
    @Test
    void oneSerialRegisteredAtOnceUnderTwoCasesOfANewModelIsOneDevice() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String serial = "RACE-MODEL-" + round;
                String model = "Racer X" + round;
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<String>> both = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    int n = 200 + 2 * round + k;
                    String written = k == 0 ? model : model.toUpperCase(java.util.Locale.ROOT);
                    both.add(pool.submit(() -> {
                        together.await();
                        try {
                            fleetManager.registerDevice(register(
                                    phone(n, null).setSerialNumber(serial).setModel(written)));
                            return "OK";
                        } catch (StatusRuntimeException refused) {
                            return refused.getStatus().getCode().name();
                        }
                    }));
                }
                List<String> outcomes = new ArrayList<>();
                for (var f : both) {
                    outcomes.add(f.get());
                }
                assertThat(outcomes).as("round " + round).containsOnlyOnce("OK");
                assertThat(jdbc.sql("select count(*) from device where serial_number = ?")
                                .param(serial)
                                .query(Long.class)
                                .single())
                        .as("round " + round)
                        .isEqualTo(1);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aDeviceGoesOnlyIntoAPackOfItsKind() {
        // a phone in a collective tablet pack would be held by a unit and billed at the tablet's price
        assertStatus(
                () -> fleetManager.registerDevice(
                        register(phone(90, "GN-RBRE-GGD35").setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE))),
                Status.Code.INVALID_ARGUMENT,
                "device.pack_type");
        assertStatus(
                () -> fleetManager.registerDevice(register(phone(91, "GN-RBRE-GGD35")
                        .setKind(DeviceKind.DEVICE_KIND_TABLET)
                        .setModel("Field Tab 10"))),
                Status.Code.INVALID_ARGUMENT,
                "a SMARTPHONE_INDIVIDUAL pack holds a PHONE, not a TABLET");
        assertStatus(
                () -> fleetManager.registerDevices(fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                        .addDevices(phone(92, "GN-RBRE-GGD35"))
                        .addDevices(phone(93, "GN-RBRE-GGD35").setPackType(PackType.PACK_TYPE_TABLET_INDIVIDUAL))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "devices[1].pack_type");
        for (int n : new int[] {90, 91, 92, 93}) {
            assertStatus(
                    () -> fleetManager.getDevice(
                            GetDeviceRequest.newBuilder().setImei(imei(n)).build()),
                    Status.Code.NOT_FOUND,
                    imei(n));
        }
        assertThat(fleetManager
                        .registerDevice(register(phone(94, "GN-RBRE-GGD35")
                                .setKind(DeviceKind.DEVICE_KIND_TABLET)
                                .setModel("Field Tab 10")
                                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)))
                        .getDevice()
                        .getPackId())
                .startsWith("PK-");
    }

    @Test
    void duplicateImeiOrSerialIsAlreadyExists() {
        fleetManager.registerDevice(register(phone(2, null)));
        assertStatus(
                () -> fleetManager.registerDevice(register(phone(2, null).setSerialNumber("OTHER"))),
                Status.Code.ALREADY_EXISTS,
                "IMEI " + imei(2));
        assertStatus(
                () -> fleetManager.registerDevice(register(phone(3, null).setSerialNumber("SN-2"))),
                Status.Code.ALREADY_EXISTS,
                "serial number SN-2");
    }

    @Test
    void aSerialIsUniquePerModelWhateverItsCaseAndIsWrittenWithoutSpacesOrLookAlikes() throws Exception {
        fleetManager.registerDevice(register(phone(2, null)));
        assertStatus(
                () -> fleetManager.registerDevice(register(phone(3, null).setSerialNumber("sn-2"))),
                Status.Code.ALREADY_EXISTS,
                "serial number sn-2");
        for (String lookAlike : List.of("SN-2 ", " SN-2", "SN -2", "\uFF33\uFF2E-2", "SN\u200B-2")) {
            assertStatus(
                    () -> fleetManager.registerDevice(register(phone(3, null).setSerialNumber(lookAlike))),
                    Status.Code.INVALID_ARGUMENT,
                    "serial_number");
        }
        assertStatus(
                () -> fleetManager.registerDevice(register(phone(3, null).setModel("Rugged X5 "))),
                Status.Code.INVALID_ARGUMENT,
                "device.model");
        // in a delivery: against the fleet, and within the delivery itself
        var delivery = fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                .addDevices(phone(4, null).setSerialNumber("Sn-2"))
                .addDevices(phone(5, null).setSerialNumber("ab-5"))
                .addDevices(phone(6, null).setSerialNumber("AB-5"));
        StatusRuntimeException e = catchStatus(() -> fleetManager.registerDevices(delivery.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(e))
                .contains(
                        "devices[0].serial_number: is registered already for IMEI " + imei(2),
                        "devices[2].serial_number: repeats devices[1]");
        // the same registration again, whatever the case it is written in, counts as done
        var again = fleetManager.registerDevices(fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                .addDevices(phone(2, null).setSerialNumber("sn-2"))
                .build());
        assertThat(again.getAlreadyRegisteredCount()).isEqualTo(1);

        // two registrations at the same moment differing only by case: one device
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String serial = "RACE-" + round;
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<String>> both = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    int n = 100 + 2 * round + k;
                    String written = k == 0 ? serial : serial.toLowerCase(java.util.Locale.ROOT);
                    both.add(pool.submit(() -> {
                        together.await();
                        try {
                            fleetManager.registerDevice(register(phone(n, null).setSerialNumber(written)));
                            return "OK";
                        } catch (StatusRuntimeException refused) {
                            return refused.getStatus().getCode().name();
                        }
                    }));
                }
                List<String> outcomes = new ArrayList<>();
                for (var f : both) {
                    outcomes.add(f.get());
                }
                assertThat(outcomes).as("round " + round).containsOnlyOnce("OK");
                assertThat(jdbc.sql("select count(*) from device where upper(serial_number) = ?")
                                .param(serial)
                                .query(Long.class)
                                .single())
                        .isEqualTo(1);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void deliveryIsRegisteredOnceAndABadRowStoresNothing() throws Exception {
        var batch = fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder();
        for (int i = 1000; i < 3000; i++) {
            batch.addDevices(phone(i, "GN-RBRE"));
        }
        var first = fleetManager.registerDevices(batch.build());
        assertThat(first.getRegisteredCount()).isEqualTo(2000);
        var again = fleetManager.registerDevices(batch.build());
        assertThat(again.getRegisteredCount()).isZero();
        assertThat(again.getAlreadyRegisteredCount()).isEqualTo(2000);

        var bad = fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                .addDevices(phone(3000, null))
                .addDevices(phone(3001, null).setImei("12345"))
                .addDevices(phone(1000, null).setSerialNumber("CHANGED"));
        // a malformed IMEI and a device already in the fleet on other terms: both named in one answer
        StatusRuntimeException e = catchStatus(() -> fleetManager.registerDevices(bad.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        BadRequest details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("devices[1].imei", "devices[2].imei");
        var conflict = fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder()
                .addDevices(phone(3000, null))
                .addDevices(phone(1000, null).setSerialNumber("CHANGED"));
        e = catchStatus(() -> fleetManager.registerDevices(conflict.build()));
        details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("devices[1].imei");
        assertThat(jdbc.sql("select count(*) from device where imei = ?")
                        .param(imei(3000))
                        .query(Long.class)
                        .single())
                .isZero();
        assertStatus(
                () -> as(TestTokens.auditor()).registerDevices(batch.build()),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
    }

    @Test
    void aDeliveryFullOfBadRowsStillGetsAnAnswerThatFitsInTrailers() throws Exception {
        var bad = fr.interieur.neogend.inventory.v1.RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 5000; i++) {
            bad.addDevices(phone(5000 + i, null).setImei(String.format("9%015d", i))); // 16 digits
        }
        StatusRuntimeException e = catchStatus(() -> fleetManager.registerDevices(bad.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("5000 problems in all");
        BadRequest details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsCount()).isEqualTo(10); // the first ten: trailers stay small
        assertThat(details.getFieldViolations(0).getField()).isEqualTo("devices[0].imei");
    }

    @Test
    void invalidDeviceNamesEveryBadField() throws Exception {
        var bad = phone(4, null).setImei("490154203237519").setSerialNumber("").setUnitCode("gn rbre");
        StatusRuntimeException e = catchStatus(() -> fleetManager.registerDevice(register(bad)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        BadRequest details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("device.imei", "device.serial_number", "device.unit_code");
    }

    @Test
    void listFiltersAndPagesThroughEverything() {
        for (int i = 10; i < 35; i++) {
            var d = phone(i, i % 2 == 0 ? "GN-RBRE-GGD35" : "GN-RIDF");
            if (i % 5 == 0) {
                d.setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE).setKind(DeviceKind.DEVICE_KIND_TABLET);
            }
            fleetManager.registerDevice(register(d));
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListDevicesResponse page = fleetManager.listDevices(ListDevicesRequest.newBuilder()
                    .setState(DeviceState.DEVICE_STATE_IN_STOCK)
                    .setPageSize(7)
                    .setPageToken(token)
                    .build());
            page.getDevicesList().forEach(d -> seen.add(d.getImei()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(4);
        assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();

        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setUnitCode("GN-RBRE")
                                .build())
                        .getDevicesCount())
                .isEqualTo(13);
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)
                                .build())
                        .getDevicesCount())
                .isEqualTo(5);
        assertThat(fleetManager
                        .listDevices(ListDevicesRequest.newBuilder()
                                .setState(DeviceState.DEVICE_STATE_STOLEN)
                                .build())
                        .getDevicesCount())
                .isZero();
    }

    @Test
    void countsPerStateAndUnitStayInsideTheCallersReach() {
        for (int i = 70; i < 76; i++) {
            fleetManager.registerDevice(register(phone(i, i < 73 ? "GN-RBRE-GGD35" : "GN-RIDF")));
        }
        fleetManager.registerDevice(register(phone(76, null)));
        fleetManager.registerDevice(register(phone(77, "GN-RIDF")
                .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE)
                .setKind(DeviceKind.DEVICE_KIND_TABLET)));
        jdbc.sql("update device set state = 'STOLEN' where imei = ?")
                .param(imei(70))
                .update();

        var all = fleetManager.countDevices(CountDevicesRequest.getDefaultInstance());
        assertThat(all.getTotal()).isEqualTo(8);
        assertThat(all.getByStateList())
                .extracting(s -> s.getState() + "=" + s.getCount())
                .containsExactly("DEVICE_STATE_IN_STOCK=7", "DEVICE_STATE_STOLEN=1");
        assertThat(all.getByUnitList())
                .extracting(u -> u.getUnitCode() + "=" + u.getCount())
                .containsExactly("=1", "GN-RBRE-GGD35=3", "GN-RIDF=4");
        assertThat(all.getByPackTypeList())
                .extracting(t -> t.getPackType() + "=" + t.getCount())
                .containsExactlyInAnyOrder("PACK_TYPE_SMARTPHONE_INDIVIDUAL=7", "PACK_TYPE_TABLET_COLLECTIVE=1");

        var mine = as(TestTokens.unitManager("GN-RBRE")).countDevices(CountDevicesRequest.getDefaultInstance());
        assertThat(mine.getTotal()).isEqualTo(3);
        assertThat(mine.getByUnitList()).extracting(u -> u.getUnitCode()).containsExactly("GN-RBRE-GGD35");
        assertThat(mine.getByPackTypeList())
                .extracting(t -> t.getPackType() + "=" + t.getCount())
                .containsExactly("PACK_TYPE_SMARTPHONE_INDIVIDUAL=3");
        assertStatus(
                () -> as(TestTokens.unitManager("GN-RBRE"))
                        .countDevices(CountDevicesRequest.newBuilder()
                                .setUnitCode("GN-RIDF")
                                .build()),
                Status.Code.PERMISSION_DENIED,
                "outside your unit");
        // a unit manager whose unit does not exist sees nothing (deny by default)
        assertThat(as(TestTokens.unitManager("GN-NOWHERE"))
                        .countDevices(CountDevicesRequest.getDefaultInstance())
                        .getTotal())
                .isZero();
    }

    @Test
    void theThreeCountsAddUpWhileDevicesArrive() throws Exception {
        // a dashboard shows the total, the states, the units and the pack types side by side: read while
        // devices are registered one by one, they must always describe the same devices
        int arriving = 120;
        var writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        var written = writer.submit(() -> {
            for (int i = 0; i < arriving; i++) {
                fleetManager.registerDevice(register(phone(4000 + i, i % 3 == 0 ? null : "GN-RIDF")));
            }
            return arriving;
        });
        int reads = 0;
        List<String> disagreements = new ArrayList<>();
        try {
            while (!written.isDone() || reads == 0) {
                var counts = fleetManager.countDevices(CountDevicesRequest.getDefaultInstance());
                long byState = counts.getByStateList().stream()
                        .mapToLong(c -> c.getCount())
                        .sum();
                long byUnit = counts.getByUnitList().stream()
                        .mapToLong(c -> c.getCount())
                        .sum();
                long byPackType = counts.getByPackTypeList().stream()
                        .mapToLong(c -> c.getCount())
                        .sum();
                if (byState != counts.getTotal() || byUnit != counts.getTotal() || byPackType != counts.getTotal()) {
                    disagreements.add("total " + counts.getTotal() + ", states " + byState + ", units " + byUnit
                            + ", pack types " + byPackType);
                }
                reads++;
            }
            assertThat(written.get()).isEqualTo(arriving);
        } finally {
            writer.shutdownNow();
        }
        System.out.printf("%d count reads while %d devices arrived%n", reads, arriving);
        assertThat(disagreements).isEmpty();
        assertThat(fleetManager
                        .countDevices(CountDevicesRequest.getDefaultInstance())
                        .getTotal())
                .isEqualTo(arriving);
    }

    @Test
    void pageTokenIsBoundToItsFilters() {
        for (int i = 40; i < 43; i++) {
            fleetManager.registerDevice(register(phone(i, "GN-RBRE")));
        }
        String token = fleetManager
                .listDevices(ListDevicesRequest.newBuilder().setPageSize(1).build())
                .getNextPageToken();
        assertStatus(
                () -> fleetManager.listDevices(ListDevicesRequest.newBuilder()
                        .setUnitCode("GN-RBRE")
                        .setPageToken(token)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "other filters");
        assertStatus(
                () -> fleetManager.listDevices(
                        ListDevicesRequest.newBuilder().setPageToken("garbage!").build()),
                Status.Code.INVALID_ARGUMENT,
                "page_token");
        assertStatus(
                () -> fleetManager.listDevices(
                        ListDevicesRequest.newBuilder().setPageSize(-1).build()),
                Status.Code.INVALID_ARGUMENT,
                "page_size");
    }

    @Test
    void unitManagerSeesOnlyItsSubtree() {
        fleetManager.registerDevice(register(phone(50, "GN-RBRE-GGD35-CIE1")));
        fleetManager.registerDevice(register(phone(51, "GN-RIDF")));
        fleetManager.registerDevice(register(phone(52, null)));
        var manager = as(TestTokens.unitManager("GN-RBRE-GGD35"));

        assertThat(manager.listDevices(ListDevicesRequest.getDefaultInstance()).getDevicesList())
                .extracting(d -> d.getImei())
                .containsExactly(imei(50));
        assertThat(manager.getDevice(
                                GetDeviceRequest.newBuilder().setImei(imei(50)).build())
                        .getDevice()
                        .getUnitCode())
                .isEqualTo("GN-RBRE-GGD35-CIE1");
        assertStatus(
                () -> manager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(51)).build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertStatus(
                () -> manager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(52)).build()),
                Status.Code.NOT_FOUND,
                "no device");
        assertStatus(
                () -> manager.listDevices(
                        ListDevicesRequest.newBuilder().setUnitCode("GN-RIDF").build()),
                Status.Code.PERMISSION_DENIED,
                "outside your unit");
        // a sibling whose code merely starts with the same letters is outside the subtree
        fleetManager.registerDevice(register(phone(53, "GN-RBRE-GGD350")));
        assertStatus(
                () -> manager.getDevice(
                        GetDeviceRequest.newBuilder().setImei(imei(53)).build()),
                Status.Code.NOT_FOUND,
                "no device");
    }

    @Test
    void tokensAndRolesAreCheckedOnEveryCall() {
        var anonymous = InventoryServiceGrpc.newBlockingStub(clients.channel());
        var get = GetDeviceRequest.newBuilder().setImei(imei(1)).build();
        assertStatus(() -> anonymous.getDevice(get), Status.Code.UNAUTHENTICATED, "bearer token is required");
        assertStatus(() -> as(TestTokens.expired()).getDevice(get), Status.Code.UNAUTHENTICATED, "not valid");
        assertStatus(() -> as(TestTokens.foreignSigned()).getDevice(get), Status.Code.UNAUTHENTICATED, "not valid");
        assertStatus(() -> as(TestTokens.otherAudience()).getDevice(get), Status.Code.UNAUTHENTICATED, "not valid");
        assertStatus(
                () -> as(TestTokens.auditor()).registerDevice(register(phone(60, null))),
                Status.Code.PERMISSION_DENIED,
                "fleet-manager");
        assertStatus(() -> as(TestTokens.supplier("SUP-DEMO")).getDevice(get), Status.Code.PERMISSION_DENIED, "roles");
        assertStatus(
                () -> as(TestTokens.supplier("SUP-DEMO")).listDevices(ListDevicesRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED,
                "roles");
        assertThat(as(TestTokens.auditor())
                        .listDevices(ListDevicesRequest.getDefaultInstance())
                        .getDevicesCount())
                .isZero();
    }

    @Test
    void healthIsOpenForProbes() throws Exception {
        GrpcAssertions.assertHealthServing(clients.channel());
        HttpClient http = HttpClient.newHttpClient();
        var ready = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        var other = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/env"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isIn(401, 403, 404);
    }

    /** "field: description" of each violation an INVALID_ARGUMENT names. */
    private static List<String> violations(StatusRuntimeException e) throws Exception {
        return StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class).getFieldViolationsList().stream()
                .map(v -> v.getField() + ": " + v.getDescription())
                .toList();
    }

    private static StatusRuntimeException catchStatus(Runnable call) {
        return GrpcAssertions.failure(call);
    }
}
