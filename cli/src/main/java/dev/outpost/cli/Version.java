package dev.outpost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Outpost's version, from the build. Needs no library: {@code outpost --version} loads this class and little else. */
final class Version {
    private Version() {}

    static String version() {
        // outpost.jar's manifest, which the JVM read to start; opening the jar again for a resource cost a publish
        // about 10 ms (issue #18). Classes outside the jar (tests) read the resource.
        String fromManifest = Version.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/outpost-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p.getProperty("version", "unknown");
    }

    /** What {@code --version} prints. */
    static String[] lines() {
        return new String[] {
            "outpost " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
