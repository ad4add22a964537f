package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services and who calls whom, read from {@code helm/neogend/files/topology.yaml} — the one
 * declaration the chart reads too — packaged in this jar as {@code neogend/topology.yaml}. The file's
 * form is fixed (see it); a line of another form is refused, naming it, rather than half read.
 */
public record Topology(List<Service> services) {

    /** Where the file is packaged. */
    public static final String RESOURCE = "neogend/topology.yaml";

    /** A service: its name, default ports, and the services it calls. */
    public record Service(String name, int grpcPort, int httpPort, List<String> calls) {}

    private static final Pattern NAME = Pattern.compile("  - name: ([a-z][a-z0-9-]*)");
    private static final Pattern PORT = Pattern.compile("    (grpcPort|httpPort): ([0-9]{2,5})");
    private static final Pattern CALLS = Pattern.compile("    calls: \\[([a-z0-9, -]*)]");

    /** The topology packaged in this jar. */
    public static Topology load() {
        try (InputStream in = Topology.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path (the devstack's build copies "
                        + "helm/neogend/files/topology.yaml)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the file's text; every service named in a {@code calls} list must be declared. */
    public static Topology parse(String text) {
        List<Service> services = new ArrayList<>();
        String name = null;
        int grpc = 0;
        int http = 0;
        List<String> calls = null;
        boolean inServices = false;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            Matcher m;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            } else if (line.equals("services:")) {
                inServices = true;
            } else if (inServices && (m = NAME.matcher(line)).matches()) {
                if (name != null) {
                    services.add(service(name, grpc, http, calls, n));
                }
                name = m.group(1);
                grpc = 0;
                http = 0;
                calls = null;
            } else if (name != null && (m = PORT.matcher(line)).matches()) {
                int port = Integer.parseInt(m.group(2));
                if (m.group(1).equals("grpcPort")) {
                    grpc = port;
                } else {
                    http = port;
                }
            } else if (name != null && (m = CALLS.matcher(line)).matches()) {
                calls = m.group(1).isBlank()
                        ? List.of()
                        : List.of(m.group(1).trim().split("\\s*,\\s*"));
            } else {
                throw new IllegalArgumentException("topology.yaml line " + n + " is not of the file's form: " + line);
            }
        }
        if (name != null) {
            services.add(service(name, grpc, http, calls, n));
        }
        Set<String> names = new LinkedHashSet<>();
        for (Service s : services) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("topology.yaml declares " + s.name() + " twice");
            }
        }
        for (Service s : services) {
            for (String callee : s.calls()) {
                if (!names.contains(callee) || callee.equals(s.name())) {
                    throw new IllegalArgumentException("topology.yaml: " + s.name() + " calls " + callee + ", which is "
                            + (callee.equals(s.name()) ? "itself" : "not declared"));
                }
            }
        }
        if (services.isEmpty()) {
            throw new IllegalArgumentException("topology.yaml declares no service");
        }
        return new Topology(List.copyOf(services));
    }

    private static Service service(String name, int grpc, int http, List<String> calls, int line) {
        if (grpc == 0 || http == 0 || calls == null) {
            throw new IllegalArgumentException(
                    "topology.yaml: " + name + " (before line " + line + ") needs grpcPort, httpPort and calls");
        }
        return new Service(name, grpc, http, calls);
    }

    /** The services' names, in the file's order. */
    public List<String> names() {
        return services.stream().map(Service::name).toList();
    }

    /** A service by name. */
    public Service service(String name) {
        return services.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name + " in topology.yaml"));
    }
}
