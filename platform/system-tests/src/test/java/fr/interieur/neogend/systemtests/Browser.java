package fr.interieur.neogend.systemtests;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.fail;

/**
 * Headless Chromium from Debian's packages ({@code chromium}, {@code chromium-driver}), driven by its
 * chromedriver over WebDriver. Nothing is downloaded: where the two programs are missing the browser
 * tests are skipped with the reason, unless {@code NEOGEND_REQUIRE_BROWSER=1} (CI sets it), where
 * they fail.
 */
final class Browser {

    static final Path CHROMIUM = Path.of(env("NEOGEND_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(env("NEOGEND_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private Browser() {}

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static Optional<String> missing() {
        for (Path program : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(program)) {
                return Optional.of(program + " is missing (Debian: apt-get install chromium chromium-driver)");
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test class when there is no browser here, or fails it where one is required. */
    static void assumeAvailable() {
        Optional<String> missing = missing();
        if (missing.isEmpty()) {
            return;
        }
        if ("1".equals(System.getenv("NEOGEND_REQUIRE_BROWSER"))) {
            fail("browser tests are required here (NEOGEND_REQUIRE_BROWSER=1) but " + missing.get());
        }
        System.out.println("SKIPPED: the console's browser tests — " + missing.get());
        Assumptions.abort("no browser: " + missing.get());
    }

    /** A fresh browser (new empty profile) whose downloads land in {@code downloads}. */
    static ChromeDriver start(Path profile, Path downloads, int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The flags this machine's closed network needs (no background connections to Google).
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=en-GB",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height);
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "download.default_directory",
                        downloads.toString(),
                        "download.prompt_for_download",
                        false,
                        "safebrowsing.enabled",
                        false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
