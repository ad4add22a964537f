package fr.interieur.neogend.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code make run}: starts the whole suite with embedded defaults and demo data, prints how to
 * use it, and stops everything on Ctrl-C (or SIGTERM).
 */
public final class DevStackMain {

    private DevStackMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1 || !args[0].equals("run")) {
            System.err.println("usage: devstack run");
            System.exit(2);
        }
        Path root = findRoot();
        Path runDir = root.resolve(".run");
        Stack.Ports ports = Stack.Ports.defaults();
        System.out.println("NéoGEND: starting PostgreSQL, Keycloak, 5 services and the gateway (logs in "
                + runDir.resolve("logs") + ")");
        Stack stack;
        try {
            stack = Stack.start(
                    new Stack.Options(root, runDir, true, Stack.SERVICES, ports, Stack.QUICK_START_JVM, Map.of()));
        } catch (RuntimeException e) {
            System.err.println("\nNéoGEND did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nstopping NéoGEND…");
                            stack.close();
                            System.out.println("stopped; data kept in " + runDir);
                            stopped.countDown();
                        },
                        "neogend-stop"));

        TokenClient tokens = new TokenClient(stack.keycloak().tokenEndpoint());
        String fleetManager = tokens.password("fleet.manager", "fleet.manager");
        DemoData.Loaded loaded = DemoData.loadAll(
                stack.gatewayUrl(), fleetManager, tokens.clientCredentials("supplier-demo", "supplier-demo-secret"));
        int created = loaded.devices();
        boolean agreement = loaded.agreement();
        boolean readings = loaded.readings();
        if (loaded.workshop()) {
            System.out.println("  demo workshop loaded: technician certified for Rugged X5 (session today), depot "
                    + "DEP-RENNES with spare parts, a stock alert on SP-SCREEN-X5");
        }
        System.out.println(
                created == 0 && !agreement
                        ? "  demo data already loaded"
                        : "  loaded " + created + " demo devices"
                                + (agreement ? " and agreement AC-2026-NEOGEND" : ""));
        if (readings) {
            System.out.println(
                    "  8 demo devices enrolled (e.g. " + DemoData.imei(1) + "); they uploaded 3 readings each");
        }
        if (loaded.campaign()) {
            System.out.println(
                    "  demo ROM update campaign started: the approved Rugged X5 release to the phones on older "
                            + "builds, a canary wave first (console: Mises à jour ROM)");
        }
        System.out.println(banner(stack));
        stopped.await();
    }

    static String banner(Stack stack) {
        String gw = stack.gatewayUrl();
        String token = stack.keycloak().tokenEndpoint();
        return """

                NéoGEND is up.
                  Gateway (REST API)  %s/api/v1/...   (console: %s/console/)
                  Gateway health and metrics  http://127.0.0.1:%d/actuator/{health,prometheus}
                  Keycloak            http://localhost:%d  (realm neogend; admin console user 'admin',
                                      password in .run/keycloak-admin-password)
                  PostgreSQL          127.0.0.1:%d  (user postgres, one database per service)
                  Supplier simulator  http://localhost:%d/api  (WireMock; what it received: /__admin/requests)

                Demo accounts (password = user name): fleet.manager, unit.manager (unit GN-RBRE-GGD35),
                technician, technician.quimper, auditor; supplier client: supplier-demo / supplier-demo-secret.

                Try it:
                  TOKEN=$(curl -s -d grant_type=password -d client_id=neogend-cli \\
                      -d username=fleet.manager -d password=fleet.manager \\
                      %s | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                  curl -s -H "Authorization: Bearer $TOKEN" '%s/api/v1/devices?page_size=5'

                Ctrl-C stops everything.
                """.formatted(
                        gw,
                        gw,
                        stack.options().ports().gatewayManagement(),
                        stack.keycloak().port(),
                        stack.postgres().port(),
                        stack.options().ports().supplierSimulator(),
                        token,
                        gw);
    }

    /** The checkout: -Dneogend.root, else the first parent of the working folder holding the realm file. */
    static Path findRoot() {
        String given = System.getProperty("neogend.root");
        if (given != null) {
            return Path.of(given).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("platform/keycloak/realm-neogend.json"))) {
                return p;
            }
        }
        throw new IllegalStateException("run from inside the NéoGEND checkout (no platform/keycloak/realm-neogend.json "
                + "above " + Path.of("").toAbsolutePath() + ")");
    }
}
