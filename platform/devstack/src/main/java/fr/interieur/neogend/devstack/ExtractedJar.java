package fr.interieur.neogend.devstack;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spring Boot executable jar in its extracted form ({@code java -Djarmode=tools -jar … extract}): the
 * application's jar beside its libraries in {@code lib/}, run from a plain class path. The same classes and
 * resources, but started without the launcher's nested-jar class loading — the gateway alone starts in about
 * 5 s instead of 7 — which every stack of the system tests and every {@code make run} pays for each service.
 *
 * <p>Extracted once per build of the jar, into {@code target/extracted/<size>-<modified>/}: a new build gets a new
 * folder and a folder is never changed once complete, so a process still running from an older one is not
 * disturbed (Maven's {@code clean} removes them all). Two processes extracting at once each work in a folder of
 * their own and the first to rename it wins. Any failure falls back to the jar itself.
 */
public final class ExtractedJar {

    private static final String COMPLETE = ".complete";

    private ExtractedJar() {}

    /** The jar to run: the extracted application jar when it is (or can be made) complete, else {@code execJar}. */
    public static Path of(Path execJar) {
        try {
            BasicFileAttributes built = Files.readAttributes(execJar, BasicFileAttributes.class);
            Path extracted = execJar.resolveSibling("extracted");
            Path dir = extracted.resolve(
                    built.size() + "-" + built.lastModifiedTime().toMillis() + "-" + stem(execJar));
            Path jar = dir.resolve(execJar.getFileName());
            if (Files.exists(dir.resolve(COMPLETE))) {
                return jar;
            }
            Files.createDirectories(extracted);
            Path work = Files.createTempDirectory(extracted, ".extracting-");
            try {
                extract(execJar, work);
                Files.createFile(work.resolve(COMPLETE));
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException another) {
                // another process extracted the same build first: its folder is as good
            } finally {
                deleteTree(work);
            }
            return Files.exists(dir.resolve(COMPLETE)) ? jar : execJar;
        } catch (IOException | RuntimeException e) {
            System.out.println(
                    "  " + execJar.getFileName() + " runs from the jar itself (not extracted: " + e.getMessage() + ")");
            return execJar;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return execJar;
        }
    }

    private static String stem(Path jar) {
        String name = jar.getFileName().toString();
        return name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    }

    private static void extract(Path execJar, Path into) throws IOException, InterruptedException {
        Path log = into.resolveSibling(into.getFileName() + ".log");
        Process extract = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djarmode=tools",
                        "-jar",
                        execJar.toString(),
                        "extract",
                        "--force",
                        "--destination",
                        into.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!extract.waitFor(2, TimeUnit.MINUTES)) {
                throw new IOException("extraction took over 2 minutes");
            }
            if (extract.exitValue() != 0) {
                throw new IOException("extraction exited with " + extract.exitValue() + ": " + Files.readString(log));
            }
            if (!Files.isRegularFile(into.resolve(execJar.getFileName()))) {
                throw new IOException("extraction left no " + execJar.getFileName());
            }
        } finally {
            extract.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
