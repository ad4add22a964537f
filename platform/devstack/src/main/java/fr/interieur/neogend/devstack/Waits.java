package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Polling until a server is up, failing early when its process dies. */
public final class Waits {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Waits() {}

    /** Waits until GET {@code url} answers 200. */
    public static void forHttp200(String what, String url, Duration timeout, ManagedProcess process) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (process != null) {
                process.requireAlive();
            }
            try {
                HttpResponse<Void> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(3))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " not ready at " + url + " after " + timeout.toSeconds() + " s"
                        + (process == null ? "" : "; last log lines:\n" + process.tail(40)));
            }
            sleep(250);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * A TCP port free right now, chosen below the system's ephemeral range: a port from that range
     * (what {@code new ServerSocket(0)} gives) can be taken by any outgoing connection before the
     * server meant to listen on it starts.
     */
    public static int freePort() {
        int low = ephemeralLow();
        int from = Math.min(10_000, low - 1000);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(from, low);
            try (ServerSocket s = new ServerSocket(port)) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException busy) {
                // taken: try another
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** The first port of the system's ephemeral range (32768 when unknown). */
    private static int ephemeralLow() {
        try {
            String range =
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low > 2000 ? low : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
