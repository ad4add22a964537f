package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.ExtractedJar;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stacks run each service from its jar extracted once per build ({@code ExtractedJar}): on a copy of the
 * gateway's built jar, the first call extracts it, the second takes the same folder, a rebuilt jar (another
 * size or time) gets a folder of its own while the old one stays whole, and what is not a Spring Boot jar runs
 * as it is, leaving nothing behind.
 */
@Order(3) // a stack of its own, before the shared one starts (SharedStack)
class ExtractedJarIT {

    private static final Path ROOT = Path.of(System.getProperty("neogend.root", "../.."))
            .toAbsolutePath()
            .normalize();

    @Test
    void aBuildIsExtractedOnceAndARebuildAgainBesideIt(@TempDir Path target) throws Exception {
        Path built;
        try (Stream<Path> jars = Files.list(ROOT.resolve("gateway/target"))) {
            built = jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst()
                    .orElseThrow();
        }
        Path jar = Files.copy(built, target.resolve(built.getFileName()));

        Path first = ExtractedJar.of(jar);
        assertThat(first)
                .isNotEqualTo(jar)
                .hasFileName(jar.getFileName().toString())
                .isRegularFile();
        assertThat(first.resolveSibling("lib"))
                .isDirectoryContaining(p -> p.getFileName().toString().startsWith("spring-core-"));
        FileTime extractedAt = Files.getLastModifiedTime(first);
        assertThat(ExtractedJar.of(jar)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first)).isEqualTo(extractedAt); // not extracted again

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60))); // a rebuild
        Path second = ExtractedJar.of(jar);
        assertThat(second).isNotEqualTo(first).isRegularFile();
        assertThat(first).isRegularFile(); // a process still running from the old build keeps its files
        try (Stream<Path> left = Files.list(target.resolve("extracted"))) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .hasSize(2)
                    .noneMatch(name -> name.startsWith(".extracting-"));
        }

        Path notBoot = Files.writeString(target.resolve("plain-0.1-exec.jar"), "not a jar at all");
        assertThat(ExtractedJar.of(notBoot)).isEqualTo(notBoot);
        try (Stream<Path> left = Files.list(target.resolve("extracted"))) {
            assertThat(left.map(p -> p.getFileName().toString())).hasSize(2);
        }
    }
}
