package fr.interieur.neogend.gateway;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis (Debian's {@code redis-server}) started by the test that uses it, awaited until it answers
 * PING, and stopped by it: nothing saved, nothing left behind. Missing here: the test is skipped with the
 * reason, unless {@code NEOGEND_REQUIRE_REDIS=1} (CI, which installs it) where it fails.
 */
final class RedisProcess implements AutoCloseable {

    final int port;
    private Process process;
    private final Path log;

    private RedisProcess(int port) throws IOException {
        this.port = port;
        this.log = Files.createTempFile("neogend-redis", ".log");
    }

    static String executable() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return dir + "/redis-server";
            }
        }
        String why = "redis-server is not installed (Debian: apt-get install redis-server)";
        if ("1".equals(System.getenv("NEOGEND_REQUIRE_REDIS"))) {
            throw new IllegalStateException("Redis tests are required here (NEOGEND_REQUIRE_REDIS=1) but " + why);
        }
        Assumptions.abort(why);
        return null;
    }

    static RedisProcess start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisProcess redis = new RedisProcess(port);
        redis.startAgain();
        return redis;
    }

    /** Starts (again, on the same port) and waits until it answers PING. */
    void startAgain() throws Exception {
        process = new ProcessBuilder(
                        executable(),
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--daemonize",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server ended at start: " + Files.readString(log));
            }
            if (pong()) {
                return;
            }
            Thread.sleep(50);
        }
        stop();
        throw new IllegalStateException("redis-server did not answer PING within 20 s: " + Files.readString(log));
    }

    private boolean pong() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return "+PONG".equals(line);
        } catch (IOException e) {
            return false;
        }
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills it (SIGKILL) as a crash would, and waits for the end. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        Files.deleteIfExists(log);
    }
}
