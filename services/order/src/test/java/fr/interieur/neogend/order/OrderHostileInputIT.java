package fr.interieur.neogend.order;

import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.GetAgreementRequest;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.ListAgreementsRequest;
import fr.interieur.neogend.order.v1.ListExchangeRequestsRequest;
import fr.interieur.neogend.order.v1.ListPurchaseOrdersRequest;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.OrderServiceGrpc;
import fr.interieur.neogend.order.v1.OrderServiceGrpc.OrderServiceBlockingStub;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import fr.interieur.neogend.testkit.ServiceClients;
import fr.interieur.neogend.testkit.ServiceIT;
import fr.interieur.neogend.testkit.TestTokens;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static fr.interieur.neogend.order.OrderTestData.agreement;
import static fr.interieur.neogend.order.OrderTestData.create;
import static fr.interieur.neogend.order.OrderTestData.item;
import static fr.interieur.neogend.order.OrderTestData.order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile values the contract lets through to the order service's own checks (api.md, "Request rules"): each one
 * is stored, or refused naming its field — never an internal error.
 */
@ServiceIT
class OrderHostileInputIT {

    @Autowired
    JdbcClient jdbc;

    @RegisterExtension
    final ServiceClients clients = new ServiceClients();

    OrderServiceBlockingStub fleetManager;

    @BeforeEach
    void connect() {
        OrderTestData.reset(jdbc);
        fleetManager = clients.as(TestTokens.fleetManager(), OrderServiceGrpc::newBlockingStub);
        fleetManager.createAgreement(create(agreement("AC-2026-NEOGEND", "SUP-DEMO", 140_000)));
    }

