package fr.interieur.neogend.gateway.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aBurstThenTheSustainedRateAndTheWaitToTheNextToken() {
        RateLimiter limiter = new RateLimiter(2, 3, now::get); // 2 a second, 3 at once
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a").allowed()).isTrue();
        }
        RateLimiter.Decision refused = limiter.acquire("a");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.acquire("b").allowed()).as("another client").isTrue();
        now.addAndGet(250_000_000L); // half a token
        assertThat(limiter.acquire("a").retryAfter()).isEqualTo(Duration.ofMillis(250));
        now.addAndGet(250_000_000L);
        assertThat(limiter.acquire("a").allowed()).isTrue();
        assertThat(limiter.acquire("a").allowed()).isFalse();
        now.addAndGet(10_000_000_000L); // a long pause refills to the burst, not beyond
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a").allowed()).isTrue();
        }
        assertThat(limiter.acquire("a").allowed()).isFalse();
    }

    @Test
    void quietClientsAreForgottenAndZeroMeansNoLimit() {
        RateLimiter limiter = new RateLimiter(1000, 1, now::get);
        for (int i = 0; i < 9_999; i++) {
            limiter.acquire("client-" + i);
        }
        assertThat(limiter.clients()).isEqualTo(9_999);
        now.addAndGet(1_000_000_000L);
        limiter.acquire("late"); // the 10,000th call sweeps: every bucket is full again, so forgotten
        assertThat(limiter.clients()).isEqualTo(1);

        RateLimiter off = new RateLimiter(0, 1, now::get);
        for (int i = 0; i < 1000; i++) {
            assertThat(off.acquire("x").allowed()).isTrue();
        }
        assertThatThrownBy(() -> new RateLimiter(-1, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
