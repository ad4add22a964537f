package fr.interieur.neogend.order.supplier;

import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;
import fr.interieur.neogend.order.purchaseorder.OrderLine;
import fr.interieur.neogend.order.purchaseorder.OrderState;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches the supplier when an order is approved then cancelled (rule 6), over an in-memory
 * outbox: a cancellation withdraws an order the supplier has not received, and tells the supplier of
 * one it has, once. {@code SupplierIntakeIT} tries the same against PostgreSQL and a supplier stub.
 */
class SupplierQueueServiceTest {

    /** The outbox in memory: rows with their message and whether the supplier received them. */
    private static final class InMemoryOutbox implements SupplierOutbox {
        record Row(long id, SupplierMessage message, boolean delivered, int attempts, Instant due) {}

        final List<Row> rows = new ArrayList<>();

        @Override
        public void enqueue(SupplierMessage message, Instant at, Instant due) {
            if (rows.stream().noneMatch(r -> r.message().key().equals(message.key()))) {
                rows.add(new Row(rows.size() + 1, message, false, 0, due));
            }
        }

        @Override
        public void lockOrder(String orderNumber) {}

        @Override
        public boolean withdrawOrder(String orderNumber) {
            return rows.removeIf(r -> !r.delivered()
                    && r.message() instanceof SupplierMessage.OrderMessage o
                    && o.orderNumber().equals(orderNumber));
        }

        @Override
        public boolean orderDelivered(String orderNumber) {
            return rows.stream()
                    .anyMatch(r -> r.delivered()
                            && r.message() instanceof SupplierMessage.OrderMessage o
                            && o.orderNumber().equals(orderNumber));
        }

        @Override
        public boolean orderMayHaveReached(String orderNumber) {
            return rows.stream()
                    .anyMatch(r -> (r.delivered() || r.attempts() > 0)
                            && r.message() instanceof SupplierMessage.OrderMessage o
                            && o.orderNumber().equals(orderNumber));
        }

        @Override
        public List<Due> lockDue(int limit) {
            return rows.stream()
                    .filter(r -> !r.delivered())
                    .limit(limit)
                    .map(r -> new Due(r.id(), r.message(), r.attempts()))
                    .toList();
        }

        @Override
        public void delivered(long id, String supplierReference) {
            rows.replaceAll(r -> r.id() == id ? new Row(id, r.message(), true, r.attempts() + 1, r.due()) : r);
        }

        @Override
        public void orderReceived(String orderNumber, String supplierReference) {
            rows.replaceAll(r -> r.message() instanceof SupplierMessage.OrderMessage o
                            && o.orderNumber().equals(orderNumber)
                    ? new Row(r.id(), r.message(), true, r.attempts(), r.due())
                    : r);
        }

        @Override
        public void refused(long id, String reason) {}

        @Override
        public void retryLater(long id, String reason, Duration wait) {
            rows.replaceAll(r -> r.id() == id ? new Row(id, r.message(), false, r.attempts() + 1, r.due()) : r);
        }
    }

    private final InMemoryOutbox outbox = new InMemoryOutbox();
    private final SupplierQueueService queue = new SupplierQueueService(outbox, Duration.ofSeconds(5));
    private final Instant now = Instant.parse("2027-03-10T09:00:00Z");

    private static PurchaseOrder order(String number) {
        return new PurchaseOrder(
                number,
                "AC-1",
                OrderState.APPROVED,
                "Rennes",
                LocalDate.of(2027, 4, 1),
                2027,
                Money.of("100.00"),
                2,
                List.of(new OrderLine(
                        "PACK-PHONE", ItemKind.PACK_LEASE, Optional.of("PHONE_INDIVIDUAL"), 2, Money.of("50.00"))),
                List.of(),
                Instant.EPOCH,
                1);
    }

    @Test
    void anApprovedOrderIsQueuedWithItsLinesAndKeyedByItsNumber() {
        queue.enqueue(order("BC-2027-000001"), now);
        assertThat(outbox.lockDue(10)).singleElement().satisfies(d -> {
            assertThat(d.message().key()).isEqualTo("BC-2027-000001");
            assertThat(d.message())
                    .isEqualTo(new SupplierMessage.OrderMessage(
                            "BC-2027-000001",
                            "AC-1",
                            "Rennes",
                            "2027-04-01",
                            List.of(new SupplierMessage.Line("PACK-PHONE", 2, "50.00"))));
        });
    }

    @Test
    void aCancellationBeforeTheSupplierReceivedTheOrderWithdrawsItAndTellsNothing() {
        queue.enqueue(order("BC-2027-000001"), now);
        queue.cancelled(order("BC-2027-000001"), "budget cut", now);
        assertThat(outbox.rows).isEmpty();
    }

    @Test
    void aCancellationAfterASendWithoutAnswerIsSentOnceTheLastAttemptHadItsTimeLimit() {
        queue.enqueue(order("BC-2027-000001"), now);
        outbox.retryLater(outbox.lockDue(1).getFirst().id(), "no answer within the time limit", Duration.ZERO);
        queue.cancelled(order("BC-2027-000001"), "budget cut", now);
        assertThat(outbox.rows).singleElement().satisfies(r -> {
            assertThat(r.message()).isInstanceOf(SupplierMessage.CancellationMessage.class);
            assertThat(r.message().key()).isEqualTo("BC-2027-000001-CANCELLATION");
            assertThat(r.due()).isEqualTo(now.plusSeconds(5));
        });
    }

    @Test
    void aCancellationOfAReceivedOrderIsSentOnceUnderItsOwnKey() {
        queue.enqueue(order("BC-2027-000001"), now);
        outbox.delivered(outbox.lockDue(1).getFirst().id(), "SUP-1");
        queue.cancelled(order("BC-2027-000001"), "budget cut", now);
        queue.cancelled(order("BC-2027-000001"), "budget cut", now); // repeated: kept once
        assertThat(outbox.lockDue(10)).singleElement().satisfies(d -> {
            assertThat(d.message().key()).isEqualTo("BC-2027-000001-CANCELLATION");
            assertThat(d.message()).isInstanceOf(SupplierMessage.CancellationMessage.class);
        });
    }
}
