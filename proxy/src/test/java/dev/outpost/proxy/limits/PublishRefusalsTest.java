package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The publish port refuses what it must never accept silently (issue 16, items 6 and 7): an item whose response
 * can't go on the wire, and a browser page publishing on a visitor's behalf. Publishers keep working.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class PublishRefusalsTest {
    static final String ITEM =
            "{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-stream\":{\"content\":\"hi\\n\"}}}]}";

    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start(null);
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    private RawHttp.Response post(String body, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            StringBuilder sb = new StringBuilder("POST /publish/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
            c.send(sb.toString());
            c.send(b);
            return c.read();
        }
    }

    @Test
    void aHeaderWithCrLfIsRefusedNotSilentlyLost() throws Exception {
        RawHttp.Response r = post("{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-response\":{\"body\":\"x\","
                + "\"headers\":{\"X-A\\r\\nX-Injected\":\"1\"}}}}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).startsWith("Invalid format: header name is not valid");
        r = post("{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-response\":{\"body\":\"x\","
                + "\"headers\":[[\"X-A\",\"1\\r\\nX-Injected: 2\"]]}}}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).startsWith("Invalid format: header 'X-A' has a value that is not valid");
    }

    @Test
    void aBrowserPageCannotPublish() throws Exception {
        // what any web page can make a browser send without asking first
        RawHttp.Response r = post(ITEM, "Content-Type: text/plain", "Origin: https://evil.example");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text()).contains("Origin: https://evil.example", "Publish from a backend");
        r = post(ITEM, "Content-Type: text/plain", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors");
        assertThat(r.status()).isEqualTo(403);
        // DNS rebinding makes the page's own origin this port: still a browser
        r = post(
                ITEM,
                "Content-Type: application/json",
                "Origin: http://rebound.example:5561",
                "Sec-Fetch-Site: same-origin");
        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void publishersStillPublish() throws Exception {
        // curl -d
        assertThat(post(ITEM, "Content-Type: application/x-www-form-urlencoded", "User-Agent: curl/8.5.0")
                        .status())
                .isEqualTo(200);
        // the GRIP libraries and pushpin-publish
        assertThat(post(ITEM, "Content-Type: application/json").status()).isEqualTo(200);
        // Node's fetch marks its requests with Sec-Fetch-Mode, nothing more
        assertThat(post(ITEM, "Content-Type: application/json", "Sec-Fetch-Mode: cors", "User-Agent: node")
                        .status())
                .isEqualTo(200);
        // typed into a browser's address bar: not a page's doing
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: none\r\n\r\n")
                    .read();
            assertThat(r.text()).isEqualTo("Pushpin API\n");
        }
    }
}
