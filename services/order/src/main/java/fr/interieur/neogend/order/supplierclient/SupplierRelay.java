package fr.interieur.neogend.order.supplierclient;

import feign.FeignException;
import feign.RetryableException;
import fr.interieur.neogend.kit.background.PollingLoop;
import fr.interieur.neogend.order.exchange.ExchangeRequestService;
import fr.interieur.neogend.order.purchaseorder.PurchaseOrderService;
import fr.interieur.neogend.order.supplier.SupplierMessage;
import fr.interieur.neogend.order.supplier.SupplierOutbox;
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
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sends approved orders (DOMAIN rule 6) and exchange requests (rule 16) to the supplier, at least once
 * and never twice in effect: every attempt of one carries the same {@code Idempotency-Key} (its number), and the supplier
 * answers a repeat as the first time. Each call is bounded by a Resilience4j time limit, retried a few
 * times at once for transient failures (5xx, timeouts, connection refused), and guarded by a circuit
 * breaker so a supplier that is down is not hammered; then the order waits in the outbox with
 * exponential back-off up to {@code max-backoff} and is tried again, however long the outage. A 409
 * (received already under this key) counts as received; a refusal (422, or 400: our request is
 * malformed) stops the retries and is kept with its reason for a person to look at; any other answer
 * (401, 403, 404, 408, 413…, 5xx) is a passing failure, retried like an outage. Once received, the order
 * goes SENT. The cancellation of an
 * order the supplier may hold without having confirmed it (a send cut at the time limit) counts as done
 * when the supplier answers it has no such order (404, or 422 "unknown order").
 */
