package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The built-in {@code test} target, used by default when no route is configured. */
@ExtendWith(LeakGuard.class)
@Timeout(30)
class TestTargetTest {
    static OutpostProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyHarness.start(null);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void rootGreets() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("Hello from the Pushpin test handler!\n");
        }
    }

    @Test
    void unknownPathIs404() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/nope")).read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.text()).isEqualTo("no such test resource\n");
        }
    }

    @Test
    void responseIsHeldUntilAPublish() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/response?channel=tt-resp"));
            await().until(() -> proxy.hub().subscriberCount("tt-resp") == 1);
            Publisher.publishText(proxy.publishPort(), "tt-resp", "hello\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello\n");
            assertThat(r.has("Grip-Hold")).isFalse();
            assertThat(r.has("Grip-Channel")).isFalse();
            // the connection carries the next request
            assertThat(c.send(RawHttp.get("/")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void streamOpensAndGetsContent() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head =
                    c.send(RawHttp.get("/stream?channel=tt-stream")).readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.chunked()).isTrue();
            assertThat(c.readChunkText()).isEqualTo("[stream opened]\n");
            await().until(() -> proxy.hub().subscriberCount("tt-stream") == 1);
            Publisher.publishText(proxy.publishPort(), "tt-stream", "one\n");
            assertThat(c.readChunkText()).isEqualTo("one\n");
        }
    }

    @Test
    void defaultChannelIsTest() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/stream")).readHead();
            assertThat(c.readChunkText()).isEqualTo("[stream opened]\n");
            await().until(() -> proxy.hub().subscriberCount("test") >= 1);
        }
    }
}
