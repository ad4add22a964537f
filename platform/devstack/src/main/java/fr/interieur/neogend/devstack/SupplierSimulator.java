package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The supplier's order-intake API for local runs: WireMock standalone (from Maven Central) serving
 * the mappings in {@code platform/supplier-simulator/} — the contract of
 * {@code docs/openapi/supplier-order-intake.yaml}. Its request journal is at {@code /__admin/requests}.
 */
public final class SupplierSimulator {

    public static final String NAME = "supplier-sim";

    private SupplierSimulator() {}

    public static ManagedProcess start(Path root, int port, Path runDir, Path log) {
        Path mappings = root.resolve("platform/supplier-simulator");
        if (!Files.isDirectory(mappings.resolve("mappings"))) {
            throw new IllegalStateException("supplier simulator mappings not found in " + mappings);
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-jar",
                jar().toString(),
                "--port",
                String.valueOf(port),
                "--bind-address",
                "127.0.0.1",
                "--root-dir",
                mappings.toString(),
                "--disable-banner");
        return ManagedProcess.start(NAME, command, Map.of(), runDir, log);
    }

    /** The WireMock standalone jar Maven downloaded when devstack was built. */
    static Path jar() {
        Properties p = new Properties();
        try (InputStream in = SupplierSimulator.class.getResourceAsStream("/devstack.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("devstack.properties is missing from the devstack jar", e);
        }
        Path jar = Path.of(p.getProperty("wiremock.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("WireMock not found at " + jar + "; build the project first (make build)");
        }
        return jar;
    }
}
