package fr.interieur.neogend.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for stand-in servers that tests start themselves (a fake inventory, a receiver…). They are taken below
 * the kernel's ephemeral range (32768–60999 on Linux): a port found free there was soon the local port of some
 * outgoing connection (to PostgreSQL, to a service) while its stand-in was stopped between two tests, and every
 * later test of the class failed to bind it.
 */
public final class TestPorts {

    private static final int FIRST = 20_000;
    private static final int COUNT = 12_000; // up to 31,999
    /** Where this JVM starts looking: apart from another test JVM's on the same machine. */
    private static final AtomicInteger NEXT =
            new AtomicInteger((int) (ProcessHandle.current().pid() * 97 % COUNT));

    private TestPorts() {}

    /** A TCP port free right now, outside the ephemeral range when one is. */
    public static int free() {
        for (int tried = 0; tried < COUNT; tried++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException busy) {
                // taken: the next one
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
