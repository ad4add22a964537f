package fr.interieur.neogend.inventory;

import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.ExchangeDeviceRequest;
import fr.interieur.neogend.inventory.v1.GetEndOfTermReportRequest;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc;
import fr.interieur.neogend.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.testkit.OrderStandIn;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.SettableClock;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static fr.interieur.neogend.inventory.InventoryTestData.imei;
import static fr.interieur.neogend.inventory.InventoryTestData.phone;
import static fr.interieur.neogend.inventory.InventoryTestData.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 12 at a Paris midnight, with the service's clock set by the test: a device exchanged out on the last day
 * of its pack's period under the ending agreement is that agreement's to give back; one exchanged half an hour
 * later, the successor's first day in Paris while UTC still reads the last day, is the successor's.
 */
@ServiceIT
class EndOfTermParisDayIT {

    @TestConfiguration
    static class Clocks {
        @Bean
        SettableClock settableClock() {
            return new SettableClock();
        }
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SettableClock clock;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    InventoryServiceBlockingStub fleetManager;
    InventoryServiceBlockingStub throughOrder;

    @BeforeEach
    void connect() {
        clock.now = Instant.now();
        fleetManager = clients.as(TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        throughOrder = clients.through("order", TestTokens.fleetManager(), InventoryServiceGrpc::newBlockingStub);
        InventoryTestData.resetWithUnitTree(jdbc, fleetManager);
    }

    @Test
    void aDeviceExchangedOutAtAParisMidnightIsTheAgreementsWhoseDayItWasInParis() {
        clock.now = Instant.parse("2027-01-10T09:00:00Z");
        for (int n : new int[] {60, 61}) {
            fleetManager.registerDevice(register(phone(n, "GN-RBRE-GGD35")));
            fleetManager.registerDevice(
                    register(phone(n + 10, "GN-RBRE-GGD35").clearPackType().clearAgreementId()));
        }
        // the packs bill to the successor from 15 January (Paris days)
        assertThat(throughOrder
                        .transferPacks(
                                LeaseAndEndOfTermIT.toSuccessorFromJanuary15().build())
                        .getTransferred())
                .isEqualTo(2);
        // 23:30 in Paris on the 14th, the ending agreement's last day for these packs
        clock.now = Instant.parse("2027-01-14T22:30:00Z");
        exchange(60, 70);
        // 00:30 in Paris on the 15th, the successor's first day, while UTC still reads the 14th
        clock.now = Instant.parse("2027-01-14T23:30:00Z");
        exchange(61, 71);

        Map<String, List<String>> listed = new TreeMap<>();
        for (String agreement : List.of(OrderStandIn.AGREEMENT, OrderStandIn.SUCCESSOR)) {
            List<String> imeis = fleetManager
                    .listDevices(ListDevicesRequest.newBuilder()
                            .setAgreementId(agreement)
                            .setNotReturned(true)
                            .build())
                    .getDevicesList()
                    .stream()
                    .map(Device::getImei)
                    .sorted()
                    .toList();
            listed.put(agreement, imeis);
            assertThat(fleetManager
                            .getEndOfTermReport(GetEndOfTermReportRequest.newBuilder()
                                    .setAgreementId(agreement)
                                    .build())
                            .getNotReturnedTotal())
                    .as(agreement + " " + imeis)
                    .isEqualTo(imeis.size());
        }
        assertThat(listed)
                .containsEntry(OrderStandIn.AGREEMENT, List.of(imei(60)))
                .containsEntry(
                        OrderStandIn.SUCCESSOR,
                        java.util.stream.Stream.of(imei(61), imei(70), imei(71))
                                .sorted()
                                .toList());
    }

    private void exchange(int old, int spare) {
        fleetManager.exchangeDevice(ExchangeDeviceRequest.newBuilder()
                .setImei(imei(old))
                .setReplacementImei(imei(spare))
                .setReason("screen broken")
                .build());
    }
}
