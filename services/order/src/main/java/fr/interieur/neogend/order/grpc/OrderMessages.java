package fr.interieur.neogend.order.grpc;

import fr.interieur.neogend.contract.Decimals;
import fr.interieur.neogend.contract.InvalidValueException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.order.agreement.Agreement;
import fr.interieur.neogend.order.agreement.Consumption;
import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.billing.Invoice;
import fr.interieur.neogend.order.billing.PatchSla;
import fr.interieur.neogend.order.billing.Statement;
import fr.interieur.neogend.order.delivery.Delivery;
import fr.interieur.neogend.order.exchange.ExchangeRequest;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import fr.interieur.neogend.order.v1.AgreementConsumption;
import fr.interieur.neogend.order.v1.BudgetEnvelope;
import fr.interieur.neogend.order.v1.FiscalYearConsumption;
import fr.interieur.neogend.order.v1.FrameworkAgreement;
import fr.interieur.neogend.order.v1.PackTypeConsumption;
import fr.interieur.neogend.order.v1.PatchSlaClause;
import fr.interieur.neogend.order.v1.PatchSlaReport;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static fr.interieur.neogend.kit.grpc.ProtoMapping.date;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.text;
import static fr.interieur.neogend.kit.grpc.ProtoMapping.timestamp;

/**
 * The contract's messages made from the domain's values, and requests read into them, for
 * {@link OrderGrpcService}: the mapping kept out of the handlers (issue 19), so that a handler reads as
 * what it does.
 */
final class OrderMessages {

    private OrderMessages() {}

    static fr.interieur.neogend.order.v1.LeaseStatement toProto(Statement s) {
        var b = fr.interieur.neogend.order.v1.LeaseStatement.newBuilder()
                .setAgreementId(s.agreementId())
                .setYear(s.year())
                .setMonth(s.month())
                .setDaysInMonth(s.daysInMonth())
                .setTotalExclTax(money(s.totalExclTax()))
                .setVatRate(s.vatRate().stripTrailingZeros().toPlainString())
                .setVat(money(s.vat()))
                .setTotalInclTax(money(s.totalInclTax()));
        s.lines()
                .forEach(l -> b.addLinesBuilder()
                        .setItemCode(l.itemCode())
                        .setKind(OrderEnums.toProto(l.kind()))
                        .setLabel(l.label())
                        .setQuantity(l.quantity())
                        .setBilledDays(l.billedDays())
                        .setUnitPrice(money(l.unitPrice()))
                        .setAmount(money(l.amount()))
                        .setCourseCode(l.courseCode().orElse("")));
        return b.build();
    }

    static fr.interieur.neogend.order.v1.Invoice toProto(Invoice i) {
        var b = fr.interieur.neogend.order.v1.Invoice.newBuilder()
                .setId(i.id())
                .setAgreementId(i.agreementId())
                .setInvoiceNumber(i.invoiceNumber())
                .setYear(i.year())
                .setMonth(i.month())
                .setTotalExclTax(money(i.totalExclTax()))
                .setCreateTime(timestamp(i.createdAt()));
        i.lines()
                .forEach(l -> b.addLinesBuilder()
                        .setItemCode(l.itemCode())
                        .setQuantity(l.quantity())
                        .setAmount(money(l.amount())));
        return b.build();
    }

    static fr.interieur.neogend.order.v1.Delivery toProto(Delivery d) {
        var b = fr.interieur.neogend.order.v1.Delivery.newBuilder()
                .setId(d.id())
                .setOrderNumber(d.orderNumber())
                .setDeliveryNoteNumber(d.deliveryNoteNumber())
                .setState(OrderEnums.toProto(d.state()))
                .setCreateTime(timestamp(d.createdAt()));
        d.devices().forEach(x -> {
            var dev = b.addDevicesBuilder()
                    .setImei(x.imei())
                    .setSerialNumber(x.serialNumber())
                    .setModel(x.model())
                    .setKind(OrderEnums.deviceKindToProto(x.kind()))
                    .setItemCode(x.itemCode());
            x.receivedOn().ifPresent(day -> dev.setReceivedOn(date(day)));
        });
        d.items()
                .forEach(x -> b.addItemsBuilder()
                        .setItemCode(x.itemCode())
                        .setQuantity(x.quantity())
                        .setReceivedQuantity(x.receivedQuantity()));
        return b.build();
    }

