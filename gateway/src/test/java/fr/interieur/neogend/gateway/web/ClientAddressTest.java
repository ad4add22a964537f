package fr.interieur.neogend.gateway.web;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressTest {

    static String addressOf(ClientAddress addresses, String peer, String... forwardedFor) {
        var request = MockServerHttpRequest.get("/api/v1/devices").remoteAddress(new InetSocketAddress(peer, 40000));
        for (String f : forwardedFor) {
            request.header("X-Forwarded-For", f);
        }
        return addresses.of(MockServerWebExchange.from(request));
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverBelieved() {
        var addresses = new ClientAddress(List.of());
        assertThat(addressOf(addresses, "203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
    }

    @Test
    void behindATrustedProxyTheNearestUntrustedHopIsTheClient() {
        var addresses = new ClientAddress(List.of("10.0.0.0/8", "::1"));
        // the client wrote the first hop itself; the proxy appended the address it saw
        assertThat(addressOf(addresses, "10.1.2.3", "6.6.6.6, 198.51.100.9")).isEqualTo("198.51.100.9");
        assertThat(addressOf(addresses, "10.1.2.3", "198.51.100.9, 10.9.9.9")).isEqualTo("198.51.100.9");
        assertThat(addressOf(addresses, "10.1.2.3", "6.6.6.6", "198.51.100.9")).isEqualTo("198.51.100.9");
        // garbage stops the walk: the last good hop stands
        assertThat(addressOf(addresses, "10.1.2.3", "not-an-ip, 10.9.9.9")).isEqualTo("10.9.9.9");
        // a peer outside the trusted blocks is the client, whatever it claims
        assertThat(addressOf(addresses, "192.0.2.1", "198.51.100.9")).isEqualTo("192.0.2.1");
    }

    @Test
    void aTrustedProxyThatForwardsNothingIsItself() {
        var addresses = new ClientAddress(List.of("10.0.0.0/8"));
        assertThat(addressOf(addresses, "10.1.2.3")).isEqualTo("10.1.2.3");
    }

    @Test
    void namesAreNeverLookedUpAndBadBlocksStopTheStart() {
        assertThat(ClientAddress.literal("localhost")).isNull();
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/40"))).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> new ClientAddress(List.of("proxy.example"))).hasMessageContaining("not an address");
    }
}
