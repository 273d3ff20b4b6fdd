package dev.outpost.proxy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the browser tests need: Debian's Chromium, node, and playwright-core in {@code src/test/browser}. */
public final class Browser {
    /** The npm project with the page scripts. */
    public static final Path DIR = Path.of("src/test/browser");

    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("OUTPOST_CHROMIUM", "/usr/bin/chromium"));

    private Browser() {}

    /**
     * Skips the test when Chromium or node is missing; fails when playwright-core is (.ci/setup.sh installs it, so
     * its absence is a broken setup, not a missing tool).
     */
    public static void assumeReady() {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium not installed at " + CHROMIUM
                        + " (Debian package chromium; .ci/setup.sh installs it): browser test skipped");
        assumeTrue(nodeAvailable(), "node not on PATH (Debian package nodejs): browser test skipped");
        assertThat(DIR.resolve("node_modules/playwright-core"))
                .as("playwright-core is not installed: run .ci/setup.sh (npm install in proxy/src/test/browser)")
                .isDirectory();
    }

    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
