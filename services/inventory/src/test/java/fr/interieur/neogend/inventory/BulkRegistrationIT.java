package fr.interieur.neogend.inventory;

import com.google.rpc.BadRequest;
import fr.interieur.neogend.inventory.v1.CheckDevicesRequest;
import fr.interieur.neogend.inventory.v1.CheckDevicesResponse;
import fr.interieur.neogend.inventory.v1.DeliveryProblem;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceKind;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesResponse;
import fr.interieur.neogend.testkit.GrpcAssertions;
import fr.interieur.neogend.testkit.OrderStandIn;
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
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk registration (rules 7 and 12's delivery of devices): one refusal names every bad row of a
 * delivery, whatever stage the service finds it at — the fields' rules, check digits, units,
 * agreements, repeats inside the file, devices and serial numbers already in the fleet — and stores
 * nothing; a file of thousands of bad rows is answered at once, with no query per row (the
 * application's statements are counted through its own data source).
 */
@ServiceIT
class BulkRegistrationIT {

    /** Every SQL statement the application prepares or runs, as text. */
    static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();

    @TestConfiguration
    static class CountedStatements {
        @Bean
        static BeanPostProcessor countStatements() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof DataSource ds && !(bean instanceof DelegatingDataSource)
                            ? new Counting(ds)
                            : bean;
                }
            };
        }
    }

    /** The application's data source, noting each statement's SQL. */
    static final class Counting extends DelegatingDataSource {
        Counting(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return counted(super.getConnection());
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return counted(super.getConnection(user, password));
        }

        private static Connection counted(Connection c) {
            return (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if ((method.getName().equals("prepareStatement")
                                        || method.getName().equals("prepareCall"))
                                && args != null
                                && args[0] instanceof String sql) {
                            STATEMENTS.add(sql);
                        }
                        try {
                            Object result = method.invoke(c, args);
                            if (result instanceof Statement s
                                    && method.getName().equals("createStatement")) {
                                return counted(s);
                            }
                            return result;
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private static Statement counted(Statement s) {
            return (Statement) Proxy.newProxyInstance(
                    Statement.class.getClassLoader(), new Class<?>[] {Statement.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("execute") && args != null && args[0] instanceof String sql) {
                            STATEMENTS.add(sql);
                        }
                        try {
                            return method.invoke(s, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    /** One bad row of a kind: the row, the field named, and words of its reason. */
    record Bad(Device.Builder row, String field, String reason) {}

    @Test
    void oneRowOfEachProblemIsNamedInOneAnswerThenTheFixedDeliveryRegisters() throws Exception {
        fleetManager.registerDevice(register(phone(7000, "GN-RBRE"))); // in the fleet
        fleetManager.registerDevice(register(phone(7001, null).clearPackType().clearAgreementId())); // a spare
        fleetManager.registerDevice(register(phone(7002, "GN-RBRE"))); // delivered again
        String luhnless = imei(7103).substring(0, 14) + ((imei(7103).charAt(14) - '0' + 1) % 10);
        // problems the service used to find in a first pass, and those it found only once they were fixed
        List<Bad> first = List.of(
                new Bad(phone(7101, "GN-RBRE").setImei(luhnless), "imei", "check digit"),
                new Bad(phone(7102, "GN-RBRE").setImei(imei(7100)), "imei", "repeats devices[0]"),
                new Bad(
                        phone(7103, "GN-RBRE").setImei(imei(7000)).setSerialNumber("SN-OTHER"),
                        "imei",
                        "is registered already as Rugged X5 serial SN-7000"),
                new Bad(
                        phone(7104, "GN-RBRE").setSerialNumber("SN-7000"),
                        "serial_number",
                        "is registered already for IMEI " + imei(7000)),
                new Bad(phone(7105, "GN-RBRE").setSerialNumber("SN-7100"), "serial_number", "repeats devices[0]"),
                new Bad(phone(7106, "GN-NOPE"), "unit_code", "does not exist"),
                new Bad(phone(7107, "GN-RBRE").setAgreementId("AC-NOPE"), "agreement_id", "does not exist"),
                new Bad(phone(7108, "GN-RBRE").setAgreementId(OrderStandIn.ENDED), "agreement_id", "is not in force"),
                new Bad(
                        phone(7109, "GN-RBRE").setImei(imei(7001)).setSerialNumber("SN-7001"),
                        "imei",
                        "is in the fleet already (IN_STOCK, a spare)"),
                new Bad(phone(7110, "GN-RBRE").clearKind(), "kind", "is required"));
        List<Bad> second = List.of(
                new Bad(phone(7111, "gn rbre"), "unit_code", "upper-case"),
                new Bad(phone(7112, "GN-RBRE").clearPackType(), "agreement_id", "spare"),
                new Bad(phone(7113, "GN-RBRE").clearAgreementId(), "agreement_id", "is required with a pack type"),
                // what the fields' rules refuse, judged with the rest (it used to stop at the door alone)
                new Bad(phone(7114, "GN-RBRE").setModel("Rugged\u0007X5"), "model", "control"),
                new Bad(phone(7115, "GN-RBRE").setSerialNumber("S".repeat(65)), "serial_number", "65"),
                new Bad(phone(7116, "GN-RBRE").setKindValue(99), "kind", ""),
                new Bad(phone(7117, "GN-RBRE").setPackTypeValue(42), "pack_type", ""),
                new Bad(phone(7118, "GN-RBRE").setRomBuild("bâtiment"), "rom_build", ""));

        for (List<Bad> bads : List.of(first, second)) {
            StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.registerDevices(delivery(bads)));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            List<BadRequest.FieldViolation> named = StatusProto.fromThrowable(e)
                    .getDetails(0)
                    .unpack(BadRequest.class)
                    .getFieldViolationsList();
            // row 0 is sound, so is the last one (a repeat of a registration); every other row is named, once
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < bads.size(); i++) {
                expected.add("devices[" + (i + 1) + "]." + bads.get(i).field());
            }
            assertThat(named).extracting(BadRequest.FieldViolation::getField).containsExactlyElementsOf(expected);
            for (int i = 0; i < bads.size(); i++) {
                assertThat(named.get(i).getDescription())
                        .as(expected.get(i))
                        .containsIgnoringCase(bads.get(i).reason());
            }
        }
        // both together: one answer counts all 18 (the first 10 are spelt out: trailers stay small)
        List<Bad> all = new ArrayList<>(first);
        all.addAll(second);
        StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.registerDevices(delivery(all)));
        assertThat(e.getStatus().getDescription()).contains("(18 problems in all)");
        assertThat(StatusProto.fromThrowable(e)
                        .getDetails(0)
                        .unpack(BadRequest.class)
                        .getFieldViolationsCount())
                .isEqualTo(10);
        assertThat(jdbc.sql("select count(*) from device").query(Long.class).single())
                .isEqualTo(3);

        // the file fixed: every row registers, the repeated one counts as done
        RegisterDevicesRequest.Builder fixed =
                RegisterDevicesRequest.newBuilder().addDevices(phone(7100, "GN-RBRE"));
        for (int i = 0; i < all.size(); i++) {
            fixed.addDevices(phone(7101 + i, "GN-RBRE"));
        }
        fixed.addDevices(phone(7002, "GN-RBRE"));
        RegisterDevicesResponse done = fleetManager.registerDevices(fixed.build());
        assertThat(done.getRegisteredCount()).isEqualTo(19);
        assertThat(done.getAlreadyRegisteredCount()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from pack").query(Long.class).single())
                .isEqualTo(21);
    }

    @Test
    void fiveThousandBadRowsAreAnsweredAtOnceWithTheFirstProblemsAndTheirCountAndNoQueryPerRow() throws Exception {
        RegisterDevicesRequest.Builder fleet = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 2000; i++) {
            fleet.addDevices(phone(10_000 + i, "GN-RBRE"));
        }
        fleetManager.registerDevices(fleet.build());

        // 5,000 rows, each bad in a way that needs the fleet, the units or the agreements to see
        RegisterDevicesRequest.Builder bad = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 5000; i++) {
            Device.Builder row = phone(20_000 + i, "GN-RBRE");
            switch (i % 5) {
                case 0 -> row.setImei(imei(10_000 + i % 2000)).setSerialNumber("OTHER-" + i); // IMEI in the fleet
                case 1 -> row.setSerialNumber("SN-" + (10_000 + i % 2000)); // serial in the fleet
                case 2 -> row.setUnitCode("GN-NOPE-" + i); // no such unit
                case 3 -> row.setAgreementId("AC-NOPE-" + i); // no such agreement
                default -> row.setKind(DeviceKind.DEVICE_KIND_UNSPECIFIED); // no kind
            }
            bad.addDevices(row);
        }
        RegisterDevicesRequest request = bad.build();
        STATEMENTS.clear();
        long start = System.nanoTime();
        StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.registerDevices(request));
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> statements = List.copyOf(STATEMENTS);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("(5000 problems in all)");
        BadRequest details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly(
                        "devices[0].imei",
                        "devices[1].serial_number",
                        "devices[2].unit_code",
                        "devices[3].agreement_id",
                        "devices[4].kind",
                        "devices[5].imei",
                        "devices[6].serial_number",
                        "devices[7].unit_code",
                        "devices[8].agreement_id",
                        "devices[9].kind");
        // one query for the IMEIs (= any), one for the serial numbers, one for the units; nothing per row
        List<String> application =
                statements.stream().filter(s -> !s.contains("outbox")).toList();
        assertThat(application).as("statements: %s", application).hasSizeLessThanOrEqualTo(8);
        assertThat(application).filteredOn(s -> s.contains("imei = any(")).hasSize(1);
        // a thousand unknown agreements: only the first ten are asked of the order service
        assertThat(details.getFieldViolations(3).getDescription()).contains("does not exist");
        System.out.printf("5,000 bad rows answered in %d ms with %d statements%n", millis, application.size());

        // the check of the same delivery lists all 5,000 in the body, each row once and in order
        CheckDevicesResponse check = fleetManager.checkDevices(CheckDevicesRequest.newBuilder()
                .addAllDevices(request.getDevicesList())
                .build());
        List<String> fields = List.of("imei", "serial_number", "unit_code", "agreement_id", "kind");
        assertThat(check.getProblemCount()).isEqualTo(5000);
        assertThat(check.getBadRowCount()).isEqualTo(5000);
        assertThat(check.getProblemsList())
                .extracting(DeliveryProblem::getField)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 5000)
                        .mapToObj(i -> "devices[" + i + "]." + fields.get(i % 5))
                        .toList());
        // how long it took is printed, never asserted (timings belong to benchmarks): what keeps it quick at
        // any size — no query per row — is what the statements above show
        assertThat(jdbc.sql("select count(*) from device").query(Long.class).single())
                .isEqualTo(2000);
    }

    @Test
    void beyondTenAgreementsADeliveryIsNotCheckedFurtherAndSaysSo() throws Exception {
        RegisterDevicesRequest.Builder bad = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 12; i++) {
            bad.addDevices(phone(30_000 + i, "GN-RBRE").setAgreementId(i == 0 ? OrderStandIn.AGREEMENT : "AC-X" + i));
        }
        StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.registerDevices(bad.build()));
        assertThat(e.getStatus().getDescription()).contains("(11 problems in all)");
        List<BadRequest.FieldViolation> named = StatusProto.fromThrowable(e)
                .getDetails(0)
                .unpack(BadRequest.class)
                .getFieldViolationsList();
        assertThat(named.get(0).getField()).isEqualTo("devices[1].agreement_id");
        assertThat(named.get(0).getDescription()).isEqualTo("agreement AC-X1 does not exist");
        assertThat(named.get(9).getField()).isEqualTo("devices[10].agreement_id");
        assertThat(named.get(9).getDescription()).contains("not checked: one delivery names at most 10 agreements");
    }

    /**
     * RegisterDevices' refusal details its first problems in trailers; CheckDevices judges the same
     * delivery and lists every problem in its body, the refusal's word for word first, and stores nothing;
     * for the fixed file it says what registering it does, which registering then does.
     */
    @Test
    void aCheckListsEveryProblemTheRefusalCountsWordForWordAndStoresNothing() throws Exception {
        fleetManager.registerDevice(register(phone(7000, "GN-RBRE"))); // in the fleet: the file repeats it
        RegisterDevicesRequest.Builder file = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 30; i++) {
            Device.Builder row = phone(40_000 + i, "GN-RBRE");
            if (i % 2 == 0) { // two bad fields on every other row
                row.setUnitCode("GN-NOPE").clearKind();
            }
            file.addDevices(row);
        }
        RegisterDevicesRequest bad = file.addDevices(phone(7000, "GN-RBRE")).build();

        StatusRuntimeException e = GrpcAssertions.failure(() -> fleetManager.registerDevices(bad));
        assertThat(e.getStatus().getDescription()).contains("(30 problems in all)");
        List<BadRequest.FieldViolation> named = StatusProto.fromThrowable(e)
                .getDetails(0)
                .unpack(BadRequest.class)
                .getFieldViolationsList();
        assertThat(named).hasSize(10);

        CheckDevicesResponse check = fleetManager.checkDevices(CheckDevicesRequest.newBuilder()
                .addAllDevices(bad.getDevicesList())
                .build());
        assertThat(check.getProblemCount()).isEqualTo(30);
        assertThat(check.getBadRowCount()).isEqualTo(15);
        assertThat(check.getNewCount()).isZero();
        assertThat(check.getAlreadyRegisteredCount()).isZero();
        assertThat(check.getProblemsList().subList(0, 10))
                .extracting(DeliveryProblem::getField, DeliveryProblem::getDescription)
                .containsExactlyElementsOf(named.stream()
                        .map(v -> org.assertj.core.groups.Tuple.tuple(v.getField(), v.getDescription()))
                        .toList());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i += 2) {
            expected.add("devices[" + i + "].kind");
            expected.add("devices[" + i + "].unit_code");
        }
        assertThat(check.getProblemsList())
                .extracting(DeliveryProblem::getField)
                .containsExactlyInAnyOrderElementsOf(expected);
        List<Integer> rows = check.getProblemsList().stream()
                .map(p -> Integer.parseInt(p.getField().replaceAll("devices\\[([0-9]+)].*", "$1")))
                .toList();
        assertThat(rows).as("row by row, in the file's order").isSorted();
        assertThat(check.getProblemsList())
                .filteredOn(p -> p.getField().endsWith("unit_code"))
                .allSatisfy(p -> assertThat(p.getDescription()).contains("does not exist"));
        assertThat(jdbc.sql("select count(*) from device").query(Long.class).single())
                .isEqualTo(1);

        // the file fixed: the check says what registering does, stores nothing; registering does that
        RegisterDevicesRequest.Builder fixed = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 30; i++) {
            fixed.addDevices(phone(40_000 + i, "GN-RBRE"));
        }
        RegisterDevicesRequest sound = fixed.addDevices(phone(7000, "GN-RBRE")).build();
        CheckDevicesResponse ok = fleetManager.checkDevices(CheckDevicesRequest.newBuilder()
                .addAllDevices(sound.getDevicesList())
                .build());
        assertThat(ok.getProblemsList()).isEmpty();
        assertThat(ok.getProblemCount()).isZero();
        assertThat(ok.getBadRowCount()).isZero();
        assertThat(ok.getNewCount()).isEqualTo(30);
        assertThat(ok.getAlreadyRegisteredCount()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from device").query(Long.class).single())
                .isEqualTo(1);
        RegisterDevicesResponse done = fleetManager.registerDevices(sound);
        assertThat(done.getRegisteredCount()).isEqualTo(ok.getNewCount());
        assertThat(done.getAlreadyRegisteredCount()).isEqualTo(ok.getAlreadyRegisteredCount());

        // only a fleet manager checks a delivery
        StatusRuntimeException refused = GrpcAssertions.failure(
                () -> clients.as(TestTokens.unitManager("GN-RBRE"), InventoryServiceGrpc::newBlockingStub)
                        .checkDevices(CheckDevicesRequest.newBuilder()
                                .addAllDevices(sound.getDevicesList())
                                .build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        // an empty delivery is refused as by RegisterDevices
        StatusRuntimeException empty =
                GrpcAssertions.failure(() -> fleetManager.checkDevices(CheckDevicesRequest.getDefaultInstance()));
        assertThat(empty.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    /**
     * Rule 7 between a delivery and a single registration at once: the delivery's last row registered alone while
     * the delivery is being judged — the same device (same IMEI, serial and terms), or another IMEI under the same
     * serial written in the other case. One device per IMEI and per serial whatever the order; the loser is told
     * plainly (the delivery ABORTED to retry or refused naming the row, the single one ALREADY_EXISTS), never an
     * internal error; the delivery sent again then registers, the same device counting as done.
     */
    @Test
    void aDeliveryAndASingleRegistrationOfItsLastDeviceAtOnceLeaveOneDeviceAndAPlainAnswer() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                int first = 100_000 + round * 10_000;
                int rows = 6_000;
                int last = first + rows - 1;
                boolean sameDevice = round % 2 == 0;
                RegisterDevicesRequest.Builder delivery = RegisterDevicesRequest.newBuilder();
                for (int n = first; n <= last; n++) {
                    delivery.addDevices(phone(n, "GN-RBRE"));
                }
                Device.Builder alone = sameDevice
                        ? phone(last, "GN-RBRE")
                        : phone(last + 1, "GN-RBRE").setSerialNumber(("SN-" + last).toLowerCase(java.util.Locale.ROOT));
                int delayMillis = 60 * round;
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                var bulk = pool.submit(() -> {
                    together.await();
                    try {
                        return "OK "
                                + fleetManager.registerDevices(delivery.build()).getRegisteredCount();
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                    }
                });
                var single = pool.submit(() -> {
                    together.await();
                    Thread.sleep(delayMillis); // lands while the delivery is being judged, or just before
                    try {
                        fleetManager.registerDevice(register(alone));
                        return "OK";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                    }
                });
                String bulkOutcome = bulk.get();
                String singleOutcome = single.get();
                String seen = "round " + round + ": delivery " + bulkOutcome + " / alone " + singleOutcome;
                assertThat(bulkOutcome).as(seen).doesNotStartWith("INTERNAL").doesNotStartWith("UNKNOWN");
                assertThat(singleOutcome).as(seen).doesNotStartWith("INTERNAL").doesNotStartWith("UNKNOWN");
                assertThat(bulkOutcome.startsWith("OK") && singleOutcome.equals("OK") && !sameDevice)
                        .as(seen + " (both stored the serial)")
                        .isFalse();
                assertThat(jdbc.sql("select count(*) from device where upper(serial_number) = ?")
                                .param("SN-" + last)
                                .query(Long.class)
                                .single())
                        .as(seen)
                        .isEqualTo(1L);
                if (!bulkOutcome.startsWith("OK")) {
                    // sent again: the same device counts as done; a serial another IMEI took is named on its row
                    if (sameDevice) {
                        var again = fleetManager.registerDevices(delivery.build());
                        assertThat(again.getRegisteredCount()).as(seen).isEqualTo(rows - 1);
                        assertThat(again.getAlreadyRegisteredCount()).as(seen).isEqualTo(1);
                    } else {
                        StatusRuntimeException e =
                                GrpcAssertions.failure(() -> fleetManager.registerDevices(delivery.build()));
                        assertThat(e.getStatus().getCode()).as(seen).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription())
                                .as(seen)
                                .contains("devices[" + (rows - 1) + "].serial_number");
                    }
                }
                assertThat(jdbc.sql("select count(*) from device where imei = any(?::char(15)[])")
                                .param((Object) new String[] {imei(last), imei(last + 1)})
                                .query(Long.class)
                                .single())
                        .as(seen)
                        .isEqualTo(1L);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static RegisterDevicesRequest delivery(List<Bad> bads) {
        RegisterDevicesRequest.Builder b = RegisterDevicesRequest.newBuilder().addDevices(phone(7100, "GN-RBRE"));
        bads.forEach(bad -> b.addDevices(bad.row()));
        return b.addDevices(phone(7002, "GN-RBRE")).build();
    }
}
