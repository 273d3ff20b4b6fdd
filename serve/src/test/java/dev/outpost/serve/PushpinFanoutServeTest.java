package dev.outpost.serve;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The same Fanout loop with the real Pushpin ({@code --pushpin-path /usr/bin/pushpin}); skipped without it. */
@Timeout(120)
class PushpinFanoutServeTest extends FanoutServeContract {
    static final Path PUSHPIN = Path.of("/usr/bin/pushpin");

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(PUSHPIN), "/usr/bin/pushpin is not installed");
        startServe(PUSHPIN.toString());
    }
}
