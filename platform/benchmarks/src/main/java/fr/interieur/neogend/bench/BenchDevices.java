package fr.interieur.neogend.bench;

import fr.interieur.neogend.contract.DeviceCredentialTags;
import fr.interieur.neogend.devstack.DemoData;
import fr.interieur.neogend.devstack.PostgresServer;
import fr.interieur.neogend.devstack.Stack;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Base64;

/** Setup the benchmarks share: devices enrolled in bulk, and a process's peak memory. */
final class BenchDevices {

    private BenchDevices() {}

    /**
     * Device credentials straight into the telemetry database (enrolment proper is tested; here it is
     * setup): {@code count} devices, IMEIs {@code DemoData.imei(first + i)}, credential ids from
     * {@code idBase}. Returns the credentials, in order.
     */
    static String[] enrol(Stack stack, int count, int first, long idBase, String seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        // tagged as telemetry issues them in this stack (ADR 0026), from a generator seeded for the run
        DeviceCredentialTags tags =
                DeviceCredentialTags.fromSetting("the stack's tag key", stack.deviceCredentialTagKey());
        java.security.SecureRandom random = java.security.SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed.getBytes(StandardCharsets.US_ASCII));
        String[] credentials = new String[count];
        StringBuilder rows = new StringBuilder(count * 120);
        for (int i = 0; i < count; i++) {
            String id = String.format("%024x", idBase + i);
            String secret = tags != null
                    ? tags.newSecret(id, random)
                    : Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(sha.digest((seed + i).getBytes(StandardCharsets.US_ASCII)));
            credentials[i] = id + "." + secret;
            byte[] hash = sha.digest(secret.getBytes(StandardCharsets.US_ASCII));
            rows.append(id)
                    .append('\t')
                    .append(DemoData.imei(first + i))
                    .append("\t\\\\x")
                    .append(java.util.HexFormat.of().formatHex(hash))
                    .append("\t2026-11-29T00:00:00Z\tbench\n");
        }
        try (Connection c =
                DriverManager.getConnection(stack.postgres().jdbcUrl("telemetry"), PostgresServer.SUPERUSER, "")) {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "copy device_credential (id, imei, secret_hash, created_at, created_by) from stdin",
                            new StringReader(rows.toString()));
        }
        return credentials;
    }

    /** The peak resident memory (VmHWM) of a process of the stack. */
    static String peakMemory(Stack stack, String process) {
        return stack.process(process)
                .map(p -> {
                    try {
                        return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                                .filter(l -> l.startsWith("VmHWM"))
                                .findFirst()
                                .map(l -> l.replaceAll("\\s+", " ").trim())
                                .orElse("unknown");
                    } catch (java.io.IOException e) {
                        return "unknown (" + e.getMessage() + ")";
                    }
                })
                .orElse("unknown");
    }

    /** A memory figure of a process of the stack from /proc ({@code VmRSS}, {@code VmHWM}) in KiB; 0 if unknown. */
    static long memoryKb(Stack stack, String process, String field) {
        return stack.process(process)
                .map(p -> {
                    try {
                        return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                                .filter(l -> l.startsWith(field + ":"))
                                .findFirst()
                                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                                .orElse(0L);
                    } catch (java.io.IOException | NumberFormatException e) {
                        return 0L;
                    }
                })
                .orElse(0L);
    }

    /** The CPU seconds a process of the stack has used so far (0 if unknown). */
    static double cpuSeconds(Stack stack, String process) {
        return stack.process(process).map(p -> cpuSeconds(p.pid())).orElse(0.0);
    }

    /** The CPU seconds a process has used so far (0 if it is gone or the system does not say). */
    static double cpuSeconds(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(h -> h.info().totalCpuDuration())
                .map(d -> d.toNanos() / 1e9)
                .orElse(0.0);
    }
}