    static AgreementConsumption toProto(Consumption c) {
        var out = AgreementConsumption.newBuilder()
                .setAgreementId(c.agreementId())
                .setPacksOrdered(c.packsOrdered())
                .setMaxPacks(c.maxPacks())
                .setHeadroom(c.headroom())
                .setMinPacks(c.minPacks())
                .setForecastPacks(c.forecastPacks())
                .setForecastShortfall(c.forecastShortfall())
                .setPacksReceived(c.packsReceived())
                .setAmountInvoiced(money(c.amountInvoiced()))
                .setPacksTransferredIn(c.packsTransferredIn());
        c.byPackType()
                .forEach((type, n) -> out.addByPackType(PackTypeConsumption.newBuilder()
                        .setPackType(OrderEnums.toProto(type))
                        .setPacksOrdered(n)));
        c.byFiscalYear()
                .forEach((year, figures) -> out.addByFiscalYear(FiscalYearConsumption.newBuilder()
                        .setFiscalYear(year)
                        .setBudget(money(figures.budget()))
                        .setCommitted(money(figures.committed()))
                        .setRemaining(money(figures.remaining()))
                        .setInvoiced(money(figures.invoiced()))));
        return out.build();
    }

    static FrameworkAgreement toProto(Agreement a) {
        var b = FrameworkAgreement.newBuilder()
                .setId(a.id())
                .setTitle(a.title())
                .setSupplierId(a.supplierId())
                .setSupplierName(a.supplierName())
                .setNotifiedOn(date(a.notifiedOn()))
                .setTermMonths(a.termMonths())
                .setMinPacks(a.minPacks())
                .setMaxPacks(a.maxPacks())
                .setEstimatedValue(money(a.estimatedValue()))
                .setVatRate(a.vatRate().stripTrailingZeros().toPlainString())
                .setTermEnd(date(a.termEnd()));
        a.patchSla()
                .ifPresent(sla -> b.setPatchSla(PatchSlaClause.newBuilder()
                        .setDelayDays(sla.delayDays())
                        .setPenaltyPerDay(
                                sla.penaltyPerDay().map(OrderMessages::money).orElse(""))));
        a.budgets().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.addBudgets(
                        BudgetEnvelope.newBuilder().setFiscalYear(e.getKey()).setAmount(money(e.getValue()))));
        a.priceSchedule().forEach(i -> {
            var item = b.addPriceScheduleBuilder()
                    .setCode(i.code())
                    .setKind(OrderEnums.toProto(i.kind()))
                    .setLabel(i.label())
                    .setUnitPrice(money(i.unitPrice()));
            i.packType().ifPresent(t -> item.setPackType(OrderEnums.toProto(t)));
        });
        return b.build();
    }

    static PatchSlaReport toProto(PatchSla sla) {
        var out = PatchSlaReport.newBuilder().setAgreementId(sla.agreementId());
        sla.clause()
                .ifPresent(c -> out.setClause(PatchSlaClause.newBuilder()
                        .setDelayDays(c.delayDays())
                        .setPenaltyPerDay(
                                c.penaltyPerDay().map(OrderMessages::money).orElse(""))));
        sla.releases().forEach(r -> {
            var t = r.timeline();
            var line = out.addReleasesBuilder()
                    .setReleaseId(t.releaseId())
                    .setModel(t.model())
                    .setBuildFingerprint(t.buildFingerprint())
                    .setSecurityPatchLevel(date(t.patchLevel()))
                    .setBulletinDate(date(t.bulletinDate()))
                    .setPublishedOn(date(r.publishedOn()))
                    .setDaysToPublish(r.daysToPublish())
                    .setTargeted(t.targeted())
                    .setConfirmed(t.confirmed())
                    .setLateDays(r.lateDays())
                    .setPenalty(money(r.penalty()));
            r.approvedOn().ifPresent(d -> line.setApprovedOn(date(d)));
            r.fleetConfirmedOn().ifPresent(d -> line.setFleetConfirmedOn(date(d)));
            r.daysToApprove().ifPresent(line::setDaysToApprove);
            r.daysToFleetConfirmed().ifPresent(line::setDaysToFleetConfirmed);
        });
        sla.months()
                .forEach(m -> out.addMonthsBuilder()
                        .setYear(m.month().getYear())
                        .setMonth(m.month().getMonthValue())
                        .setReleases(m.releases())
                        .setLateReleases(m.lateReleases())
                        .setLateDays(m.lateDays())
                        .setPenalty(money(m.penalty()))
                        .setMaxDaysToPublish(m.maxDaysToPublish())
                        .setAverageDaysToPublish(m.averageDaysToPublish()));
        return out.build();
    }

    static fr.interieur.neogend.order.v1.PurchaseOrder toProto(PurchaseOrder o) {
        var b = fr.interieur.neogend.order.v1.PurchaseOrder.newBuilder()
                .setNumber(o.number())
                .setState(state(o.state()))
                .setPackCount(o.packCount())
                .setAgreementId(o.agreementId())
                .setDeliverySite(o.deliverySite())
                .setRequestedDate(date(o.requestedDate()))
                .setAmount(money(o.amount()))
                .setFiscalYear(o.fiscalYear())
                .setVersion(o.version())
                .setCreateTime(timestamp(o.createdAt()));
        o.lines()
                .forEach(l -> b.addLinesBuilder()
                        .setItemCode(l.itemCode())
                        .setQuantity(l.quantity())
                        .setUnitPrice(money(l.unitPrice()))
                        .setKind(OrderEnums.toProto(l.kind())));
        o.transitions().forEach(t -> {
            var tb = b.addTransitionsBuilder()
                    .setToState(state(t.to()))
                    .setActor(t.actor())
                    .setTime(timestamp(t.at()));
            t.from().ifPresent(f -> tb.setFromState(state(f)));
            t.reason().ifPresent(tb::setReason);
        });
        return b.build();
    }

    static fr.interieur.neogend.order.v1.OrderState state(OrderState s) {
        return OrderEnums.toProto(s);
    }

    static ItemKind kindOf(fr.interieur.neogend.order.v1.ItemKind kind, String field) {
        return switch (kind) {
            case ITEM_KIND_PACK_LEASE -> ItemKind.PACK_LEASE;
            case ITEM_KIND_ACCESSORY -> ItemKind.ACCESSORY;
            case ITEM_KIND_SPARE_PART -> ItemKind.SPARE_PART;
            case ITEM_KIND_TRAINING_DAY -> ItemKind.TRAINING_DAY;
            case ITEM_KIND_PATCH_SLA_DEDUCTION ->
                throw InvalidArgumentException.of(
                        field, "ITEM_KIND_PATCH_SLA_DEDUCTION is computed on statements, never priced in a schedule");
            case ITEM_KIND_UNSPECIFIED, UNRECOGNIZED -> throw InvalidArgumentException.of(field, "is required");
        };
    }

    /**
     * An amount in euros from a request: plain decimal notation, at most 12 digits before the point
     * and 2 after ({@link Decimals} — the one parser of every decimal a caller sends; no exponent, so
     * no input costs more than its length), never negative: the domain's {@link Money}.
     */
    static Money money(String text, String field) {
        return new Money(decimal(text, Decimals.Shape.MONEY, field));
    }

    /** An amount that may be negative (an invoice's patch SLA deduction): as {@link #money(String, String)} otherwise. */
    static Money signedMoney(String text, String field) {
        return new Money(decimal(text, new Decimals.Shape(12, 2, true), field));
    }

    /** A VAT rate: "0.20", at most 4 decimals. */
    static BigDecimal rate(String text, String field) {
        return decimal(text, new Decimals.Shape(1, 4, false), field);
    }

    static BigDecimal decimal(String text, Decimals.Shape shape, String field) {
        try {
            return Decimals.parse(text, shape, field);
        } catch (InvalidValueException e) {
            throw InvalidArgumentException.of(e.field(), e.problem());
        }
    }

    static String money(Money amount) {
        return amount.toString();
    }

    /** The lines a caller asks for (their price and kind come from the schedule, never from the request). */
    static List<PurchaseOrderService.NewLine> newLines(fr.interieur.neogend.order.v1.PurchaseOrder o) {
        return o.getLinesList().stream()
                .map(l -> new PurchaseOrderService.NewLine(l.getItemCode(), l.getQuantity()))
                .toList();
    }

    static LocalDate requestedDate(fr.interieur.neogend.order.v1.PurchaseOrder o) {
        return o.hasRequestedDate() ? date(o.getRequestedDate(), "order.requested_date") : null;
    }

    static fr.interieur.neogend.order.v1.ExchangeRequest toProto(ExchangeRequest e) {
        var b = fr.interieur.neogend.order.v1.ExchangeRequest.newBuilder()
                .setNumber(e.number())
                .setAgreementId(e.agreementId())
                .setImei(e.imei())
                .setModel(e.model())
                .setReason(e.reason())
                .setState(OrderEnums.toProto(e.state()))
                .setRequestedBy(e.requestedBy())
                .setRequestTime(timestamp(e.requestedAt()));
        e.repairReference().ifPresent(b::setRepairReference);
        e.supplierReference().ifPresent(b::setSupplierReference);
        e.refusalReason().ifPresent(b::setRefusalReason);
        return b.build();
    }

    static OptionalLong version(boolean present, long value) {
        return present ? OptionalLong.of(value) : OptionalLong.empty();
    }
}
