package fr.interieur.neogend.order.supplier;

import feign.FeignException;
import feign.RetryableException;
import fr.interieur.neogend.order.exchange.ExchangeRequestService;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import fr.interieur.neogend.kit.background.PollingLoop;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * Sends approved orders (DOMAIN rule 6) and exchange requests (rule 16) to the supplier, at least once
 * and never twice in effect: every attempt of one carries the same {@code Idempotency-Key} (its number), and the supplier
 * answers a repeat as the first time. Each call is bounded by a Resilience4j time limit, retried a few
 * times at once for transient failures (5xx, timeouts, connection refused), and guarded by a circuit
 * breaker so a supplier that is down is not hammered; then the order waits in the outbox with
 * exponential back-off up to {@code max-backoff} and is tried again, however long the outage. A 409
 * (received already under this key) counts as received; a 4xx refusal stops the retries and is kept
 * with its reason for a person to look at. Once received, the order goes SENT.
 */
@Component
class SupplierRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SupplierRelay.class);
    private static final int BATCH = 20;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SupplierOrderIntakeClient client;
    private final PurchaseOrderService orders;
    private final ExchangeRequestService exchanges;
    private final Duration maxBackoff;
    private final CircuitBreaker circuitBreaker;
    private final Retry retry;
    private final TimeLimiter timeLimiter;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final PollingLoop loop;

    SupplierRelay(JdbcClient jdbc, TransactionTemplate tx, SupplierOrderIntakeClient client, PurchaseOrderService orders,
                  ExchangeRequestService exchanges,
                  @Value("${neogend.supplier.poll-interval:1s}") Duration pollInterval,
                  @Value("${neogend.supplier.max-backoff:5m}") Duration maxBackoff,
                  @Value("${neogend.supplier.time-limit:5s}") Duration timeLimit,
                  @Value("${neogend.supplier.retry.attempts:3}") int attempts,
                  @Value("${neogend.supplier.retry.wait:200ms}") Duration retryWait,
                  @Value("${neogend.supplier.circuit-breaker.open-for:30s}") Duration openFor) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.client = client;
        this.orders = orders;
        this.exchanges = exchanges;
        this.loop = new PollingLoop("supplier-relay", pollInterval, this::sendDue, BATCH);
        this.maxBackoff = maxBackoff;
        this.timeLimiter = TimeLimiter.of("supplier-intake", TimeLimiterConfig.custom().timeoutDuration(timeLimit)
                .cancelRunningFuture(true).build());
        this.retry = Retry.of("supplier-intake", RetryConfig.custom().maxAttempts(attempts).waitDuration(retryWait)
                .retryOnException(SupplierRelay::transient_).build());
        this.circuitBreaker = CircuitBreaker.of("supplier-intake", CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(openFor).permittedNumberOfCallsInHalfOpenState(1)
                .recordException(SupplierRelay::transient_).build());
    }

    /** Worth retrying: the supplier was unreachable, slow or failing, not refusing the order. */
    static boolean transient_(Throwable e) {
        if (e instanceof FeignException fe) {
            return fe instanceof RetryableException || fe.status() >= 500 || fe.status() == 429 || fe.status() < 0;
        }
        return e instanceof TimeoutException || e instanceof java.io.IOException;
    }

    /** An outbox row: an approved order or an exchange request. */
    private record Due(long id, String orderNumber, String exchangeNumber, String kind, String payload, int attempts) {

        /** The Idempotency-Key and the name in logs: the order's or the request's number. */
        String key() {
            return kind.equals("CANCELLATION") ? orderNumber + "-CANCELLATION"
                    : orderNumber != null ? orderNumber : exchangeNumber;
        }

        String what() {
            return kind.equals("CANCELLATION") ? "cancellation of order " + orderNumber
                    : orderNumber != null ? "order " + orderNumber : "exchange request " + exchangeNumber;
        }
    }

    /** What an attempt came to. */
    private sealed interface Outcome {
        record Received(String reference) implements Outcome {
        }

        record Retry(String reason) implements Outcome {
        }

        record Refused(String reason) implements Outcome {
        }
    }

    /**
     * Sends the orders due now, stopping at the first transient failure (the supplier is likely down).
     *
     * @return orders the supplier received
     */
    int sendDue() {
        Integer sent = tx.execute(status -> {
            List<Due> due = jdbc.sql("""
                            select id, order_number, exchange_number, kind, payload::text, attempts from supplier_outbox
                            where delivered_at is null and refused_at is null and next_attempt_at <= now()
                            order by id limit ? for update skip locked""")
                    .param(BATCH)
                    .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6))).list();
            int received = 0;
            for (Due d : due) {
                Outcome outcome = send(d);
                switch (outcome) {
                    case Outcome.Received r -> {
                        jdbc.sql("""
                                        update supplier_outbox set delivered_at = now(), attempts = attempts + 1,
                                               supplier_reference = ?, last_error = null where id = ?""")
                                .params(r.reference(), d.id()).update();
                        switch (d.kind()) {
                            case "ORDER" -> orders.markSent(d.orderNumber(), r.reference());
                            case "EXCHANGE" -> exchanges.markSent(d.exchangeNumber(), r.reference());
                            default -> log.info("supplier received the cancellation of order {} ({})", d.orderNumber(),
                                    r.reference());
                        }
                        received++;
                    }
                    case Outcome.Refused r -> {
                        jdbc.sql("update supplier_outbox set refused_at = now(), attempts = attempts + 1, last_error = ? "
                                + "where id = ?").params(r.reason(), d.id()).update();
                        if (d.kind().equals("CANCELLATION")) {
                            log.error("supplier refused the cancellation of order {}: {}; someone must call it",
                                    d.orderNumber(), r.reason());
                        } else if (d.orderNumber() != null) {
                            log.error("supplier refused order {}: {}; it stays APPROVED until someone looks at it",
                                    d.orderNumber(), r.reason());
                        } else {
                            exchanges.markRefused(d.exchangeNumber(), r.reason());
                            log.error("supplier refused exchange request {}: {}; a new request may be made",
                                    d.exchangeNumber(), r.reason());
                        }
                    }
                    case Outcome.Retry r -> {
                        Duration wait = backoff(d.attempts() + 1);
                        jdbc.sql("""
                                        update supplier_outbox set attempts = attempts + 1, last_error = ?,
                                               next_attempt_at = now() + ? * interval '1 millisecond' where id = ?""")
                                .params(r.reason(), wait.toMillis(), d.id()).update();
                        log.warn("{} not received by the supplier (attempt {}): {}; next try in {}",
                                d.what(), d.attempts() + 1, r.reason(), wait);
                        return received;
                    }
                }
            }
            return received;
        });
        return sent == null ? 0 : sent;
    }

    private Outcome send(Due d) {
        Supplier<SupplierOrderIntakeClient.Receipt> call;
        if (d.kind().equals("CANCELLATION")) {
            var cancellation = SupplierOutbox.JSON.readValue(d.payload(),
                    SupplierOrderIntakeClient.CancellationMessage.class);
            call = () -> client.receiveCancellation(d.key(), d.orderNumber(), cancellation);
        } else if (d.orderNumber() != null) {
            var order = SupplierOutbox.JSON.readValue(d.payload(), SupplierOrderIntakeClient.OrderMessage.class);
            call = () -> client.receiveOrder(d.key(), order);
        } else {
            var exchange = SupplierOutbox.JSON.readValue(d.payload(), SupplierOrderIntakeClient.ExchangeMessage.class);
            call = () -> client.receiveExchangeRequest(d.key(), exchange);
        }
        try {
            SupplierOrderIntakeClient.Receipt receipt = circuitBreaker.executeCallable(() -> retry.executeCallable(() ->
                    timeLimiter.executeFutureSupplier(() -> CompletableFuture.supplyAsync(call, calls))));
            return new Outcome.Received(Optional.ofNullable(receipt).map(SupplierOrderIntakeClient.Receipt::supplierReference)
                    .orElse(""));
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof FeignException fe && fe.status() == 409) {
                return new Outcome.Received("(received already under key " + d.key() + ")");
            }
            if (cause instanceof CallNotPermittedException) {
                return new Outcome.Retry("circuit breaker open: the supplier failed too often lately");
            }
            if (cause instanceof FeignException fe && !transient_(fe)) {
                return new Outcome.Refused("HTTP " + fe.status() + " " + truncate(fe.contentUTF8()));
            }
            return new Outcome.Retry(cause instanceof TimeoutException ? "no answer within the time limit"
                    : cause instanceof FeignException fe ? "HTTP " + fe.status() + " " + truncate(fe.getMessage())
                    : truncate(cause.toString()));
        }
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) : s;
    }

    private Duration backoff(int attempts) {
        Duration wait = Duration.ofSeconds(1L << Math.min(attempts - 1, 20));
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    CircuitBreaker.State circuitState() {
        return circuitBreaker.getState();
    }

    @Override
    public void start() {
        loop.start();
    }

    @Override
    public void stop() {
        loop.stop();
        calls.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }
}
