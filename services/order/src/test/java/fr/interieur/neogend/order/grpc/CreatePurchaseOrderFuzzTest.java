package fr.interieur.neogend.order.grpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.type.Date;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.CatalogueItem;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderLine;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import fr.interieur.neogend.order.v1.OrderLine.Builder;
import fr.interieur.neogend.order.v1.PurchaseOrder;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile order requests, on the part of CreatePurchaseOrder that needs no database: the proto →
 * domain mapping ({@link OrderMessages#newLines}, {@link OrderMessages#requestedDate}) and
 * {@link PurchaseOrderService#checkAndPrice} against an agreement. (The rest of {@code create} reads
 * the agreement and stores the order; {@code OrderServiceIT} covers it on PostgreSQL.) Either the
 * order is accepted — every line from the schedule at the schedule's price, no repeat, a quantity
 * within the maximum — or it is refused with {@link InvalidArgumentException} naming
 * {@code order.*} fields; never another exception. Regression mode replays
 * {@code src/test/resources/…/CreatePurchaseOrderFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class CreatePurchaseOrderFuzzTest {

    private static final Agreement AGREEMENT = new Agreement(
            "AC-2026-001",
            "Mobility packs",
            "SUP-1",
            "Supplier",
            LocalDate.of(2026, 1, 1),
            48,
            100,
            5_000,
            Money.of("50000000.00"),
            new BigDecimal("0.20"),
            Map.of(2026, Money.of("12500000.00")),
            List.of(
                    new CatalogueItem(
                            "PACK-SMART",
                            ItemKind.PACK_LEASE,
                            "smartphone pack",
                            Optional.of("PACK_TYPE_SMARTPHONE_INDIVIDUAL"),
                            Money.of("32.50")),
                    new CatalogueItem(
                            "CASE", ItemKind.ACCESSORY, "protective case", Optional.empty(), Money.of("19.90")),
                    new CatalogueItem(
                            "TRAINING-DAY",
                            ItemKind.TRAINING_DAY,
                            "training day",
                            Optional.empty(),
                            Money.of("950.00"))),
            java.util.Optional.empty());
    private static final List<String> CODES = List.of("PACK-SMART", "CASE", "TRAINING-DAY");

    @FuzzTest(maxDuration = "60s")
    void anyOrderIsPricedOrRefusedCleanly(FuzzedDataProvider data) {
        PurchaseOrder.Builder order = PurchaseOrder.newBuilder()
                .setAgreementId(AGREEMENT.id())
                .setDeliverySite(data.consumeBoolean() ? "Caserne de Rennes" : data.consumeString(400));
        if (data.consumeBoolean()) {
            order.setRequestedDate(
                    data.consumeBoolean()
                            ? Date.newBuilder()
                                    .setYear(data.consumeInt(2025, 2031))
                                    .setMonth(data.consumeInt(0, 13))
                                    .setDay(data.consumeInt(0, 32))
                            : Date.newBuilder()
                                    .setYear(data.consumeInt())
                                    .setMonth(data.consumeInt())
                                    .setDay(data.consumeInt()));
        }
        int lines = data.consumeInt(0, 210);
        for (int i = 0; i < lines && data.remainingBytes() > 0; i++) {
            Builder line = order.addLinesBuilder()
                    .setItemCode(data.consumeBoolean() ? data.pickValue(CODES) : data.consumeString(20))
                    .setQuantity(data.consumeBoolean() ? data.consumeLong(-2, 6_000) : data.consumeLong());
            if (data.consumeBoolean()) { // what a client may not set: ignored, the schedule decides
                line.setUnitPrice(data.consumeString(10));
            }
        }
        PurchaseOrder request = order.build();
        try {
            List<OrderLine> priced = PurchaseOrderService.checkAndPrice(
                    AGREEMENT,
                    request.getDeliverySite(),
                    OrderMessages.requestedDate(request),
                    OrderMessages.newLines(request));
            assertThat(priced).hasSize(request.getLinesCount()).hasSizeBetween(1, 200);
            assertThat(new HashSet<>(priced.stream().map(OrderLine::itemCode).toList()))
                    .hasSize(priced.size());
            for (int i = 0; i < priced.size(); i++) {
                OrderLine line = priced.get(i);
                CatalogueItem item = AGREEMENT.item(line.itemCode()).orElseThrow();
                assertThat(line.unitPrice()).isEqualTo(item.unitPrice());
                assertThat(line.kind()).isEqualTo(item.kind());
                assertThat(line.quantity())
                        .isEqualTo(request.getLines(i).getQuantity())
                        .isBetween(1L, AGREEMENT.maxPacks());
            }
            assertThat(request.getDeliverySite().strip()).isNotEmpty();
        } catch (InvalidArgumentException e) {
            assertThat(e.violations())
                    .isNotEmpty()
                    .allSatisfy(v -> assertThat(v.field()).startsWith("order."));
        }
    }
}
