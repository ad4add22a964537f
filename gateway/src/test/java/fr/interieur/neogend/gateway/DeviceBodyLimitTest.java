package fr.interieur.neogend.gateway;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.telemetry.v1.NetworkType;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device upload body limit is decided from the largest legal batch: as many readings as the
 * proto allows, every field at its largest (every text at its maximum length, made of characters
 * JSON must escape), written by protobuf's own JSON printer, compact and indented. The limit must hold
 * it, and stay well under the general 4 MiB.
 */
class DeviceBodyLimitTest {

    @Test
    void theDeviceLimitHoldsTheLargestLegalBatch() throws Exception {
        int maxReadings = RequestRules.rulesOf(
                        UploadReadingsRequest.getDescriptor().findFieldByName("readings"))
                .getMaxItems();
        Reading.Builder reading = Reading.newBuilder()
                .setSequence(Long.MAX_VALUE)
                .setRecordedAt(
                        Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999))
                .setBatteryPercent(100)
                .setCharging(true)
                .setLatitude(-89.12345678901234)
                .setLongitude(-179.1234567890123)
                .setAccuracyM(99_999.99f)
                .setNetwork(NetworkType.NETWORK_TYPE_WIFI)
                .setSecurityPatchLevel("2026-11-05")
                .setFreeStorageMb(Long.MAX_VALUE);
        for (FieldDescriptor f : Reading.getDescriptor().getFields()) {
            int max = RequestRules.rulesOf(f).getMaxLength();
            if (f.getJavaType() == FieldDescriptor.JavaType.STRING && max > 0) {
                reading.setField(f, "\"".repeat(max)); // printable ASCII that JSON escapes (2 bytes each)
            }
        }
        UploadReadingsRequest.Builder batch = UploadReadingsRequest.newBuilder();
        for (int i = 0; i < maxReadings; i++) {
            batch.addReadings(reading);
        }
        for (int i = 0; i < 100; i++) {
            batch.addAcknowledgedCommandIds("9".repeat(19));
        }
        int compact = JsonFormat.printer()
                .omittingInsignificantWhitespace()
                .print(batch)
                .getBytes(StandardCharsets.UTF_8)
                .length;
        int indented =
                JsonFormat.printer().preservingProtoFieldNames().print(batch).getBytes(StandardCharsets.UTF_8).length;
        int limit = new GatewayProperties(Map.of(), null, null, null, null, null).deviceMaxBodyBytes();
        System.out.printf(
                "largest legal batch: %d readings, %,d bytes compact, %,d bytes indented with proto names; "
                        + "device limit %,d bytes%n",
                maxReadings, compact, indented, limit);
        assertThat(limit)
                .isGreaterThanOrEqualTo(indented)
                .isLessThan(new GatewayProperties(Map.of(), null, null, null, null, null).maxBodyBytes());
        assertThat(limit).as("no more than twice the largest legal batch").isLessThanOrEqualTo(2 * indented);
        try (var yml = getClass().getClassLoader().getResourceAsStream("application.yml")) {
            assertThat(new String(yml.readAllBytes(), StandardCharsets.UTF_8))
                    .as("application.yml says the same")
                    .contains("device-max-body-bytes: " + limit);
        }
    }
}
