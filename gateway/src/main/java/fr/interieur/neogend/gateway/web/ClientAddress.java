package fr.interieur.neogend.gateway.web;

import org.springframework.web.server.ServerWebExchange;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request comes from, as the limits before authentication see it: the peer the
 * gateway's socket sees — or, when that peer is a configured trusted proxy (an ingress
 * controller), the nearest address in {@code X-Forwarded-For} that is not one of the trusted
 * proxies. Never a header a client could set on its own: without trusted proxies the header is
 * ignored, and addresses left of the first untrusted hop are never believed.
 */
public final class ClientAddress {

    public static final String ATTRIBUTE = ClientAddress.class.getName();

    private final List<Cidr> trustedProxies;

    /** @param trustedProxies CIDR blocks or addresses of the proxies in front of the gateway (may be empty) */
    public ClientAddress(List<String> trustedProxies) {
        List<Cidr> parsed = new ArrayList<>();
        for (String entry : trustedProxies) {
            if (!entry.isBlank()) {
                parsed.add(Cidr.parse(entry.trim()));
            }
        }
        this.trustedProxies = List.copyOf(parsed);
    }

    /** The client address of an exchange (remembered in its attributes). */
    public String of(ServerWebExchange exchange) {
        String known = exchange.getAttribute(ATTRIBUTE);
        if (known != null) {
            return known;
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        InetAddress peer = remote == null ? null : remote.getAddress();
        String address = peer == null ? "unknown" : peer.getHostAddress();
        if (peer != null && trusted(peer)) {
            List<String> forwarded = exchange.getRequest().getHeaders().get("X-Forwarded-For");
            if (forwarded != null) {
                List<String> hops = new ArrayList<>();
                forwarded.forEach(h -> {
                    for (String hop : h.split(",")) {
                        hops.add(hop.trim());
                    }
                });
                for (int i = hops.size() - 1; i >= 0; i--) { // nearest hop first
                    InetAddress hop = literal(hops.get(i));
                    if (hop == null) {
                        break; // garbage: stop believing the header here
                    }
                    address = hop.getHostAddress();
                    if (!trusted(hop)) {
                        break;
                    }
                }
            }
        }
        exchange.getAttributes().put(ATTRIBUTE, address);
        return address;
    }

    private boolean trusted(InetAddress address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An IP literal (never a name lookup), or null. */
    static InetAddress literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':')) {
                return null;
            }
        }
        try {
            return InetAddress.getByName(text); // a literal: no DNS
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address block, e.g. 10.0.0.0/8 or ::1/128; a bare address is a block of one. */
    record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("trusted proxy '" + text + "' is not an address or CIDR block");
            }
            byte[] bytes = address.getAddress();
            int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("trusted proxy '" + text + "' has a bad prefix length");
            }
            return new Cidr(bytes, bits);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((bytes[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
