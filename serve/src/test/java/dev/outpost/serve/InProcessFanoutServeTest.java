package dev.outpost.serve;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The Fanout loop with the in-process GRIP proxy (what {@code outpost serve} runs by default). */
@Timeout(120)
class InProcessFanoutServeTest extends FanoutServeContract {
    @BeforeAll
    static void start() throws Exception {
        startServe(null);
    }
}
