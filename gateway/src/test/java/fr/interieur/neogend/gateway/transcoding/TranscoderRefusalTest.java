package fr.interieur.neogend.gateway.transcoding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a request may not say: fields the protos mark OUTPUT_ONLY (at any depth, in repeated
 * messages too), fields the operation does not have, empty parameter names — each a 400 naming the
 * field, with no Java class name in the message.
 */
class TranscoderRefusalTest {

    private final RouteTable table = RouteTable.fromClasspath();
    private final Transcoder transcoder = new Transcoder(table.typeRegistry());

    @ParameterizedTest(name = "{0} {1}: {2} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\",\"state\":\"DEVICE_STATE_STOLEN\"}|device.state",
                "POST|/api/v1/devices|{\"packId\":\"PK-1\"}|device.pack_id",
                "POST|/api/v1/devices|{\"owner\":\"me\"}|device.owner",
                "POST|/api/v1/purchase-orders|{\"lines\":[{\"itemCode\":\"PACK\",\"quantity\":\"1\",\"unitPrice\":\"0.01\"}]}|order.lines[0].unit_price",
                "POST|/api/v1/purchase-orders|{\"lines\":[{\"itemCode\":\"PACK\"},{\"itemCode\":\"CASE\",\"kind\":\"ITEM_KIND_ACCESSORY\"}]}|order.lines[1].kind",
                "POST|/api/v1/purchase-orders|{\"state\":\"ORDER_STATE_APPROVED\"}|order.state",
                "POST|/api/v1/purchase-orders|{\"amount\":\"0.00\"}|order.amount",
                "POST|/api/v1/devices:registerBatch|{\"devices\":[{\"imei\":\"490154203237518\",\"holderAgentId\":\"GND-7\"}]}|devices[0].holder_agent_id",
                "POST|/api/v1/agreements|{\"termEnd\":{\"year\":2030,\"month\":1,\"day\":1}}|agreement.term_end",
                // the forms from before the contract cut (docs/changelog.md): refused naming the field
                "POST|/api/v1/rom-releases|{\"model\":\"Rugged X5\",\"bulletinDate\":\"2026-11-02\"}|release.bulletin_date",
                "POST|/api/v1/purchase-orders/PO-1/deliveries|{\"devices\":[{\"imei\":\"490154203237518\",\"kind\":\"PHONE\"}]}|delivery.devices[0].kind",
                "POST|/api/v1/sessions|{\"courseCode\":\"C\",\"startDate\":\"2026-12-04\"}|session.start_date",
                "POST|/api/v1/stock-movements|{\"itemCode\":\"SP\",\"kind\":\"RECEIPT\"}|kind"
            })
    void refusedNamingTheField(String method, String path, String body, String field) {
        TranscodingException e = catchThrowableOfType(
                TranscodingException.class,
                () -> transcoder.request(table.find(method, path).orElseThrow(), Map.of(), body));
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.field()).isEqualTo(field);
    }

    @Test
    void whatAClientMaySetStillPasses() {
        assertThat(transcoder
                        .request(
                                table.find("POST", "/api/v1/purchase-orders").orElseThrow(),
                                Map.of(),
                                "{\"agreementId\":\"AC-1\",\"lines\":[{\"itemCode\":\"PACK\",\"quantity\":\"3\"}],\"state\":"
                                        + "\"ORDER_STATE_UNSPECIFIED\"}")
                        .toString())
                .contains("PACK");
    }

    @Test
    void aNumberInTheQueryOrPathIsWrittenAsJsonWritesItNeverReadLeniently() {
        var devices = table.find("GET", "/api/v1/devices").orElseThrow();
        var near = table.find("GET", "/api/v1/device-states:near").orElseThrow();
        var statement = table.find("GET", "/api/v1/agreements/AC-A/statements/\uff12\uff10\uff12\uff16/11")
                .orElseThrow();
        var read = new java.util.LinkedHashMap<String, String>();
        String[][] cases = {
            {"page_size", "\uff15"}, // a full-width 5
            {"page_size", "\u0663"}, // an Arabic-Indic 3
            {"page_size", "+5"},
            {"state", "\u0663"}, // an enum by its number, in Arabic-Indic digits
            {"latitude", "48.1d"}, // Java's double suffix
            {"latitude", "0x1.8p5"}, // a hexadecimal double, 48.0
            {"latitude", " 48.1"},
            {"latitude", "48.1f"},
        };
        for (String[] c : cases) {
            var route = c[0].equals("latitude") ? near : devices;
            try {
                read.put(
                        c[0] + "=" + c[1],
                        "read as "
                                + transcoder
                                        .request(route, Map.of(c[0], List.of(c[1])), "")
                                        .toString()
                                        .replace("\n", " ")
                                        .trim());
            } catch (TranscodingException e) {
                read.put(c[0] + "=" + c[1], e.httpStatus() + " " + e.field());
            }
        }
        try {
            read.put(
                    "year \uff12\uff10\uff12\uff16 in the path",
                    "read as "
                            + transcoder
                                    .request(statement, Map.of(), "")
                                    .toString()
                                    .replace("\n", " "));
        } catch (TranscodingException e) {
            read.put("year \uff12\uff10\uff12\uff16 in the path", e.httpStatus() + " " + e.field());
        }
        assertThat(read)
                .as("refused naming the parameter, as a JSON body refuses them")
                .isEqualTo((Map.of(
                        "page_size=\uff15", "400 page_size",
                        "page_size=\u0663", "400 page_size",
                        "page_size=+5", "400 page_size",
                        "state=\u0663", "400 state",
                        "latitude=48.1d", "400 latitude",
                        "latitude=0x1.8p5", "400 latitude",
                        "latitude= 48.1", "400 latitude",
                        "latitude=48.1f", "400 latitude",
                        "year \uff12\uff10\uff12\uff16 in the path", "400 year")));
        // what JSON writes still passes
        for (String[] c : new String[][] {{"page_size", "5"}, {"page_size", "05"}}) {
            assertThat(transcoder
                            .request(devices, Map.of(c[0], List.of(c[1])), "")
                            .toString())
                    .contains("page_size: 5");
        }
        for (String text : new String[] {"48.1", "-4.5", "4.81e1", "48", "1E1"}) {
            assertThat(transcoder
                            .request(near, Map.of("latitude", List.of(text)), "")
                            .toString())
                    .as(text)
                    .contains("latitude: ");
        }
    }

    @Test
    void aDayInTheQueryIsWrittenYyyyMmDdAndAnythingElseIsRefusedNamingIt() {
        var list = table.find("GET", "/api/v1/sessions").orElseThrow();
        assertThat(transcoder
                        .request(list, Map.of("ends_on_or_after", List.of("2026-12-01")), "")
                        .toString())
                .contains("year: 2026", "month: 12", "day: 1");
        for (String text : new String[] {"01/12/2026", "2026-12-1", "20261201", "2026-12-01T00:00:00Z", "\u0000"}) {
            TranscodingException e = catchThrowableOfType(
                    TranscodingException.class,
                    () -> transcoder.request(list, Map.of("ends_on_or_after", List.of(text)), ""));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.field()).isEqualTo("ends_on_or_after");
            assertThat(e.getMessage()).contains("YYYY-MM-DD");
        }
    }

    @ParameterizedTest(name = "{0} {1}?{2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // a field the path binds, named again by its JSON name
                "GET|/api/v1/units/GN-A/compliance|unitCode|GN-B",
                "GET|/api/v1/agreements/AC-A/consumption|agreementId|AC-B",
                "POST|/api/v1/purchase-orders/PO-A/deliveries|orderNumber|PO-B",
                "POST|/api/v1/agreements/AC-A/invoices|agreementId|AC-B",
                // a field inside the body, named by the body field's JSON name
                "POST|/api/v1/exchange-requests|exchangeRequest.imei|490154203237518",
                "POST|/api/v1/agreements/AC-A/invoices|invoice.invoiceNumber|F-2"
            })
    void aFieldThePathOrBodySetsIsNeverSetAgainFromTheQueryUnderItsJsonName(
            String method, String path, String parameter, String value) {
        var route = table.find(method, path).orElseThrow();
        TranscodingException e = catchThrowableOfType(
                TranscodingException.class,
                () -> transcoder.request(route, Map.of(parameter, List.of(value)), method.equals("POST") ? "{}" : ""));
        assertThat(e).as("the query's value replaced the path's or body's").isNotNull();
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.field()).isEqualTo(parameter);
        assertThat(e.getMessage()).contains("set by the path or body");
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // a second document or anything after the first: the first was taken, the rest dropped
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\",\"model\":\"A\"}{\"model\":\"B\"}|",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\"}xyz|",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\"},|",
                // what only a lenient reader takes
                "POST|/api/v1/devices|{'imei':'490154203237518'}|",
                "POST|/api/v1/devices|{imei:\"490154203237518\"}|",
                "POST|/api/v1/devices|{/* a comment */\"imei\":\"490154203237518\"}|",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\"} // a comment|",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\";\"model\":\"A\"}|",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\",\"model\":NaN}|",
                // a member given twice: the last one was taken
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\",\"model\":\"A\",\"model\":\"B\"}|device.model",
                "POST|/api/v1/devices|{\"imei\":\"490154203237518\",\"mo\\u0064el\":\"A\",\"model\":\"B\"}|device.model",
                "POST|/api/v1/device-readings|{\"readings\":[{\"sequence\":\"1\"},{\"sequence\":\"2\",\"batteryPercent\":5,\"batteryPercent\":90}]}|readings[1].battery_percent"
            })
    void whatJsonDoesNotAllowIsRefusedNeverReadLeniently(String method, String path, String body, String field) {
        var route = table.find(method, path).orElseThrow();
        TranscodingException e =
                catchThrowableOfType(TranscodingException.class, () -> transcoder.request(route, Map.of(), body));
        assertThat(e).as("%s was read as JSON", body).isNotNull();
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).contains("not valid JSON").doesNotContain("java.", "tools.jackson", "Exception");
        if (field != null) {
            assertThat(e.field()).isEqualTo(field);
        }
    }

    @Test
    void aByteOrderMarkWhitespaceAndARawControlCharacterAreJudgedAsBefore() {
        var route = table.find("POST", "/api/v1/devices").orElseThrow();
        for (String body :
                new String[] {"\uFEFF{\"imei\":\"490154203237518\"}", " \r\n\t{\"imei\":\"490154203237518\"} \r\n\t"}) {
            assertThat(transcoder.request(route, Map.of(), body).toString()).contains("490154203237518");
        }
        // a control character left raw in a string is still the request rules' to judge, naming the field
        TranscodingException nul = catchThrowableOfType(
                TranscodingException.class,
                () -> transcoder.request(route, Map.of(), "{\"imei\":\"490154203237518\",\"model\":\"a\u0000b\"}"));
        assertThat(nul.field()).isEqualTo("device.model");
        assertThat(nul.getMessage()).contains("control character");
    }

    @Test
    void emptyParameterNamesAndBrokenJsonAreRefusedPlainly() {
        var list = table.find("GET", "/api/v1/devices").orElseThrow();
        for (String name : new String[] {".", "..", "a..b", "unit_code.", ""}) {
            assertThat(catchThrowableOfType(
                                    TranscodingException.class,
                                    () -> transcoder.request(list, Map.of(name, List.of("x")), ""))
                            .field())
                    .isEqualTo(name);
        }
        var register = table.find("POST", "/api/v1/devices").orElseThrow();
        for (String json : new String[] {"{\"imei\":", "{\"imei\" 1}", "[", "{\"imei\":\"\\u12\"}"}) {
            TranscodingException e = catchThrowableOfType(
                    TranscodingException.class, () -> transcoder.request(register, Map.of(), json));
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).doesNotContain("java.", "com.google", "Exception");
        }
        assertThat(table.find("GET", "/api/v1/devices/%zz")).isEmpty();
    }
}
