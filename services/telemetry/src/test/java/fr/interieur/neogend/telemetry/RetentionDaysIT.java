package fr.interieur.neogend.telemetry;

import com.google.protobuf.Timestamp;
import fr.interieur.neogend.telemetry.ingestion.ReadingPartitions;
import fr.interieur.neogend.telemetry.v1.EnrollDeviceRequest;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc.TelemetryServiceBlockingStub;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.SettableClock;
import fr.interieur.neogend.testkit.TestPorts;
import fr.interieur.neogend.testkit.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules 18 and 20 with a retention that is not a whole number of days (36 hours): the retention deletes what
 * is older than the period and nothing younger — a day partition straddling the limit keeps its younger
 * readings.
 */
@ServiceIT
@TestPropertySource(properties = "neogend.telemetry.retention=36h")
class RetentionDaysIT {

    static final int INVENTORY_PORT = TestPorts.free();
    static final String DEVICE = IngestionIT.imei(41);

    @DynamicPropertySource
    static void inventory(DynamicPropertyRegistry registry) {
        registry.add("neogend.inventory.target", () -> "localhost:" + INVENTORY_PORT);
    }

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
    ReadingPartitions partitions;

    @Autowired
    SettableClock clock;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    FakeInventory inventory;
    TelemetryServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() throws IOException {
        for (String table : List.of("device_credential", "device_state", "reading", "position_access")) {
            jdbc.sql("delete from " + table).update();
        }
        fleetManager = clients.as(TestTokens.fleetManager(), TelemetryServiceGrpc::newBlockingStub);
        inventory = new FakeInventory(INVENTORY_PORT);
        inventory.add(DEVICE, "Rugged X5", "GN-RBRE-GGD35");
    }

    @AfterEach
    void disconnect() {
        clock.now = Instant.now();
        inventory.close();
    }

    static Reading reading(long sequence, Instant at) {
        return Reading.newBuilder()
                .setSequence(sequence)
                .setRecordedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setBatteryPercent(70)
                .setLatitude(48.11)
                .setLongitude(-1.68)
                .setNetwork(NetworkType.NETWORK_TYPE_4G)
                .build();
    }

    @Test
    void aDayPartitionAstrideTheLimitKeepsItsReadingsYoungerThanTheRetention() {
        // 06:00 UTC on the last day it was 06:00 already: the limit, 36 hours before, is 18:00 two days earlier
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant sixAm = today.atTime(6, 0).toInstant(ZoneOffset.UTC);
        Instant t0 = sixAm.isAfter(Instant.now()) ? sixAm.minus(Duration.ofDays(1)) : sixAm;
        // the service ran two days before (its hourly maintenance made that day's partitions then)
        clock.now = t0.minus(Duration.ofDays(2));
        partitions.maintain();
        String credential = fleetManager
                .enrollDevice(EnrollDeviceRequest.newBuilder().setImei(DEVICE).build())
                .getCredential();
        var device = TelemetryServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(DeviceAgents.credential(credential));
        Instant older = t0.minus(Duration.ofHours(37)); // 17:00 two days before t0: past the retention at t0
        Instant younger = t0.minus(Duration.ofHours(34)); // 20:00 the same day: within it at t0
        Instant fresh = t0.minus(Duration.ofHours(3));
        clock.now = t0.minus(Duration.ofHours(2)); // the older one is 35 hours old: taken
        var answer = device.uploadReadings(UploadReadingsRequest.newBuilder()
                .addReadings(reading(1, older))
                .addReadings(reading(2, younger))
                .addReadings(reading(3, fresh))
                .build());
        assertThat(answer.getRejectedList()).isEmpty();
        assertThat(answer.getStored()).isEqualTo(3);

        clock.now = t0;
        partitions.maintain();

        assertThat(jdbc.sql("select sequence from reading where imei = ? order by sequence")
                        .param(DEVICE)
                        .query(Long.class)
                        .list())
                .as("what is older than 36 hours goes; what is younger stays, whatever its UTC day")
                .containsExactly(2L, 3L);
    }
}
