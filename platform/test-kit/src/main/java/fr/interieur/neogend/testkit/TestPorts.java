package fr.interieur.neogend.testkit;

import java.io.IOException;
import java.net.ServerSocket;

/** Ports for stand-in servers that tests start themselves (a fake inventory, a receiver…). */
public final class TestPorts {

    private TestPorts() {}

    /** A TCP port free right now. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
