package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Remembers the pids a stack started, so that the next start can stop a leftover of a run whose
 * JVM was killed without its shutdown hook (kill -9): a leftover server would hold the ports.
 */
final class Leftovers {

    private Leftovers() {}

    static void record(Path file, List<ManagedProcess> processes) {
        try {
            Files.writeString(
                    file, processes.stream().map(p -> String.valueOf(p.pid())).collect(Collectors.joining("\n")));
        } catch (IOException ignored) {
            // without the file a leftover is not found automatically; nothing else depends on it
        }
    }

    static void stopFrom(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(line.trim()));
                handle.filter(ProcessHandle::isAlive)
                        .filter(h -> h.info()
                                .commandLine()
                                .map(c -> c.contains("neogend")
                                        || c.contains("keycloak")
                                        || c.contains("-exec.jar")
                                        || c.contains("kafka.Kafka"))
                                .orElse(false))
                        .ifPresent(h -> {
                            System.out.println("  stopping leftover process " + h.pid() + " of an earlier run");
                            h.descendants().forEach(ProcessHandle::destroy);
                            h.destroy();
                            h.onExit()
                                    .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                                    .exceptionally(t -> {
                                        h.destroyForcibly();
                                        return h;
                                    })
                                    .join();
                        });
            }
            Files.delete(file);
        } catch (IOException | NumberFormatException e) {
            System.out.println("  could not check leftovers in " + file + ": " + e.getMessage());
        }
    }
}
