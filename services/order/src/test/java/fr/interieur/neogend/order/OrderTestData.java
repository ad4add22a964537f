package fr.interieur.neogend.order;

import com.google.type.Date;
import fr.interieur.neogend.inventory.v1.PackType;
import fr.interieur.neogend.order.v1.BudgetEnvelope;
import fr.interieur.neogend.order.v1.CatalogueItem;
import fr.interieur.neogend.order.v1.CreateAgreementRequest;
import fr.interieur.neogend.order.v1.CreatePurchaseOrderRequest;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.ItemKind;
import fr.interieur.neogend.order.v1.OrderLine;
import fr.interieur.neogend.order.v1.PurchaseOrder;
import org.springframework.jdbc.core.simple.JdbcClient;

/** An agreement like the NéoGEND one, and orders against it. */
public final class OrderTestData {

    private OrderTestData() {}

    public static void reset(JdbcClient jdbc) {
        jdbc.sql("delete from invoice_line").update();
        jdbc.sql("delete from invoice").update();
        jdbc.sql("delete from item_reception").update();
        jdbc.sql("delete from delivered_device").update();
        jdbc.sql("delete from delivered_item").update();
        jdbc.sql("delete from delivery").update();
        jdbc.sql("delete from supplier_outbox").update();
        jdbc.sql("delete from exchange_request").update();
        jdbc.sql("delete from purchase_order_transition").update();
        jdbc.sql("delete from purchase_order_line").update();
        jdbc.sql("delete from purchase_order").update();
        jdbc.sql("delete from catalogue_item").update();
        jdbc.sql("delete from budget_envelope").update();
        jdbc.sql("delete from transferred_packs").update();
        jdbc.sql("delete from transfer_unconfirmed").update();
        jdbc.sql("delete from framework_agreement").update();
    }

    public static FrameworkAgreement.Builder agreement(String id, String supplierId, long maxPacks) {
        return FrameworkAgreement.newBuilder()
                .setId(id)
                .setTitle("Mobility packs for " + id)
                .setSupplierId(supplierId)
                .setSupplierName("Supplier " + supplierId)
                .setNotifiedOn(Date.newBuilder().setYear(2026).setMonth(1).setDay(15))
                .setTermMonths(48)
                .setMinPacks(maxPacks / 4)
                .setMaxPacks(maxPacks)
                .setEstimatedValue("53000000.00")
                .setVatRate("0.20")
                .addBudgets(BudgetEnvelope.newBuilder().setFiscalYear(2026).setAmount("13250000.00"))
                .addBudgets(BudgetEnvelope.newBuilder().setFiscalYear(2027).setAmount("13250000.00"))
                .addPriceSchedule(item("PACK-SMARTPHONE-INDIVIDUAL", ItemKind.ITEM_KIND_PACK_LEASE, "21.90")
                        .setPackType(PackType.PACK_TYPE_SMARTPHONE_INDIVIDUAL))
                .addPriceSchedule(item("PACK-TABLET-COLLECTIVE", ItemKind.ITEM_KIND_PACK_LEASE, "27.50")
                        .setPackType(PackType.PACK_TYPE_TABLET_COLLECTIVE))
                .addPriceSchedule(item("ACC-CAR-CHARGER", ItemKind.ITEM_KIND_ACCESSORY, "12.35"))
                .addPriceSchedule(item("SP-SCREEN-X5", ItemKind.ITEM_KIND_SPARE_PART, "48.00"))
                .addPriceSchedule(item("TRAINING-DAY-L1", ItemKind.ITEM_KIND_TRAINING_DAY, "950.00"));
    }

    static CatalogueItem.Builder item(String code, ItemKind kind, String price) {
        return CatalogueItem.newBuilder()
                .setCode(code)
                .setKind(kind)
                .setLabel(code.toLowerCase())
                .setUnitPrice(price);
    }

    public static CreateAgreementRequest create(FrameworkAgreement.Builder a) {
        return CreateAgreementRequest.newBuilder().setAgreement(a).build();
    }

    /** An order for {@code phones} smartphone packs delivered on the given date. */
    public static CreatePurchaseOrderRequest order(String agreementId, long phones, int year, int month, int day) {
        return CreatePurchaseOrderRequest.newBuilder()
                .setOrder(PurchaseOrder.newBuilder()
                        .setAgreementId(agreementId)
                        .setDeliverySite("Dépôt central, Rennes")
                        .setRequestedDate(
                                Date.newBuilder().setYear(year).setMonth(month).setDay(day))
                        .addLines(OrderLine.newBuilder()
                                .setItemCode("PACK-SMARTPHONE-INDIVIDUAL")
                                .setQuantity(phones)))
                .build();
    }
}
