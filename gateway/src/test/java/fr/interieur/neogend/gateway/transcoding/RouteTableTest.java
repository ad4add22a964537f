package fr.interieur.neogend.gateway.transcoding;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import fr.interieur.neogend.inventory.v1.Device;
import fr.interieur.neogend.inventory.v1.DeviceState;
import fr.interieur.neogend.inventory.v1.GetDeviceResponse;
import fr.interieur.neogend.inventory.v1.ListDevicesRequest;
import fr.interieur.neogend.inventory.v1.RegisterDeviceRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The routes come from the real descriptor set the proto module builds. */
class RouteTableTest {

    private final RouteTable table = RouteTable.fromClasspath();
    private final Transcoder transcoder = new Transcoder(table.typeRegistry());

    @Test
    void everyRoutesTemplateFitsUnderTheUriTagLimitOfTheRequestTimer() throws Exception {
        // http.server.requests is tagged with the route's template: beyond the limit, new series would be dropped
        String settings = new String(
                getClass().getResourceAsStream("/application.yml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        var limit = java.util.regex.Pattern.compile("max-uri-tags: *(\\d+)").matcher(settings);
        assertThat(limit.find()).as("max-uri-tags in application.yml").isTrue();
        long templates = table.routes().stream()
                .map(r -> r.template().toString())
                .distinct()
                .count();
        assertThat(templates).isGreaterThan(50);
        // plus NOT_FOUND, REDIRECTION, root and UNKNOWN
        assertThat(templates + 4).isLessThanOrEqualTo(Integer.parseInt(limit.group(1)));
    }

    @Test
    void theDownloadsAreTheRoutesThatDoNotAnswerJsonSoTheirAcceptIsNeverRefused() {
        // a google.api.HttpBody answer (CSV files): its type is the service's, the gateway refuses no Accept for it
        var files = table.routes().stream()
                .filter(r -> !r.answersJson())
                .map(r -> r.method().getName())
                .toList();
        assertThat(files)
                .contains("ExportLeaseStatement", "ExportLeaseDetail", "ExportUpdateCampaign")
                .allSatisfy(name -> assertThat(name).startsWith("Export"));
        assertThat(table.find("GET", "/api/v1/devices/490154203237518")
                        .orElseThrow()
                        .route()
                        .answersJson())
                .isTrue();
    }

    @Test
    void derivesTheInventoryRoutesFromTheProtoAnnotations() {
        assertThat(table.find("POST", "/api/v1/devices"))
                .get()
                .extracting(m -> m.route().method().getFullName())
                .isEqualTo("neogend.inventory.v1.InventoryService.RegisterDevice");
        assertThat(table.find("GET", "/api/v1/devices/490154203237518")).get().satisfies(m -> {
            assertThat(m.route().method().getName()).isEqualTo("GetDevice");
            assertThat(m.route().backend()).isEqualTo("inventory");
            assertThat(m.variables()).containsEntry("imei", "490154203237518");
        });
        assertThat(table.find("GET", "/api/v1/devices"))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("ListDevices");
        assertThat(table.find("DELETE", "/api/v1/devices")).isEmpty();
        assertThat(table.find("POST", "/api/v1/devices:registerBatch"))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("RegisterDevices");
        assertThat(table.find("GET", "/api/v1/devices/490154203237518:registerBatch"))
                .isEmpty();
        assertThat(table.find("GET", "/api/v1/devices:count"))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("CountDevices");
        assertThat(table.methodsFor("/api/v1/devices")).containsExactlyInAnyOrder("GET", "POST");
        assertThat(table.backends()).contains("inventory", "order", "accessories", "training", "telemetry");
    }

    @Test
    void bodyFieldAndQueryParametersBuildTheRequest() throws Exception {
        var register = table.find("POST", "/api/v1/devices").orElseThrow();
        DynamicMessage msg = transcoder.request(
                register,
                Map.of(),
                "{\"imei\":\"490154203237518\",\"serialNumber\":\"SN1\",\"kind\":\"DEVICE_KIND_PHONE\"}");
        RegisterDeviceRequest typed = RegisterDeviceRequest.parseFrom(msg.toByteString());
        assertThat(typed.getDevice().getSerialNumber()).isEqualTo("SN1");

        var list = table.find("GET", "/api/v1/devices").orElseThrow();
        ListDevicesRequest query = ListDevicesRequest.parseFrom(transcoder
                .request(
                        list,
                        Map.of("state", List.of("IN_STOCK"), "pageSize", List.of("20"), "unit_code", List.of("GN")),
                        "")
                .toByteString());
        assertThat(query.getState()).isEqualTo(DeviceState.DEVICE_STATE_IN_STOCK);
        assertThat(query.getPageSize()).isEqualTo(20);
        assertThat(query.getUnitCode()).isEqualTo("GN");
    }

    @Test
    void badParametersNameTheField() {
        var list = table.find("GET", "/api/v1/devices").orElseThrow();
        assertThatThrownBy(() -> transcoder.request(list, Map.of("state", List.of("SOLD")), ""))
                .isInstanceOfSatisfying(TranscodingException.class, e -> {
                    assertThat(e.field()).isEqualTo("state");
                    assertThat(e.getMessage()).contains("IN_STOCK");
                });
        assertThatThrownBy(() -> transcoder.request(list, Map.of("page_size", List.of("many")), ""))
                .isInstanceOfSatisfying(
                        TranscodingException.class, e -> assertThat(e.field()).isEqualTo("page_size"));
        assertThatThrownBy(() -> transcoder.request(list, Map.of("colour", List.of("red")), ""))
                .isInstanceOfSatisfying(
                        TranscodingException.class, e -> assertThat(e.field()).isEqualTo("colour"));
        var register = table.find("POST", "/api/v1/devices").orElseThrow();
        assertThatThrownBy(() -> transcoder.request(register, Map.of(), "{not json"))
                .isInstanceOfSatisfying(
                        TranscodingException.class,
                        e -> assertThat(e.httpStatus()).isEqualTo(400));
    }

    @Test
    void responseBodyPicksTheField() throws Exception {
        var get = table.find("GET", "/api/v1/devices/490154203237518").orElseThrow();
        GetDeviceResponse response = GetDeviceResponse.newBuilder()
                .setDevice(Device.newBuilder().setImei("490154203237518").setModel("X5"))
                .build();
        DynamicMessage dynamic =
                DynamicMessage.parseFrom(get.route().method().getOutputType(), response.toByteString());
        String json = transcoder.response(get.route(), dynamic);
        assertThat(json)
                .isEqualTo(
                        JsonFormat.printer().omittingInsignificantWhitespace().print(response.getDevice()));
    }

    /**
     * The routes indexed by method, with a literal prefix tried before each regex, answer as a
     * plain scan of every route in order of specificity does: for a path of each route, and for
     * the same path changed (a verb added, a character cut, a trailing slash, another case).
     */
    @Test
    void theIndexedLookupAnswersAsAPlainScanOfEveryRoute() {
        int checked = 0;
        for (TranscodingRoute route : table.routes()) {
            String path = route.template()
                    .toString()
                    .replaceAll("\\{[^}=]+=([^}]*)}", "$1")
                    .replaceAll("\\{[^}]+}", "v1")
                    .replace("**", "a/b")
                    .replace("*", "v2");
            for (String candidate : List.of(
                    path,
                    path + ":x",
                    path.substring(0, path.length() - 1),
                    path + "/",
                    path.toUpperCase(),
                    path.replace("/api/v1/", "/api/v2/"))) {
                for (String method : List.of("GET", "POST", "PATCH", "DELETE", "PUT")) {
                    var scanned = table.routes().stream()
                            .filter(r -> r.httpMethod().equals(method))
                            .filter(r -> r.template().match(candidate).isPresent())
                            .findFirst();
                    assertThat(table.find(method, candidate).map(RouteTable.Match::route))
                            .as("%s %s", method, candidate)
                            .isEqualTo(scanned);
                    checked++;
                }
            }
            assertThat(table.find(route.httpMethod(), path)).as(path).isPresent();
        }
        assertThat(checked).isGreaterThan(2000);
    }

    /** A request's match is kept on its exchange, but never served for another method or path. */
    @Test
    void aMatchKeptOnTheExchangeIsNeverServedForAnotherPath() {
        var exchange = org.springframework.mock.web.server.MockServerWebExchange.from(
                org.springframework.mock.http.server.reactive.MockServerHttpRequest.get(
                        "/api/v1/devices/490154203237518"));
        assertThat(table.find(exchange))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("GetDevice");
        assertThat(table.forDevices(exchange)).isFalse();
        var moved =
                exchange.mutate().request(r -> r.path("/api/v1/devices:count")).build();
        assertThat(moved.getAttributes()).isSameAs(exchange.getAttributes()); // the kept match travels with it
        assertThat(table.find(moved))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("CountDevices");
        var deleted = exchange.mutate()
                .request(r -> r.method(org.springframework.http.HttpMethod.DELETE))
                .build();
        assertThat(table.find(deleted)).isEmpty();
        assertThat(table.find(exchange))
                .get()
                .extracting(m -> m.route().method().getName())
                .isEqualTo("GetDevice");
    }
}