    /** What a call came to: OK, or its status code and description. */
    static String outcome(Runnable call) {
        try {
            call.run();
            return "OK";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    @Test
    void aForgedPageTokenIsRefusedNamingTheFieldNeverAnInternalError() {
        fleetManager.createPurchaseOrder(order("AC-2026-NEOGEND", 1, 2026, 6, 1));
        fleetManager.createPurchaseOrder(order("AC-2026-NEOGEND", 2, 2026, 6, 1));
        // tokens are opaque but not sealed: anyone can write one with the right filters' fingerprint
        String orders = PageRequest.filters("", "");
        List<String> keys = List.of(
                "1|BC-2026-\u0000",
                "\u0000|BC-2026-000001",
                "-9223372036854775808|BC-2026-000001",
                "9223372036854775807|BC-2026-000001",
                "1|BC-2026-000001\u202E",
                "1|BC-2026-000001 or 1=1");
        Map<String, String> seen = new LinkedHashMap<>();
        for (String key : keys) {
            String token = PageRequest.tokenAfter(key, orders);
            seen.put(
                    "orders after " + printable(key),
                    outcome(() -> fleetManager.listPurchaseOrders(ListPurchaseOrdersRequest.newBuilder()
                            .setPageToken(token)
                            .build())));
        }
        for (String key : List.of("AC-\u0000", "\u0000")) {
            String token = PageRequest.tokenAfter(key, "");
            seen.put(
                    "agreements after " + printable(key),
                    outcome(() -> fleetManager.listAgreements(ListAgreementsRequest.newBuilder()
                            .setPageToken(token)
                            .build())));
            String exchanges = PageRequest.tokenAfter(key, "imei=");
            seen.put(
                    "exchange requests after " + printable(key),
                    outcome(() -> fleetManager.listExchangeRequests(ListExchangeRequestsRequest.newBuilder()
                            .setPageToken(exchanges)
                            .build())));
        }
        assertThat(seen)
                .as("a forged token is a bad page_token (400) or a page, never an internal error")
                .allSatisfy((call, answer) -> assertThat(answer)
                        .as(call)
                        .satisfiesAnyOf(
                                a -> assertThat(a).isEqualTo("OK"),
                                a -> assertThat(a)
                                        .startsWith("INVALID_ARGUMENT")
                                        .contains("page_token: is not a token of this listing")));
    }

    @Test
    void aPriceAsLongAsTheContractAllowsIsStoredWithTheAgreementOrRefusedNamingIt() {
        // the contract takes 12 digits before the point for every amount in euros
        String price = "999999999999.99";
        var a = agreement("AC-DEAR", "SUP-DEMO", 10_000_000)
                .clearPriceSchedule()
                .addPriceSchedule(item("ACC-GOLD-CASE", ItemKind.ITEM_KIND_ACCESSORY, price));
        String answer = outcome(() -> fleetManager.createAgreement(create(a)));
        assertThat(answer)
                .satisfiesAnyOf(
                        x -> assertThat(x).isEqualTo("OK"),
                        x -> assertThat(x)
                                .startsWith("INVALID_ARGUMENT")
                                .contains("agreement.price_schedule[0].unit_price"));
        if (answer.equals("OK")) {
            assertThat(fleetManager
                            .getAgreement(GetAgreementRequest.newBuilder()
                                    .setId("AC-DEAR")
                                    .build())
                            .getAgreement()
                            .getPriceSchedule(0)
                            .getUnitPrice())
                    .isEqualTo(price);
        }
    }

    @Test
    void anOrderCommittingMoreThanAnAmountCanHoldIsRefusedNamingItsLinesAndNothingIsStored() {
        var a = agreement("AC-DEAR", "SUP-DEMO", 10_000_000)
                .clearPriceSchedule()
                .addPriceSchedule(item("ACC-GOLD-CASE", ItemKind.ITEM_KIND_ACCESSORY, "99999999.99"))
                .addPriceSchedule(item("ACC-CHARGER", ItemKind.ITEM_KIND_ACCESSORY, "1.00"));
        fleetManager.createAgreement(create(a));
        // 10,000,000 × 99,999,999.99 = 999,999,999,900,000.00 committed: 15 digits before the point
        Supplier<CreatePurchaseOrderRequest> dear = () -> CreatePurchaseOrderRequest.newBuilder()
                .setOrder(order("AC-DEAR", 1, 2026, 6, 1).getOrder().toBuilder()
                        .clearLines()
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("ACC-CHARGER")
                                .setQuantity(1))
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("ACC-GOLD-CASE")
                                .setQuantity(10_000_000)))
                .build();
        assertThat(outcome(() -> fleetManager.createPurchaseOrder(dear.get())))
                .as("an amount no statement, budget or invoice can show (12 digits before the point)")
                .startsWith("INVALID_ARGUMENT")
                .contains("order.lines: would commit");
        assertThat(fleetManager
                        .listPurchaseOrders(ListPurchaseOrdersRequest.getDefaultInstance())
                        .getItemsList())
                .extracting(PurchaseOrder::getNumber)
                .isEmpty();
        // the largest amount an order may commit is still taken, one euro more is not:
        // 10,000 × 99,999,999.99 + 99 × 1.00 = 999,999,999,999.00
        Supplier<CreatePurchaseOrderRequest.Builder> edge = () -> CreatePurchaseOrderRequest.newBuilder()
                .setOrder(dear.get().getOrder().toBuilder()
                        .clearLines()
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("ACC-GOLD-CASE")
                                .setQuantity(10_000)));
        var largest = edge.get();
        largest.getOrderBuilder()
                .addLines(OrderLine.newBuilder().setItemCode("ACC-CHARGER").setQuantity(99));
        assertThat(fleetManager.createPurchaseOrder(largest.build()).getOrder().getAmount())
                .isEqualTo("999999999999.00");
        var over = edge.get();
        over.getOrderBuilder()
                .addLines(OrderLine.newBuilder().setItemCode("ACC-CHARGER").setQuantity(100));
        assertThat(outcome(() -> fleetManager.createPurchaseOrder(over.build())))
                .startsWith("INVALID_ARGUMENT")
                .contains("order.lines: would commit");
    }

    private static String printable(String key) {
        String shown = key.replace("\u0000", "\\0");
        return shown.length() > 40 ? shown.substring(0, 40) + "…" : shown;
    }
}
