package fr.interieur.neogend.contract;

import com.google.protobuf.Timestamp;
import com.google.type.Date;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.FindRegisteredImeisRequest;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import fr.interieur.neogend.inventory.v1.RegisterDevicesRequest;
import fr.interieur.neogend.order.v1.CreateAgreementRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.telemetry.v1.FindDevicesNearRequest;
import fr.interieur.neogend.telemetry.v1.Reading;
import fr.interieur.neogend.telemetry.v1.UploadReadingsRequest;
import fr.interieur.neogend.training.v1.CreateSessionRequest;
import fr.interieur.neogend.training.v1.Session;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRulesTest {

    static RequestRules.Violation only(List<RequestRules.Violation> violations) {
        assertThat(violations).hasSize(1);
        return violations.get(0);
    }

    @Test
    void aSoundRequestHasNoViolation() {
        var request = RegisterDeviceRequest.newBuilder()
                .setDevice(Device.newBuilder()
                        .setImei("490154203237518")
                        .setSerialNumber("SN-1")
                        .setModel("Rugged X5")
                        .setUnitCode("GN-RBRE"))
                .build();
        assertThat(RequestRules.check(request)).isEmpty();
    }

    @Test
    void aControlCharacterIsRefusedNamingTheField() {
        var request = RegisterDeviceRequest.newBuilder()
                .setDevice(Device.newBuilder().setModel("Rugged\u0000X5"))
                .build();
        var v = only(RequestRules.check(request));
        assertThat(v.field()).isEqualTo("device.model");
        assertThat(v.description()).isEqualTo("holds a control character (U+0000) at position 7");
    }

    @Test
    void aBidirectionalControlIsRefusedWhereverItHidesButAccentsAndOtherScriptsPass() {
        // "Unit 1 ‮5XR degguR" shows as "Unit 1 Rugged RX5" in a console or a spreadsheet
        for (String hidden : List.of("\u202E", "\u202A", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069")) {
            var request = RegisterDeviceRequest.newBuilder()
                    .setDevice(Device.newBuilder().setModel("Rugged" + hidden + "X5"))
                    .build();
            var v = only(RequestRules.check(request));
            assertThat(v.field()).isEqualTo("device.model");
            assertThat(v.description())
                    .startsWith("holds a bidirectional control character (U+")
                    .contains("position 7");
            var reason = fr.interieur.neogend.accessories.v1.CloseRepairRequest.newBuilder()
                    .setDiagnosis("écran\nmort" + hidden)
                    .build();
            assertThat(only(RequestRules.check(reason)).field()).isEqualTo("diagnosis");
        }
        var french = CreateSessionRequest.newBuilder()
                .setSession(Session.newBuilder().setPlace("Brest, salle « Ouessant » — étage 2 (عربي, 中文)"))
                .build();
        assertThat(RequestRules.check(french)).isEmpty();
    }

    @Test
    void lineBreaksOnlyInFreeText() {
        var session = CreateSessionRequest.newBuilder()
                .setSession(Session.newBuilder().setPlace("Rennes\nsalle 2"))
                .build();
        assertThat(only(RequestRules.check(session)).field()).isEqualTo("session.place");
        // a kernel config is free text; a repair's diagnosis is one line, as the service keeps it
        var config = fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest.newBuilder()
                .setRelease(fr.interieur.neogend.telemetry.v1.RomRelease.newBuilder()
                        .setKernelConfig("CONFIG_A=y\n# CONFIG_B is not set\tx\n"))
                .build();
        assertThat(RequestRules.check(config)).isEmpty();
        var bell = fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest.newBuilder()
                .setRelease(fr.interieur.neogend.telemetry.v1.RomRelease.newBuilder()
                        .setKernelConfig("CONFIG_A=y\u0007"))
                .build();
        assertThat(only(RequestRules.check(bell)).field()).isEqualTo("release.kernel_config");
        var twoLines = fr.interieur.neogend.accessories.v1.CloseRepairRequest.newBuilder()
                .setDiagnosis("screen dead\nmainboard dead")
                .build();
        assertThat(only(RequestRules.check(twoLines)).field()).isEqualTo("diagnosis");
    }

    @Test
    void anOverLongTextIsMeasuredNeverRepeated() {
        String huge = "A".repeat(20_000);
        var request = RegisterDeviceRequest.newBuilder()
                .setDevice(Device.newBuilder().setModel(huge))
                .build();
        var v = only(RequestRules.check(request));
        assertThat(v.field()).isEqualTo("device.model");
        assertThat(v.description())
                .isEqualTo("is 20000 characters long; at most 100 are allowed")
                .hasSizeLessThan(80);
    }

    @Test
    void lengthsCountCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDCF1".repeat(100); // 100 characters, 200 UTF-16 units
        var request = RegisterDeviceRequest.newBuilder()
                .setDevice(Device.newBuilder().setModel(emoji))
                .build();
        assertThat(RequestRules.check(request)).isEmpty();
        var lone = RegisterDeviceRequest.newBuilder()
                .setDevice(Device.newBuilder().setModel("X\uD83D"))
                .build();
        assertThat(only(RequestRules.check(lone)).description()).contains("lone surrogate");
    }

    @Test
    void asciiFieldsRefuseEverythingElse() {
        var request =
                ListDevicesRequest.newBuilder().setRomBuild("neogend/x5:14/é").build();
        assertThat(only(RequestRules.check(request)).field()).isEqualTo("rom_build");
    }

    @Test
    void negativeCountsAndOutOfRangeValuesAreRefused() {
        assertThat(only(RequestRules.check(
                                ListDevicesRequest.newBuilder().setPageSize(-1).build()))
                        .description())
                .isEqualTo("must not be negative");
        assertThat(only(RequestRules.check(FindDevicesNearRequest.newBuilder()
                                .setMaxAgeMinutes(Integer.MIN_VALUE)
                                .build()))
                        .field())
                .isEqualTo("max_age_minutes");
    }

    @Test
    void nonFiniteNumbersAreRefused() {
        var request = FindDevicesNearRequest.newBuilder()
                .setLatitude(Double.NaN)
                .setLongitude(Double.POSITIVE_INFINITY)
                .build();
        assertThat(RequestRules.check(request))
                .extracting(RequestRules.Violation::field)
                .containsExactly("latitude", "longitude");
    }

    @Test
    void unknownEnumNumbersAreRefused() {
        var request = ListDevicesRequest.newBuilder().setStateValue(99).build();
        assertThat(only(RequestRules.check(request)).field()).isEqualTo("state");
    }

    @Test
    void datesMustExist() {
        var order = CreatePurchaseOrderRequest.newBuilder()
                .setOrder(PurchaseOrder.newBuilder()
                        .setRequestedDate(
                                Date.newBuilder().setYear(2026).setMonth(2).setDay(30)))
                .build();
        var v = only(RequestRules.check(order));
        assertThat(v.field()).isEqualTo("order.requested_date");
        var session = CreateSessionRequest.newBuilder()
                .setSession(Session.newBuilder()
                        .setStartDate(
                                Date.newBuilder().setYear(2027).setMonth(4).setDay(31)))
                .build();
        assertThat(only(RequestRules.check(session)).field()).isEqualTo("session.start_date");
        var release = fr.interieur.neogend.telemetry.v1.PublishRomReleaseRequest.newBuilder()
                .setRelease(fr.interieur.neogend.telemetry.v1.RomRelease.newBuilder()
                        .setModel("Rugged X5")
                        .setBuildFingerprint("fp")
                        .setSecurityPatchLevel("2026-02-30")
                        .setKernelSourceSha256("0".repeat(64))
                        .setKernelConfig("CONFIG_X=y"))
                .build();
        assertThat(RequestRules.check(release))
                .extracting(found -> found.field())
                .contains("release.security_patch_level");
    }

    @Test
    void amountsMustBePlainDecimalsOfTheirShape() {
        var agreement = CreateAgreementRequest.newBuilder()
                .setAgreement(FrameworkAgreement.newBuilder()
                        .setEstimatedValue("1e1000000")
                        .setVatRate("0.2"))
                .build();
        var v = only(RequestRules.check(agreement));
        assertThat(v.field()).isEqualTo("agreement.estimated_value");
        assertThat(v.description()).contains("no exponent");
        var rate = CreateAgreementRequest.newBuilder()
                .setAgreement(FrameworkAgreement.newBuilder()
                        .setEstimatedValue("100.00")
                        .setVatRate("-0.2"))
                .build();
        assertThat(only(RequestRules.check(rate)).description()).isEqualTo("must not be negative");
    }

    @Test
    void listsAreCountedAndTheirItemsChecked() {
        var lookup = FindRegisteredImeisRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            lookup.addImeis(i == 2 ? "49015420323751\u0000" : "490154203237518");
        }
        assertThat(only(RequestRules.check(lookup.build())).field()).isEqualTo("imeis[2]");
    }

    @Test
    void aDeliverysRowsAreJudgedByInventorySoOneAnswerNamesEveryBadRow() {
        var batch = RegisterDevicesRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            batch.addDevices(Device.newBuilder().setImei(i == 2 ? "49015420323751\u0000" : "490154203237518"));
        }
        assertThat(RequestRules.check(batch.build())).isEmpty();
        assertThat(only(RequestRules.check(batch.getDevices(2), "devices[2].")).field())
                .isEqualTo("devices[2].imei");
        for (int i = 0; i < 20_000; i++) {
            batch.addDevices(Device.getDefaultInstance());
        }
        assertThat(only(RequestRules.check(batch.build())).description())
                .isEqualTo("has 20003 items; at most 20000 are allowed");
    }

    @Test
    void itemsJudgedByTheServiceAreOnlyCounted() {
        var upload = UploadReadingsRequest.newBuilder();
        upload.addReadings(
                Reading.newBuilder().setSecurityPatchLevel("2026-02-30").setRomBuild("\u0000"));
        assertThat(RequestRules.check(upload.build())).isEmpty();
        // the service judges each item with the same rules
        assertThat(RequestRules.check(upload.getReadings(0), "readings[0]."))
                .extracting(RequestRules.Violation::field)
                .containsExactly("readings[0].security_patch_level", "readings[0].rom_build");
        for (int i = 0; i < 1000; i++) {
            upload.addReadings(Reading.getDefaultInstance());
        }
        assertThat(only(RequestRules.check(upload.build())).description())
                .isEqualTo("has 1001 items; at most 1000 are allowed");
    }

    @Test
    void timestampsMustBeRepresentable() {
        var upload = Reading.newBuilder()
                .setRecordedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
                .build();
        assertThat(only(RequestRules.check(upload, "readings[0].")).field()).isEqualTo("readings[0].recorded_at");
    }

    @Test
    void violationsAreCapped() {
        var lookup = FindRegisteredImeisRequest.newBuilder();
        for (int i = 0; i < 500; i++) {
            lookup.addImeis("\u0001");
        }
        assertThat(RequestRules.check(lookup.build())).hasSize(RequestRules.MAX_VIOLATIONS);
        assertThat(RequestRules.report(lookup.build()).total())
                .as("all counted")
                .isEqualTo(500);
    }
}
