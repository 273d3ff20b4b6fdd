package dev.outpost.edge.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** The JS test apps (src/test/js/src/*.js), compiled to Wasm by the build before the tests run. */
final class TestApps {
    private TestApps() {}

    static Path wasm(String name) {
        String dir = System.getProperty("outpost.edge.testApps", "target/test-apps");
        Path path = Path.of(dir, name + ".wasm");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: the build compiles src/test/js/src/" + name
                    + ".js (run mvn with the edge module's process-test-resources phase)");
        }
        return path;
    }
}