@Component
class SupplierRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SupplierRelay.class);
    private static final int BATCH = 20;

    private final SupplierOutbox outbox;
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

    SupplierRelay(
            SupplierOutbox outbox,
            TransactionTemplate tx,
            SupplierOrderIntakeClient client,
            PurchaseOrderService orders,
            ExchangeRequestService exchanges,
            @Value("${neogend.supplier.poll-interval:1s}") Duration pollInterval,
            @Value("${neogend.supplier.max-backoff:5m}") Duration maxBackoff,
            @Value("${neogend.supplier.time-limit:5s}") Duration timeLimit,
            @Value("${neogend.supplier.retry.attempts:3}") int attempts,
            @Value("${neogend.supplier.retry.wait:200ms}") Duration retryWait,
            @Value("${neogend.supplier.circuit-breaker.open-for:30s}") Duration openFor) {
        this.outbox = outbox;
        this.tx = tx;
        this.client = client;
        this.orders = orders;
        this.exchanges = exchanges;
        this.loop = new PollingLoop("supplier-relay", pollInterval, this::sendDue, BATCH);
        this.maxBackoff = maxBackoff;
        this.timeLimiter = TimeLimiter.of(
                "supplier-intake",
                TimeLimiterConfig.custom()
                        .timeoutDuration(timeLimit)
                        .cancelRunningFuture(true)
                        .build());
        this.retry = Retry.of(
                "supplier-intake",
                RetryConfig.custom()
                        .maxAttempts(attempts)
                        .waitDuration(retryWait)
                        .retryOnException(SupplierRelay::transient_)
                        .build());
        this.circuitBreaker = CircuitBreaker.of(
                "supplier-intake",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(10)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(openFor)
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .recordException(SupplierRelay::transient_)
                        .build());
    }

    /**
     * Worth retrying: the supplier was unreachable, slow or failing, not refusing the order. Only the
     * contract's final answers are not: 422 (refused), 400 (our request is malformed: a repeat cannot
     * help) and 409 (received already). Any other status — 5xx, 429, and 401, 403, 404, 408, 413… from
     * a proxy, an expired credential or a supplier being redeployed — is a passing failure.
     */
    static boolean transient_(Throwable e) {
        if (e instanceof FeignException fe) {
            return fe instanceof RetryableException || !finalAnswer(fe.status());
        }
        return e instanceof TimeoutException || e instanceof java.io.IOException;
    }

    /**
     * An answer of the supplier's contract that a repeat would not change. A 2xx lands here only when its
     * body is not a readable receipt: the supplier has the message all the same.
     */
    private static boolean finalAnswer(int status) {
        return status == 400 || status == 409 || status == 422 || received(status);
    }

    private static boolean received(int status) {
        return status >= 200 && status < 300;
    }

    /** What an attempt came to. */
    private sealed interface Outcome {
        record Received(String reference) implements Outcome {}

        record Retry(String reason) implements Outcome {}

        record Refused(String reason) implements Outcome {}
    }

    /**
     * Sends the orders due now, stopping at the first transient failure (the supplier is likely down).
     *
     * @return orders the supplier received
     */
    int sendDue() {
        Integer sent = tx.execute(status -> {
            List<SupplierOutbox.Due> due = outbox.lockDue(BATCH);
            int received = 0;
            for (SupplierOutbox.Due d : due) {
                Outcome outcome = send(d.message());
                switch (outcome) {
                    case Outcome.Received r -> {
                        outbox.delivered(d.id(), r.reference());
                        switch (d.message()) {
                            // the order's row after its outbox row, locked since lockDue: a cancellation
                            // takes them in the same order (SupplierQueue.holdOrder), never a deadlock
                            case SupplierMessage.OrderMessage o -> orders.markSent(o.orderNumber(), r.reference());
                            case SupplierMessage.ExchangeMessage e ->
                                exchanges.markSent(e.exchangeNumber(), r.reference());
                            case SupplierMessage.CancellationMessage c ->
                                log.info(
                                        "supplier received the cancellation of order {} ({})",
                                        c.orderNumber(),
                                        r.reference());
                        }
                        received++;
                    }
                    case Outcome.Refused r -> {
                        outbox.refused(d.id(), r.reason());
                        switch (d.message()) {
                            case SupplierMessage.CancellationMessage c ->
                                log.error(
                                        "supplier refused the cancellation of order {}: {}; someone must call it",
                                        c.orderNumber(),
                                        r.reason());
                            case SupplierMessage.OrderMessage o ->
                                log.error(
                                        "supplier refused order {}: {}; it stays APPROVED until someone looks at it",
                                        o.orderNumber(),
                                        r.reason());
                            case SupplierMessage.ExchangeMessage e -> {
                                exchanges.markRefused(e.exchangeNumber(), r.reason());
                                log.error(
                                        "supplier refused exchange request {}: {}; a new request may be made",
                                        e.exchangeNumber(),
                                        r.reason());
                            }
                        }
                    }
                    case Outcome.Retry r -> {
                        Duration wait = backoff(d.attempts() + 1);
                        outbox.retryLater(d.id(), r.reason(), wait);
                        log.warn(
                                "{} not received by the supplier (attempt {}): {}; next try in {}",
                                what(d.message()),
                                d.attempts() + 1,
                                r.reason(),
                                wait);
                        return received;
                    }
                }
            }
            return received;
        });
        return sent == null ? 0 : sent;
    }

    /** The name of a message in logs. */
    private static String what(SupplierMessage m) {
        return switch (m) {
            case SupplierMessage.CancellationMessage c -> "cancellation of order " + c.orderNumber();
            case SupplierMessage.OrderMessage o -> "order " + o.orderNumber();
            case SupplierMessage.ExchangeMessage e -> "exchange request " + e.exchangeNumber();
        };
    }

    private Outcome send(SupplierMessage m) {
        Supplier<SupplierMessage.Receipt> call = switch (m) {
            case SupplierMessage.CancellationMessage c -> {
                // an order tried but never confirmed may not be at the supplier: "no such order" (404,
                // or 422 as the contract says for an unknown order) means there is nothing to cancel
                boolean confirmed = outbox.orderDelivered(c.orderNumber());
                yield () -> {
                    try {
                        return client.receiveCancellation(m.key(), c.orderNumber(), c);
                    } catch (FeignException fe) {
                        if (!confirmed && (fe.status() == 404 || fe.status() == 422)) {
                            return new SupplierMessage.Receipt(
                                    "(no such order at the supplier: HTTP " + fe.status() + ")", null);
                        }
                        throw fe;
                    }
                };
            }
            case SupplierMessage.OrderMessage o -> () -> client.receiveOrder(m.key(), o);
            case SupplierMessage.ExchangeMessage e -> () -> client.receiveExchangeRequest(m.key(), e);
        };
        try {
            SupplierMessage.Receipt receipt = circuitBreaker.executeCallable(() -> retry.executeCallable(
                    () -> timeLimiter.executeFutureSupplier(() -> CompletableFuture.supplyAsync(call, calls))));
            return new Outcome.Received(storable(Optional.ofNullable(receipt)
                    .map(SupplierMessage.Receipt::supplierReference)
                    .orElse("")));
        } catch (Exception e) {
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof FeignException fe && fe.status() == 409) {
                return new Outcome.Received("(received already under key " + m.key() + ")");
            }
            if (cause instanceof FeignException fe && received(fe.status())) {
                // 2xx is received (the contract's answers), whatever its body: retrying it would never end
                return new Outcome.Received("(HTTP " + fe.status() + " without a readable receipt)");
            }
            if (cause instanceof CallNotPermittedException) {
                return new Outcome.Retry("circuit breaker open: the supplier failed too often lately");
            }
            if (cause instanceof FeignException fe && !transient_(fe)) {
                return new Outcome.Refused("HTTP " + fe.status() + " " + truncate(fe.contentUTF8()));
            }
            return new Outcome.Retry(
                    cause instanceof TimeoutException
                            ? "no answer within the time limit"
                            : cause instanceof FeignException fe
                                    ? "HTTP " + fe.status() + " " + truncate(fe.getMessage())
                                    : truncate(cause.toString()));
        }
    }

    /** Longest supplier reference kept (the outbox's and exchange requests' column). */
    static final int REFERENCE_CHARS = 100;

    /**
     * The supplier's reference as we keep it: plain text on one line, at most {@link #REFERENCE_CHARS}
     * characters. The contract sets no length; a longer one, stored as it came, failed the relay's
     * transaction at every pass — and with it every message queued behind it.
     */
    static String storable(String reference) {
        String plain = reference == null
                ? ""
                : reference.replaceAll("\\p{Cntrl}+", " ").strip();
        return plain.length() > REFERENCE_CHARS ? plain.substring(0, REFERENCE_CHARS - 1) + "…" : plain;
    }

    /**
     * An answer's text as kept in the outbox's last error: plain text (a NUL byte of a binary body, which
     * PostgreSQL refuses, failed the relay's pass — and every message behind it — at each attempt), 300
     * characters at most.
     */
    private static String truncate(String s) {
        String plain = s == null ? "" : s.replaceAll("\\p{Cntrl}+", " ");
        return plain.length() > 300 ? plain.substring(0, 300) : plain;
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
